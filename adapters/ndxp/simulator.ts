import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import type { RunningSimulator } from '../../src/adapter/spec.js';
import { httpExchange, type HttpAnswer } from '../../src/adapter/http-exchange.js';
import { GatewayError } from '../../src/message/errors.js';
import { listenSimulator } from '../../src/simulator/listen.js';
import { FAULTS_OPTION, FaultInjector, cutOff, readBody } from '../../src/simulator/faults.js';
import {
  parseSoapEnvelope,
  serializeElement,
  soapEnvelope,
  type XmlElement,
} from '../../src/xml/index.js';
import {
  ClientIdString,
  DEFAULT_HASH_ALGORITHM,
  formatClientId,
  formatServiceId,
  H,
  parseClientId,
  parseRestPath,
  readXRoadHeader,
  requestHashOf,
  restClientOf,
  sameClient,
  xroadErrorBody,
  xroadSoapFault,
  XROAD_ID_NS,
  XROAD_NS,
  type XRoadClientId,
  type XRoadHeader,
  type XRoadServiceId,
} from '../../src/xroad/index.js';

/**
 * A security server on this machine (PRODUCT, like the NPD simulator): it
 * routes X-Road requests, SOAP and REST, between the members and services
 * configured here, enforces its access rights (a client not allowed on a
 * service gets the security server's own fault), answers the discovery
 * metaservices and injects faults. What a real one adds (signing, mTLS,
 * timestamps, the evidence log) is not simulated; what a caller sees is.
 *
 *   POST /                          SOAP (protocol 4.0); metaservices listMethods, allowedMethods
 *   ANY  /r1/{service id}[/path]    REST; GET /r1/{provider}/listMethods, /allowedMethods
 *   GET  /listClients               members and subsystems (XML; JSON with Accept: application/json)
 *   GET  /wsdl?xRoadInstance=…&serviceCode=…   a SOAP service's WSDL (getWsdl)
 *   GET|POST /__sim/faults          read / replace the faults
 */
const ServiceSchema = Type.Object(
  {
    provider: ClientIdString('The subsystem publishing the services'),
    url: Type.Optional(
      Type.String({ description: 'Where the provider\u2019s information system listens' }),
    ),
    simulator: Type.Optional(
      Type.String({ description: 'A simulator started before this one, instead of url' }),
    ),
    path: Type.String({
      default: '',
      description:
        'Path on the provider (SOAP: the service path; REST: prefixed to the service\u2019s path)',
    }),
    profile: Type.Union([Type.Literal('soap'), Type.Literal('rest')], {
      default: 'soap',
      description: 'The provider speaks SOAP or REST',
    }),
    codes: Type.Array(Type.String({ pattern: "^[A-Za-z0-9'()+,\\-.=?]+$" }), {
      minItems: 1,
      description: 'Service codes published (listMethods)',
    }),
    allowed: Type.Array(Type.String(), {
      default: [],
      description:
        'Clients allowed on every service (INSTANCE/CLASS/MEMBER[/SUBSYSTEM]; "*" any client here)',
    }),
    copyHeaders: Type.Boolean({
      default: false,
      description:
        'SOAP: the provider does not speak X-Road (the NPD simulator), so the security server copies the request headers into its answer',
    }),
  },
  { additionalProperties: false },
);

export const NdxpSimulatorSchema = Type.Object(
  {
    clients: Type.Array(ClientIdString('A client registered on this security server'), {
      default: [],
      description:
        'Members and subsystems that may send through this security server (listClients)',
    }),
    services: Type.Array(ServiceSchema, {
      default: [],
      description: 'Providers and their services',
    }),
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 30000,
      description: 'How long the provider may take (Server.ServerProxy.NetworkError after)',
    }),
    faults: Type.Optional(FAULTS_OPTION),
  },
  { additionalProperties: false },
);
export type NdxpSimulatorOptions = Static<typeof NdxpSimulatorSchema>;

export interface NdxpSimulator extends RunningSimulator {
  readonly faults: FaultInjector;
}

type ServiceOptions = Static<typeof ServiceSchema>;

export interface StartNdxpSimulatorOptions {
  host?: string;
  port?: number;
  /** As under `simulators[].options`, defaults filled in here for callers in code. */
  options?: Partial<Omit<NdxpSimulatorOptions, 'services'>> & {
    services?: (Partial<ServiceOptions> & Pick<ServiceOptions, 'provider' | 'codes'>)[];
  };
  simulatorUrl?: (name: string) => string | undefined;
  log?: Logger;
}

