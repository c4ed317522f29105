import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapters } from '../../../adapters/index.js';
import {
  defineAdapter,
  type DispatchResult,
  type InboundContext,
} from '../../../src/adapter/spec.js';
import { ROOT, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import type { TestProvider } from '../../../adapters/http/simulator.js';

/**
 * A polling inbound as the VDXP mailbox will be: no HTTP, its own loop on the
 * gateway's scheduler, dispositions it would act on (ack, dead-letter,
 * leave for later). Built only from what the context hands an adapter.
 */
const inbox: { body: unknown; route: string }[] = [];
const settled: DispatchResult[] = [];
const events: string[] = [];
let seen: { http: boolean; endpoint?: string; routes?: string[]; signal?: AbortSignal } = {
  http: false,
};
let healthy = true;
let outboundHealthy = true;

const mailbox = defineAdapter({
  name: 'mailbox',
  description: 'test poller',
  inboundSchema: Type.Object(
    { adapter: Type.Literal('mailbox'), everyMs: Type.Integer({ default: 20 }) },
    { additionalProperties: false },
  ),
  endpointSchema: Type.Object({}, { additionalProperties: false }),
  outbound: () => ({
    send: () => Promise.reject(new Error('not used')),
    health: () => ({ ok: outboundHealthy, detail: { session: outboundHealthy ? 'up' : 'lost' } }),
    close: async () => {},
  }),
  inbound: {
    kind: 'background',
    group: () => 'one mailbox',
    create(routes, ctx: InboundContext) {
      seen = {
        http: 'http' in ctx,
        endpoint: ctx.endpoint('test-provider').name,
        routes: routes.map((r) => r.route.id),
        signal: ctx.shutdown,
      };
      let cancel: (() => void) | undefined;
      return {
        name: 'mailbox one',
        async start() {
          events.push('start');
          cancel = ctx.scheduler.every(routes[0].binding.everyMs, async () => {
            const next = inbox.shift();
            if (!next) return;
            // Idempotency through the shared store, as a real poller would.
            await ctx.store.ping();
            settled.push(
              await ctx.settle({
                request: { body: next.body, contentType: 'application/json', headers: {} },
                channel: 'vdxp',
                routeId: next.route,
              }),
            );
          });
        },
        async stop() {
          // HTTP is still serving when consumers and pollers are told to stop.
          events.push(
            `stop (http ready: ${gw.inbounds.find((b) => b.name.startsWith('http'))!.health().ok})`,
          );
          cancel?.();
          await ctx.store.ping();
          events.push('stopped, store still open');
        },
        health: () => ({ ok: healthy, detail: { waiting: inbox.length } }),
      };
    },
  },
});

const route = (id: string) =>
  [
    `id: ${id}`,
    'description: polled',
    'from: { adapter: mailbox, everyMs: 10 }',
    'to: { endpoint: test-provider }',
    `service: test.${id}`,
    'contract: local/connection-test',
    'auth: none',
    'signature: { require: false, signOutbound: false, signReply: false }',
    'resilience: { timeoutMs: 2000, retries: 0 }',
  ].join('\n');

let gw: TestGateway;
const dir = mkdtempSync(join(tmpdir(), 'lt-inbound-'));

beforeAll(async () => {
  writeFileSync(join(dir, 'a.yaml'), route('poll-a'));
  writeFileSync(join(dir, 'b.yaml'), route('poll-b'));
  copyFileSync(join(ROOT, 'routes/connection-test.yaml'), join(dir, 'connection-test.yaml'));
  gw = await startTestGateway(
    { routesDir: dir, endpoints: { axis: { adapter: 'mailbox', url: 'http://127.0.0.1:9' } } },
    {},
    builtinAdapters().register(mailbox),
  );
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

async function drained(): Promise<void> {
  for (let i = 0; i < 200 && inbox.length; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
}

describe('a background inbound (a poller)', () => {
  it('gets no HTTP host, the routes of its group at once, named endpoints and the shutdown signal', () => {
    expect(seen.http).toBe(false);
    expect(seen.endpoint).toBe('test-provider');
    expect(seen.routes).toEqual(['poll-a', 'poll-b']);
    expect(seen.signal?.aborted).toBe(false);
    expect(events).toEqual(['start']);
  });

  it('learns what became of each message in a form it can act on', async () => {
    inbox.push({ body: { message: 'xin chao' }, route: 'poll-a' });
    inbox.push({ body: { nope: true }, route: 'poll-b' });
    await drained();
    (gw.simulators.get('test-provider') as TestProvider).faults.set({ errorRate: 1 });
    inbox.push({ body: { message: 'again' }, route: 'poll-a' });
    await drained();
    (gw.simulators.get('test-provider') as TestProvider).faults.set({ errorRate: 0 });
    expect(settled.map((s) => (s.kind === 'done' ? 'done' : `${s.kind} ${s.code}`))).toEqual([
      'done',
      'reject LT_CONTRACT_REQUEST',
      'retry LT_UPSTREAM_ERROR',
    ]);
    const done = settled[0];
    expect(done.kind === 'done' && done.exchange.reply?.body).toBeTruthy();
  });

  it('counts in /readyz, by name', async () => {
    const ok = await fetch(`${gw.url}/readyz`);
    const body = (await ok.json()) as {
      inbounds: Record<string, { ok: boolean; waiting: number }>;
    };
    expect(ok.status).toBe(200);
    expect(body.inbounds['mailbox one']).toEqual({ ok: true, waiting: 0 });
    expect(body.inbounds['http POST /v1/connection-test']).toEqual({ ok: true });
    healthy = false;
    const down = await fetch(`${gw.url}/readyz`);
    expect(down.status).toBe(503);
    healthy = true;
  });

  it('sums every outbound’s health too; an open breaker is shown, not counted', async () => {
    const read = async () => {
      const r = await fetch(`${gw.url}/readyz`);
      return { status: r.status, body: (await r.json()) as { endpoints: Record<string, any> } };
    };
    const up = await read();
    expect(up.status).toBe(200);
    expect(up.body.endpoints.axis).toEqual({
      adapter: 'mailbox',
      ok: true,
      session: 'up',
      breaker: 'closed',
      inFlight: 0,
    });
    outboundHealthy = false;
    const lost = await read();
    expect(lost.status).toBe(503);
    expect(lost.body.endpoints.axis).toMatchObject({ ok: false, session: 'lost' });
    outboundHealthy = true;
    expect((await read()).status).toBe(200);

    const provider = gw.simulators.get('test-provider') as TestProvider;
    provider.faults.set({ errorRate: 1 });
    for (let i = 0; i < 8; i++) inbox.push({ body: { message: `m${i}` }, route: 'poll-a' });
    await drained();
    provider.faults.set({ errorRate: 0 });
    const open = await read();
    expect(open.body.endpoints['test-provider']).toMatchObject({ ok: true, breaker: 'open' });
    expect(open.status).toBe(200);
    expect(settled.at(-1)).toMatchObject({ kind: 'retry', code: 'LT_BREAKER_OPEN' });
  });

  it('is stopped first on shutdown, while HTTP still serves and the store is open', async () => {
    await gw.stop();
    expect(seen.signal?.aborted).toBe(true);
    expect(events).toEqual(['start', 'stop (http ready: true)', 'stopped, store still open']);
  });
});
