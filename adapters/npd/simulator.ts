import { existsSync } from 'node:fs';
import { upperAscii } from './request.js';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { RunningSimulator } from '../../src/adapter/spec.js';
import { GatewayError } from '../../src/message/errors.js';
import { listenSimulator } from '../../src/simulator/listen.js';
import { FAULTS_OPTION, FaultInjector, cutOff, readBody } from '../../src/simulator/faults.js';
import {
  child,
  compileXsd,
  parseSoapEnvelope,
  type CompiledXsd,
  type XmlElement,
} from '../../src/xml/index.js';
import { PublishedWsdl, requestOrigin } from '../../src/xml/wsdl.js';
import { c06Authorization } from './auth.js';
import { NPD_OPERATIONS, NPD_REQUEST_NS, npdOperation, type NpdOperation } from './constants.js';
import { generatePopulation, type Population, type SimCitizen } from './population.js';
import { createCollectionWriter, providerFault, verificationReply } from './sim-response.js';

/**
 * A National Population Database for testing integrations (PRODUCT: users
 * point their own systems at it). It speaks SOAP 1.1 as the field does
 * (DOMAIN.md §2), answers from a seeded population of FAKE citizens, checks
 * the direct-C06 headers when given credentials, refuses DTDs, and injects
 * faults on demand. Plain node:http: it must stay faster than what it tests.
 *
 * Control endpoints:
 *   GET  /__sim/citizens?limit=N&offset=M&status=1|2|3   some citizens (find valid ids)
 *   GET|POST /__sim/faults                               read / replace the faults
 *   GET|POST /__sim/other-person {"rate":0.5}            read / set the share answered about someone else
 *   GET  /__sim/received                                 the last requests, as received (headers, body)
 *   GET  <any path>?wsdl, ?xsd=<file>                     the contracts, addressed to the simulator
 */

export const NpdSimulatorSchema = Type.Object(
  {
    seed: Type.Integer({ default: 2025, description: 'Same seed, same population' }),
    size: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 1000,
      description: 'Number of citizens',
    }),
    auth: Type.Optional(
      Type.Object(
        {
          username: Type.String({ minLength: 1, description: 'Expected C06 account name' }),
          secretKey: Type.String({ minLength: 1, description: 'Secret the hash is checked with' }),
          apiKey: Type.String({ minLength: 1, description: 'Expected ApiKey header' }),
          urlXacThuc: Type.Optional(
            Type.String({
              description: 'URL in the hash; when absent, the URL the request was sent to',
            }),
          ),
        },
        {
          additionalProperties: false,
          description: 'Require direct-C06 headers with these credentials',
        },
      ),
    ),
    faults: Type.Optional(FAULTS_OPTION),
    otherPersonRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description:
        'Share of the answers naming a person that are about another citizen than the one asked for (a cross-wired relay); POST /__sim/other-person changes it',
    }),
    validateRequests: Type.Boolean({
      default: true,
      description:
        'Check requests against contracts/npd (answered with a SOAP fault naming the rule)',
    }),
  },
  { additionalProperties: false },
);
export type NpdSimulatorOptions = Static<typeof NpdSimulatorSchema>;

export interface NpdSimulator extends RunningSimulator {
  readonly population: Population;
  readonly faults: FaultInjector;
  /** Share of the answers naming a person that are about someone else (0–1). */
  otherPersonRate: number;
}

export interface StartNpdSimulatorOptions {
  host?: string;
  port?: number;
  options?: Partial<NpdSimulatorOptions>;
  /** A population to serve instead of generating one (tests share one across servers). */
  population?: Population;
  log?: Logger;
}

// From the sources (adapters/npd) or the build (dist/adapters/npd): the contracts stay at the project root.
const CONTRACTS_DIR = ['../../contracts/npd/', '../../../contracts/npd/']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((dir) => existsSync(dir))!;
const XML = 'text/xml; charset=utf-8';
const LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64, maxNodes: 10000 };

let sharedXsd: CompiledXsd | undefined;
function requestXsd(): CompiledXsd {
  return (sharedXsd ??= compileXsd(`${CONTRACTS_DIR}envelope.xsd`));
}

/** Upper-case, no diacritics, single spaces: how OpenCPS sends names, so any form matches. */
export const nameKey = upperAscii;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

class ClientFault extends Error {}

