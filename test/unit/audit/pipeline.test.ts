import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import type { AuditBackend } from '../../../src/audit/backend.js';
import { checkpointSigner } from '../../../src/audit/checkpoint.js';
import { SharingLog } from '../../../src/audit/log.js';
import { SqliteAuditBackend } from '../../../src/audit/sqlite.js';
import { subjectDigest } from '../../../src/audit/subjects.js';
import { recordExchanges, routeAuditPolicy } from '../../../src/audit/subscribe.js';
import { AuditSchema, type GatewayConfig, type RouteDef } from '../../../src/config/schema.js';
import { GatewayError } from '../../../src/message/errors.js';
import type { Message } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { PipelineHooks } from '../../../src/pipeline/hooks.js';
import { InFlight } from '../../../src/pipeline/in-flight.js';
import { countExchanges, logExchanges } from '../../../src/pipeline/observers.js';
import { compileRoute } from '../../../src/pipeline/runtime.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { codeOf } from '../../helpers/errors.js';
import { routeDef } from '../../helpers/route.js';

/**
 * The sharing log as the pipeline's end-hook subscriber (R7): one record per
 * exchange with its digests and outcome; on a required route the answer
 * waits for the record and is refused with LT_AUDIT_UNAVAILABLE when it
 * cannot be written; on a best-effort one it goes out anyway.
 */
const dir = mkdtempSync(join(tmpdir(), 'lt-audit-pipe-'));
const SUBJECT_KEY = 'test-subject-key-0123456789';
let keys: KeyRing;
let backend: SqliteAuditBackend;
let failing = false;
let audit: SharingLog;
const lines: Record<string, unknown>[] = [];

const config = {
  endpoints: { npd: { adapter: 'npd' }, echo: { adapter: 'http' } },
  audit: { ...(Value.Default(AuditSchema, {}) as object), subjectKey: SUBJECT_KEY },
} as unknown as GatewayConfig;

let providerFails: GatewayError | undefined;
const endpoint = (name: string) => ({
  name,
  adapter: 'test',
  outbound: {},
  state: () => 'closed' as const,
  call: async (msg: Message): Promise<Message> => {
    if (providerFails) throw providerFails;
    return {
      body: { echo: msg.body },
      raw: Buffer.from('{"answer":1}'),
      contentType: 'application/json',
      headers: {},
    };
  },
});

const routes: RouteDef[] = [
  routeDef({
    id: 'npd-lookup',
    auth: 'none',
    to: { endpoint: 'npd' },
    service: 'npd',
    signature: { signReply: false },
    audit: { subjects: ['/idNumber'], content: true },
  }),
  routeDef({
    id: 'echo',
    auth: 'none',
    to: { endpoint: 'echo' },
    service: 'echo',
    signature: { signReply: false },
  }),
  routeDef({
    id: 'echo-required',
    auth: 'none',
    to: { endpoint: 'echo' },
    service: 'echo',
    signature: { signReply: false },
    audit: { mode: 'required' },
  }),
];

function compiled(id: string) {
  const hooks = new PipelineHooks();
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  recordExchanges(
    hooks,
    audit,
    new Map(routes.map((r) => [r.id, routeAuditPolicy(r, config)])),
    config,
    log,
  );
  logExchanges(hooks, log);
  countExchanges(hooks, {
    forRoute: () => ({ observe() {}, inFlight() {} }),
    contractViolation() {},
  });
  const deps = {
    config,
    log,
    endpoints: new Map([
      ['npd', endpoint('npd')],
      ['echo', endpoint('echo')],
    ]),
    inFlight: new InFlight(),
    hooks,
  } as unknown as PipelineDeps;
  return compileRoute(
    routes.find((r) => r.id === id)!,
    deps,
  );
}

const request = (body: unknown): Message => {
  const raw = Buffer.from(JSON.stringify(body));
  return { body, raw, contentType: 'application/json', headers: { 'x-purpose': 'kiem-tra' } };
};

const recordOf = async (exId: string) => {
  const rows = await backend.query({});
  const row = rows.find((r) => r.id === exId);
  return row && (JSON.parse(row.body) as Record<string, any>);
};