const XML = 'text/xml; charset=utf-8';
const LIMITS = { maxBytes: 10 * 1024 * 1024, maxDepth: 64, maxNodes: 100000 };

/** A failure the security server answers with its own fault (SOAP) or X-Road-Error (REST). */
class XRoadFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 500,
  ) {
    super(message);
  }
}

interface Published {
  readonly provider: XRoadClientId;
  readonly profile: 'soap' | 'rest';
  readonly codes: ReadonlySet<string>;
  readonly allowed: readonly string[];
  readonly copyHeaders: boolean;
  readonly origin: string;
  readonly path: string;
  readonly pool: Pool;
}

function serviceIds(p: Published): XRoadServiceId[] {
  return [...p.codes].map((serviceCode) => ({
    ...p.provider,
    subsystemCode: p.provider.subsystemCode!,
    serviceCode,
  }));
}

function idXml(id: XRoadClientId, type: string, tag: string): string {
  const s = id as Partial<XRoadServiceId>;
  return (
    `<${tag} id:objectType="${type}"><id:xRoadInstance>${id.instance}</id:xRoadInstance><id:memberClass>${id.memberClass}</id:memberClass>` +
    `<id:memberCode>${id.memberCode}</id:memberCode>` +
    (id.subsystemCode ? `<id:subsystemCode>${id.subsystemCode}</id:subsystemCode>` : '') +
    (s.serviceCode ? `<id:serviceCode>${s.serviceCode}</id:serviceCode>` : '') +
    `</${tag}>`
  );
}

function idJson(id: XRoadClientId, type: string): Record<string, string> {
  const s = id as Partial<XRoadServiceId>;
  return {
    object_type: type,
    xroad_instance: id.instance,
    member_class: id.memberClass,
    member_code: id.memberCode,
    ...(id.subsystemCode ? { subsystem_code: id.subsystemCode } : {}),
    ...(s.serviceCode ? { service_code: s.serviceCode } : {}),
  };
}

/** Only identifier characters reach these writers (the identifiers were checked), so nothing needs escaping. */
const NS_DECL = `xmlns:xrd="${XROAD_NS}" xmlns:id="${XROAD_ID_NS}"`;