/** What the simulator keeps of the requests it received: enough to see what a gateway sent. */
const RECEIVED_KEPT = 32;
const RECEIVED_BODY_BYTES = 16 * 1024;
interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function startNpdSimulator(
  opts: StartNpdSimulatorOptions = {},
): Promise<NpdSimulator> {
  const o = opts.options ?? {};
  const population =
    opts.population ?? generatePopulation({ seed: o.seed ?? 2025, size: o.size ?? 1000 });
  const faults = new FaultInjector(o.faults ?? {});
  const auth = o.auth;
  const validate = o.validateRequests ?? true;
  const xsd = validate ? requestXsd() : undefined;
  const writeCollection = createCollectionWriter();
  const wsdl = new PublishedWsdl(`${CONTRACTS_DIR}npd.wsdl`, '');
  const host = opts.host ?? '127.0.0.1';
  const received: Received[] = [];
  const state = { otherPersonRate: o.otherPersonRate ?? 0 };

  function send(res: ServerResponse, status: number, body: string, type = XML): void {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.end(body);
  }

  /** Direct C06 headers: Timestamp, hashed Basic credentials, ApiKey, X-Road-Client. */
  function authProblem(req: IncomingMessage): string | undefined {
    if (!auth) return undefined;
    const timestamp = header(req, 'timestamp');
    const authorization = header(req, 'authorization');
    if (!timestamp || !authorization) return 'thiếu Timestamp hoặc Authorization';
    if (!header(req, 'x-road-client')) return 'thiếu X-Road-Client';
    if (!safeEqual(header(req, 'apikey') ?? '', auth.apiKey)) return 'ApiKey không hợp lệ';
    const urls = auth.urlXacThuc
      ? [auth.urlXacThuc]
      : [`http://${header(req, 'host')}${req.url ?? '/'}`, `http://${header(req, 'host')}`];
    const ok = urls.some((u) =>
      safeEqual(authorization, c06Authorization(u, auth.username, timestamp, auth.secretKey)),
    );
    return ok ? undefined : 'Authorization không hợp lệ';
  }

  function text(op: XmlElement, name: string): string {
    return child(op, name, NPD_REQUEST_NS)?.text.trim() ?? '';
  }

  function find(op: XmlElement): SimCitizen | undefined {
    const id = text(op, 'SoDinhDanh');
    const oldId = text(op, 'SoCMND');
    if (!id && !oldId) {
      const unqualified = child(op, 'SoDinhDanh', '') ?? child(op, 'SoCMND', '');
      throw new ClientFault(
        unqualified
          ? `SoDinhDanh/SoCMND phải thuộc namespace ${NPD_REQUEST_NS}`
          : 'Thiếu SoDinhDanh hoặc SoCMND',
      );
    }
    const c = id ? population.byId.get(id) : population.byOldId.get(oldId);
    if (!c || (id && oldId && c.oldIdNumber !== oldId)) return undefined;
    const name = text(op, 'HoVaTen');
    if (name && nameKey(name) !== nameKey(c.fullName)) return undefined;
    const birth = child(op, 'NgayThangNamSinh', NPD_REQUEST_NS);
    if (birth) {
      const day = text(birth, 'NgayThangNam');
      const year = text(birth, 'Nam');
      if (day && day !== c.birthDate) return undefined;
      if (year && year !== c.birthDate.slice(0, 4)) return undefined;
    }
    return c;
  }

  /**
   * The `otherPersonRate` fault: someone else than the citizen found — the
   * next one in the population of another household, so a household answer
   * is someone else's household too — as a cross-wired relay would answer.
   */
  function otherThan(c: SimCitizen): SimCitizen {
    const list = population.citizens;
    const at = list.indexOf(c);
    for (let i = 1; i < list.length; i++) {
      const other = list[(at + i) % list.length]!;
      if (other.household.bookNumber !== c.household.bookNumber) return other;
    }
    return c; // a population of one household has nobody else to answer about
  }

  function answer(operation: NpdOperation, op: XmlElement, otherPerson = false): string {
    const found = find(op);
    if (operation === 'XacThucThongTinCongDan') return verificationReply(found !== undefined);
    const meta = { id: text(op, 'MaYeuCau'), asOf: new Date().toISOString() };
    const citizen = found && otherPerson ? otherThan(found) : found;
    let citizens: readonly SimCitizen[] = citizen ? [citizen] : [];
    if (citizen && operation === 'CungCapThongTinHoGiaDinh') {
      citizens = population.households.get(citizen.household.bookNumber) ?? [citizen];
    }
    return writeCollection(operation, citizens, meta);
  }

  /** `GET|POST /__sim/other-person`: read or set `{ "rate": 0..1 }` (otherPersonRate). */
  function otherPersonControl(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (req.method === 'POST') {
      let rate: unknown;
      try {
        rate = (JSON.parse(body.toString('utf8') || '{}') as { rate?: unknown }).rate;
      } catch {
        rate = undefined;
      }
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
        return send(
          res,
          400,
          JSON.stringify({ error: 'rate must be a number from 0 to 1' }),
          'application/json',
        );
      state.otherPersonRate = rate;
    }
    send(res, 200, JSON.stringify({ rate: state.otherPersonRate }), 'application/json');
  }

  function listCitizens(url: URL, res: ServerResponse): void {
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 1000);
    const offset = Math.max(Number(url.searchParams.get('offset') ?? 0) || 0, 0);
    const status = url.searchParams.get('status');
    const list = status
      ? population.citizens.filter((c) => c.status === status)
      : population.citizens;
    const items = list.slice(offset, offset + limit).map((c) => ({
      idNumber: c.idNumber,
      oldIdNumber: c.oldIdNumber,
      fullName: c.fullName,
      sex: c.sex,
      birthDate: c.birthDate,
      status: c.status,
      householdBookNumber: c.household.bookNumber,
      relation: c.household.relation,
    }));
    send(res, 200, JSON.stringify({ total: list.length, offset, items }), 'application/json');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, LIMITS.maxBytes);
    } catch {
      send(res, 413, providerFault('Client', 'Yêu cầu quá lớn'));
      return;
    }
    if (faults.handleControl(req, res, body)) return;
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/__sim/other-person') return otherPersonControl(req, res, body);
    if (req.method === 'GET') {
      if (url.pathname === '/__sim/citizens') return listCitizens(url, res);
      if (url.pathname === '/__sim/received')
        return send(res, 200, JSON.stringify(received), 'application/json');
      let origin: string;
      try {
        origin = requestOrigin('http', header(req, 'host') ?? host);
      } catch {
        return send(res, 400, providerFault('Client', 'Host không phải tên máy chủ'));
      }
      const base = origin + (url.pathname === '/' ? '' : url.pathname);
      if (url.searchParams.has('wsdl') || url.searchParams.has('WSDL'))
        return send(res, 200, wsdl.wsdl(base));
      const xsdName = url.searchParams.get('xsd');
      const xsdText = xsdName ? wsdl.xsd(xsdName, base) : undefined;
      if (xsdText) return send(res, 200, xsdText);
      return send(res, 404, 'GET serves ?wsdl, ?xsd=<file> and /__sim/citizens', 'text/plain');
    }
    if (req.method !== 'POST') return send(res, 405, 'POST a SOAP 1.1 envelope', 'text/plain');
    received.push({
      headers: { ...req.headers },
      body: body.subarray(0, RECEIVED_BODY_BYTES).toString('utf8'),
    });
    if (received.length > RECEIVED_KEPT) received.shift();

    const refused = authProblem(req);
    if (refused) return send(res, 401, providerFault('Client', `Xác thực thất bại: ${refused}`));

    let operation: NpdOperation | undefined;
    let op: XmlElement;
    try {
      const env = parseSoapEnvelope(body, LIMITS);
      op = env.body;
      operation = op.ns === NPD_REQUEST_NS ? npdOperation(op.name) : undefined;
      if (!operation || op.name === 'XacThucThongTinCongDan') {
        // The field's verification element carries the Request suffix.
        throw new ClientFault(
          `Thao tác {${op.ns}}${op.name} không được hỗ trợ (${NPD_OPERATIONS.join(', ')})`,
        );
      }
      xsd?.validate(body, 'LT_CONTRACT_REQUEST');
    } catch (err) {
      const why = err instanceof GatewayError ? (err.detail ?? err.code) : (err as Error).message;
      return send(res, 500, providerFault('Client', why));
    }

    const decision = await faults.decide(operation);
    if (decision === 'drop') {
      req.socket.destroy();
      return;
    }
    if (decision === 'error')
      return send(res, 500, '<html><body>Internal Server Error</body></html>', 'text/html');
    if (decision === 'fault')
      return send(res, 500, providerFault('Server', 'Lỗi hệ thống (mô phỏng)'));

    try {
      const otherPerson = state.otherPersonRate > 0 && Math.random() < state.otherPersonRate;
      const reply = answer(operation, op, otherPerson);
      send(res, 200, decision === 'garbage' ? cutOff(reply) : reply);
    } catch (err) {
      if (err instanceof ClientFault) return send(res, 500, providerFault('Client', err.message));
      throw err;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      opts.log?.error({ err }, 'npd simulator failed');
      if (!res.headersSent) send(res, 500, providerFault('Server', 'Lỗi hệ thống'));
      else res.destroy();
    });
  });

  const { url, close } = await listenSimulator(server, host, opts.port);
  opts.log?.info({ url, citizens: population.citizens.length }, 'npd simulator listening');
  return {
    url,
    population,
    faults,
    close,
    get otherPersonRate() {
      return state.otherPersonRate;
    },
    set otherPersonRate(rate: number) {
      state.otherPersonRate = rate;
    },
  };
}