beforeAll(async () => {
  keys = await KeyRing.load({ file: join(dir, 'keys.json'), generateIfMissing: true });
  backend = new SqliteAuditBackend(join(dir, 'audit.db'));
  await backend.init();
  const b: AuditBackend = Object.create(backend);
  b.write = async (rows, cp) => {
    if (failing) throw new GatewayError('LT_AUDIT_UNAVAILABLE', 'test: disk full');
    return backend.write(rows, cp);
  };
  b.close = async () => {};
  audit = new SharingLog(b, {
    signCheckpoint: checkpointSigner(keys),
    checkpointEveryMs: 1000,
    maxBatch: 500,
  });
});
afterAll(async () => {
  await audit.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sharing-log records from the pipeline', () => {
  it('an NPD route is required by default, others best-effort', () => {
    expect(routeAuditPolicy(routes[0], config).required).toBe(true);
    expect(routeAuditPolicy(routes[1], config).required).toBe(false);
    expect(routeAuditPolicy(routes[2], config).required).toBe(true);
  });

  it("a route's retentionDays overrides audit.retentionDays", () => {
    const day = 86_400_000;
    expect(routeAuditPolicy(routes[1], config).retentionMs).toBe(365 * day);
    const longer = routeDef({ id: 'x', to: { endpoint: 'echo' }, audit: { retentionDays: 3650 } });
    expect(routeAuditPolicy(longer, config).retentionMs).toBe(3650 * day);
  });

  it('records an answered exchange before the answer: route, service, purpose, digests, code, duration', async () => {
    const req = request({ idNumber: '001099012345', name: 'Nguyễn Văn A' });
    const ex = await compiled('npd-lookup').run({ request: req, channel: 'http', ip: '10.0.0.9' });
    // No waiting: the answer came after its record's batch.
    const rec = await recordOf(ex.id);
    expect(rec).toMatchObject({
      kind: 'exchange',
      route: 'npd-lookup',
      service: 'npd',
      channel: 'http',
      ip: '10.0.0.9',
      purpose: 'kiem-tra',
      code: 'OK',
      requestDigest: createHash('sha256').update(req.raw!).digest('base64url'),
      replyDigest: createHash('sha256').update('{"answer":1}').digest('base64url'),
    });
    expect(ex.requestDigest).toBe(rec!.requestDigest);
    expect(typeof rec!.ms).toBe('number');
    // Searchable by the citizen's keyed digest; the id itself is only in the content this route keeps.
    expect(rec!.subjects).toEqual([subjectDigest(SUBJECT_KEY, '001099012345')]);
    const found = await backend.query({ subject: subjectDigest(SUBJECT_KEY, '001099012345') });
    expect(found.map((r) => r.id)).toEqual([ex.id]);
    expect(rec!.content.request).toEqual({ idNumber: '001099012345', name: 'Nguyễn Văn A' });
  });

  it('keeps neither the content nor the citizen id on a route that does not ask for them', async () => {
    const ex = await compiled('echo-required').run({
      request: request({ idNumber: '001099012345' }),
      channel: 'amqp',
    });
    const row = (await backend.query({})).find((r) => r.id === ex.id)!;
    expect(row.body).not.toContain('001099012345');
    expect(JSON.parse(row.body).channel).toBe('amqp');
  });

  it('records a refusal inside the pipeline with its code', async () => {
    providerFails = new GatewayError('LT_UPSTREAM_TIMEOUT', 'test');
    try {
      const err = await compiled('echo-required')
        .run({ request: request({}), channel: 'http' })
        .catch((e: GatewayError) => e);
      expect((err as GatewayError).code).toBe('LT_UPSTREAM_TIMEOUT');
      const rec = await recordOf((err as GatewayError).exchangeId!);
      expect(rec).toMatchObject({ code: 'LT_UPSTREAM_TIMEOUT', kind: 'exchange' });
      expect(rec!.replyDigest).toBeUndefined();
    } finally {
      providerFails = undefined;
    }
  });

  it('refuses with LT_AUDIT_UNAVAILABLE on a required route when the record cannot be written, and logs that outcome', async () => {
    failing = true;
    try {
      lines.length = 0;
      expect(
        await codeOf(
          compiled('npd-lookup').run({
            request: request({ idNumber: '001099012345' }),
            channel: 'http',
          }),
        ),
      ).toBe('LT_AUDIT_UNAVAILABLE');
      expect(lines.find((l) => l.msg === 'exchange')).toMatchObject({
        code: 'LT_AUDIT_UNAVAILABLE',
      });
    } finally {
      failing = false;
    }
  });

  it('answers on a best-effort route when the record cannot be written', async () => {
    failing = true;
    try {
      const ex = await compiled('echo').run({ request: request({}), channel: 'http' });
      expect(ex.outcome?.code).toBe('OK');
    } finally {
      failing = false;
    }
  });
});

describe('pipeline hooks', () => {
  it('run in series; a throwing end hook replaces the outcome the later ones see', async () => {
    const hooks = new PipelineHooks();
    const seen: string[] = [];
    hooks.onExchangeEnd(async () => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push('first');
    });
    hooks.onExchangeEnd(() => {
      throw new GatewayError('LT_AUDIT_UNAVAILABLE', 'x');
    });
    hooks.onExchangeEnd((ex) => void seen.push(`third:${ex.outcome?.code}`));
    const ex = { outcome: { code: 'OK' } } as any;
    const failed = await hooks.exchangeEnded(ex);
    expect(failed?.code).toBe('LT_AUDIT_UNAVAILABLE');
    expect(seen).toEqual(['first', 'third:LT_AUDIT_UNAVAILABLE']);
  });

  it('synchronous end hooks cost no promise', () => {
    const hooks = new PipelineHooks();
    hooks.onExchangeEnd(() => {});
    expect(hooks.exchangeEnded({} as any)).toBeUndefined();
  });

  it('refusal hooks see pre-route refusals and never throw into the answer', () => {
    const hooks = new PipelineHooks();
    const got: string[] = [];
    hooks.onRefusal(() => {
      throw new Error('subscriber bug');
    });
    hooks.onRefusal((what, err) => void got.push(`${(what as any).kind}:${err.code}`));
    hooks.refused(
      { kind: 'pre-route', at: 0, stage: 'pre-route' },
      new GatewayError('LT_ROUTE_NOT_FOUND'),
    );
    expect(got).toEqual(['pre-route:LT_ROUTE_NOT_FOUND']);
  });
});