export async function startNdxpSimulator(
  opts: StartNdxpSimulatorOptions = {},
): Promise<NdxpSimulator> {
  const o = opts.options ?? {};
  const faults = new FaultInjector(o.faults ?? {});
  const timeoutMs = o.timeoutMs ?? 30000;
  const clients = (o.clients ?? []).map((c) => parseClientId(c, 'LT_CONFIG_INVALID'));
  const published: Published[] = [];
  for (const s of o.services ?? []) {
    const provider = parseClientId(s.provider, 'LT_CONFIG_INVALID');
    if (!provider.subsystemCode)
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `ndxp simulator: provider ${s.provider} must be a subsystem`,
      );
    const base = s.url ?? (s.simulator ? opts.simulatorUrl?.(s.simulator) : undefined);
    if (!base)
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `ndxp simulator: provider ${s.provider} needs url or a simulator started before it`,
      );
    const u = new URL(base);
    published.push({
      provider,
      profile: s.profile ?? 'soap',
      codes: new Set(s.codes),
      allowed: s.allowed ?? [],
      copyHeaders: s.copyHeaders ?? false,
      origin: u.origin,
      path: u.pathname.replace(/\/$/, '') + (s.path ?? '') || '/',
      pool: new Pool(u.origin, { connections: 64 }),
    });
  }
  const registered = (c: XRoadClientId) => clients.some((k) => sameClient(k, c));
  const allowedOn = (p: Published, c: XRoadClientId) => {
    const id = formatClientId(c);
    return p.allowed.some((a) => a === '*' || a === id);
  };

  /** Client registered here, provider and service known, client allowed: else the security server's fault. */
  function admit(client: XRoadClientId, service: XRoadServiceId, meta: boolean): Published {
    if (!registered(client))
      throw new XRoadFault(
        'Server.ClientProxy.UnknownMember',
        `Client ${formatClientId(client)} is not registered at this security server`,
      );
    const provider = formatClientId(service);
    const mine = published.filter((q) => formatClientId(q.provider) === provider);
    // A metaservice names the provider only; it lists every profile's services.
    const p = meta
      ? mine[0] && { ...mine[0], codes: new Set(mine.flatMap((q) => [...q.codes])) }
      : mine.find((q) => q.codes.has(service.serviceCode));
    if (!p)
      throw new XRoadFault(
        'Server.ServerProxy.UnknownService',
        `Unknown service: SERVICE:${formatServiceId(service)}`,
      );
    if (!meta && !allowedOn(p, client))
      throw new XRoadFault(
        'Server.ServerProxy.AccessDenied',
        `Request is not allowed: SERVICE:${formatServiceId(service)}`,
      );
    return p;
  }

  async function call(
    p: Published,
    init: {
      method: 'GET' | 'POST' | 'PUT';
      path: string;
      headers: Record<string, string>;
      body?: Buffer;
    },
  ): Promise<HttpAnswer> {
    try {
      return await httpExchange(p.pool, {
        ...init,
        signal: AbortSignal.timeout(timeoutMs),
        maxBytes: LIMITS.maxBytes,
        endpoint: formatClientId(p.provider),
      });
    } catch (err) {
      const why =
        err instanceof GatewayError && err.code === 'LT_UPSTREAM_TIMEOUT'
          ? 'timed out'
          : 'could not be reached';
      throw new XRoadFault('Server.ServerProxy.NetworkError', `The service provider ${why}`);
    }
  }

  /** Waits any injected latency; then a fault the injector decided, as the security server answers it. */
  async function injected(
    code: string,
    res: ServerResponse,
    req: IncomingMessage,
    soap: boolean,
  ): Promise<'garbage' | 'none' | 'answered'> {
    const d = await faults.decide(code);
    if (d === 'drop') {
      req.socket.destroy();
      return 'answered';
    }
    if (d === 'error') {
      res.statusCode = 500;
      res.setHeader('content-type', 'text/html');
      res.end('<html><body>Internal Server Error</body></html>');
      return 'answered';
    }
    if (d === 'fault') {
      fail(
        res,
        new XRoadFault('Server.ServerProxy.ServiceFailed', 'Service failed (simulated)'),
        soap,
      );
      return 'answered';
    }
    return d === 'garbage' ? 'garbage' : 'none';
  }

  function fail(res: ServerResponse, f: XRoadFault, soap: boolean): void {
    if (res.headersSent) return void res.destroy();
    const detail = randomUUID();
    res.statusCode = f.status;
    if (soap) {
      res.setHeader('content-type', XML);
      res.end(xroadSoapFault(f.type, f.message, detail));
    } else {
      res.setHeader('content-type', 'application/json');
      res.setHeader(H.error, f.type);
      res.end(xroadErrorBody(f.type, f.message, detail));
    }
  }

  function methodsOf(
    p: Published,
    client: XRoadClientId | undefined,
    allowedOnly: boolean,
  ): XRoadServiceId[] {
    return allowedOnly && (!client || !allowedOn(p, client)) ? [] : serviceIds(p);
  }

  // ---- SOAP ----------------------------------------------------------------

  function headerFault(err: unknown): never {
    if (err instanceof GatewayError) {
      if (err.code === 'LT_XROAD_HEADER_MISSING')
        throw new XRoadFault('Client.MissingHeaderField', err.detail ?? err.code);
      if (err.code === 'LT_XROAD_HEADER_INVALID')
        throw new XRoadFault('Client.InvalidHeader', err.detail ?? err.code);
      throw new XRoadFault('Client.InvalidSoap', err.detail ?? err.code);
    }
    throw err;
  }

  /** The answer's header: the request's blocks as the provider copied them (or, for a provider that does not speak X-Road, as received), plus requestHash. */
  function answerHeader(blocks: readonly XmlElement[], request: Buffer): string {
    let out = '';
    for (const b of blocks)
      if (!(b.ns === XROAD_NS && b.name === 'requestHash')) out += serializeElement(b);
    return (
      out +
      `<xrd:requestHash xmlns:xrd="${XROAD_NS}" algorithmId="${DEFAULT_HASH_ALGORITHM}">${requestHashOf(request)}</xrd:requestHash>`
    );
  }

  function metaSoap(h: XRoadHeader, body: XmlElement): string | undefined {
    const code = h.service.serviceCode;
    if (
      body.ns !== XROAD_NS ||
      (code !== 'listMethods' && code !== 'allowedMethods') ||
      body.name !== code
    )
      return undefined;
    const p = admit(h.client, h.service, true);
    const items = methodsOf(p, h.client, code === 'allowedMethods')
      .map((s) => idXml(s, 'SERVICE', 'xrd:service'))
      .join('');
    return `<xrd:${code}Response ${NS_DECL}>${items}</xrd:${code}Response>`;
  }

  async function soap(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    let env;
    let h: XRoadHeader;
    try {
      env = parseSoapEnvelope(body, LIMITS);
      h = readXRoadHeader(env.header);
    } catch (err) {
      headerFault(err);
    }
    const meta = metaSoap(h, env.body);
    if (meta !== undefined) {
      res.setHeader('content-type', XML);
      res.end(soapEnvelope(meta, answerHeader(env.header!.children, body)));
      return;
    }
    const p = admit(h.client, h.service, false);
    if (p.profile !== 'soap')
      throw new XRoadFault(
        'Server.ServerProxy.ServiceType',
        `SERVICE:${formatServiceId(h.service)} is a REST service`,
      );
    const inject = await injected(h.service.serviceCode, res, req, true);
    if (inject === 'answered') return;
    const answer = await call(p, {
      method: 'POST',
      path: p.path,
      headers: { 'content-type': req.headers['content-type'] ?? XML, soapaction: '""' },
      body,
    });
    let reply;
    try {
      reply = parseSoapEnvelope(answer.body, LIMITS);
    } catch {
      throw new XRoadFault(
        'Server.ServerProxy.InvalidSoap',
        'The service provider answered with a malformed SOAP message',
      );
    }
    if (reply.fault) {
      // A provider's own fault travels back unchanged.
      res.statusCode = 500;
      res.setHeader('content-type', XML);
      res.end(answer.body);
      return;
    }
    let blocks: readonly XmlElement[];
    if (p.copyHeaders) blocks = env.header!.children;
    else {
      let got: XRoadHeader;
      try {
        got = readXRoadHeader(reply.header);
      } catch {
        throw new XRoadFault(
          'Server.ServerProxy.InconsistentResponse',
          'The provider\u2019s response has no usable X-Road headers',
        );
      }
      if (
        got.id !== h.id ||
        !sameClient(got.client, h.client) ||
        formatServiceId(got.service) !== formatServiceId(h.service)
      )
        throw new XRoadFault(
          'Server.ServerProxy.InconsistentResponse',
          'The provider\u2019s response headers are not the request\u2019s',
        );
      blocks = reply.header!.children;
    }
    const out = soapEnvelope(serializeElement(reply.body), answerHeader(blocks, body));
    res.setHeader('content-type', XML);
    res.end(inject === 'garbage' ? cutOff(out) : out);
  }

  // ---- REST ----------------------------------------------------------------

  async function rest(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers))
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let client: XRoadClientId;
    let target: ReturnType<typeof parseRestPath>;
    try {
      client = restClientOf(headers);
      target = parseRestPath(req.url ?? '/');
    } catch (err) {
      if (err instanceof GatewayError) {
        // /r1/{provider}/listMethods names a subsystem and a metaservice: five parts like a service.
        throw new XRoadFault(
          err.code === 'LT_XROAD_HEADER_MISSING'
            ? 'Client.MissingHeaderField'
            : 'Client.InvalidHeader',
          err.detail ?? err.code,
          400,
        );
      }
      throw err;
    }
    const { service } = target;
    const code = service.serviceCode;
    if (
      (code === 'listMethods' || code === 'allowedMethods') &&
      target.rest === '' &&
      req.method === 'GET'
    ) {
      const p = admit(client, service, true);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          service: methodsOf(p, client, code === 'allowedMethods').map((s) => idJson(s, 'SERVICE')),
        }),
      );
      return;
    }
    const p = admit(client, service, false);
    if (p.profile !== 'rest')
      throw new XRoadFault(
        'Server.ServerProxy.ServiceType',
        `SERVICE:${formatServiceId(service)} is a SOAP service`,
        500,
      );
    const inject = await injected(code, res, req, false);
    if (inject === 'answered') return;
    const id = headers[H.id] || randomUUID();
    const method = req.method === 'GET' || req.method === 'PUT' ? req.method : 'POST';
    const answer = await call(p, {
      method,
      path: (p.path === '/' ? '' : p.path) + target.rest || '/',
      headers: {
        [H.client]: formatClientId(client),
        [H.service]: formatServiceId(service),
        [H.id]: id,
        ...(headers[H.userId] ? { [H.userId]: headers[H.userId]! } : {}),
        ...(headers[H.issue] ? { [H.issue]: headers[H.issue]! } : {}),
        ...(headers['content-type'] ? { 'content-type': headers['content-type'] } : {}),
      },
      body: method === 'GET' ? undefined : body,
    });
    res.statusCode = answer.status;
    const type = answer.headers['content-type'];
    if (type) res.setHeader('content-type', String(type));
    const error = answer.headers[H.error];
    if (error) res.setHeader(H.error, String(error));
    res.setHeader(H.client, formatClientId(client));
    res.setHeader(H.service, formatServiceId(service));
    res.setHeader(H.id, id);
    res.setHeader(H.requestId, randomUUID());
    // This simulator's digest of what it received (a real server hashes the signed request; no client recomputes it).
    res.setHeader(H.requestHash, requestHashOf(body));
    res.end(inject === 'garbage' ? answer.body.subarray(0, answer.body.length >> 1) : answer.body);
  }

  // ---- discovery -----------------------------------------------------------

  function listClients(req: IncomingMessage, res: ServerResponse): void {
    const all = [...clients, ...published.map((p) => p.provider)];
    const seen = new Set<string>();
    const uniq = all.filter((c) => !seen.has(formatClientId(c)) && seen.add(formatClientId(c)));
    const type = (c: XRoadClientId) => (c.subsystemCode ? 'SUBSYSTEM' : 'MEMBER');
    if (String(req.headers.accept ?? '').includes('application/json')) {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          member: uniq.map((c) => ({ id: idJson(c, type(c)), name: c.memberCode })),
        }),
      );
      return;
    }
    res.setHeader('content-type', XML);
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><xrd:clientList ${NS_DECL}>` +
        uniq
          .map(
            (c) =>
              `<xrd:member>${idXml(c, type(c), 'xrd:id')}<xrd:name>${c.memberCode}</xrd:name></xrd:member>`,
          )
          .join('') +
        `</xrd:clientList>`,
    );
  }

  async function wsdl(res: ServerResponse, url: URL): Promise<void> {
    const q = (k: string) => url.searchParams.get(k) ?? '';
    const id = [q('xRoadInstance'), q('memberClass'), q('memberCode'), q('subsystemCode')].join(
      '/',
    );
    const p = published.find(
      (s) => formatClientId(s.provider) === id && s.codes.has(q('serviceCode')),
    );
    if (!p || p.profile !== 'soap')
      throw new XRoadFault(
        'Server.ServerProxy.UnknownService',
        `Unknown service: SERVICE:${id}/${q('serviceCode')}`,
      );
    const answer = await call(p, { method: 'GET', path: `${p.path}?wsdl`, headers: {} });
    if (answer.status !== 200)
      throw new XRoadFault('Server.ServerProxy.ServiceFailed', 'The provider publishes no WSDL');
    res.setHeader('content-type', XML);
    res.end(answer.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ss');
    const isRest = url.pathname.startsWith('/r1/');
    let body: Buffer;
    try {
      body = await readBody(req, LIMITS.maxBytes);
    } catch {
      return fail(
        res,
        new XRoadFault('Client.InvalidRequest', 'Message is larger than the loggable size', 413),
        !isRest,
      );
    }
    if (faults.handleControl(req, res, body)) return;
    try {
      if (isRest) return await rest(req, res, body);
      if (req.method === 'GET' && url.pathname === '/listClients') return listClients(req, res);
      if (req.method === 'GET' && url.pathname === '/wsdl') return await wsdl(res, url);
      if (req.method === 'POST') return await soap(req, res, body);
      throw new XRoadFault(
        'Client.InvalidRequest',
        'POST a SOAP message, or use /r1/, /listClients, /wsdl',
        405,
      );
    } catch (err) {
      if (err instanceof XRoadFault) return fail(res, err, !isRest);
      throw err;
    }
  }

  const host = opts.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      opts.log?.error({ err }, 'ndxp simulator failed');
      fail(
        res,
        new XRoadFault('Server.ServerProxy.InternalError', 'Internal error'),
        !req.url?.startsWith('/r1/'),
      );
    });
  });
  const { url, close } = await listenSimulator(server, host, opts.port);
  opts.log?.info({ url, services: published.length }, 'ndxp security-server simulator listening');
  return {
    url,
    faults,
    close: async () => {
      await close();
      await Promise.all(published.map((p) => p.pool.close()));
    },
  };
}
