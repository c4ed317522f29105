import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { AxisClient, ReceivedItem } from '../../../adapters/vdxp/axis/client.js';
import { buildEdxml, parseEdxml } from '../../../adapters/vdxp/edxml/index.js';
import { vdxpOutbound } from '../../../adapters/vdxp/outbound.js';
import { bindPoller, VdxpPollSchema } from '../../../adapters/vdxp/poller.js';
import type { DispatchResult, InboundContext } from '../../../src/adapter/spec.js';
import type { RouteDef } from '../../../src/config/schema.js';
import { checkSchema } from '../../../src/config/validate.js';
import { GatewayError } from '../../../src/message/errors.js';
import type { Exchange } from '../../../src/message/index.js';
import type { ProtectedEndpoint } from '../../../src/pipeline/deps.js';
import { createStore, type Store } from '../../../src/store/store.js';

// The mailbox poller's options (R1.2), against an in-memory axis and a real SQLite store
// whose clock the test moves.

const A = '000.00.00.H57';
const B = '000.00.00.H41';
const log = pino({ level: 'silent' });

/** An axis mailbox in memory: what B lists, fetches and acknowledges; what it sends. */
class FakeAxis implements Partial<AxisClient> {
  readonly files = new Map<string, Buffer>();
  readonly acks: [string, string][] = [];
  readonly sent: { to: string; messageType: string; file: Buffer }[] = [];
  add(docId: string, subject: string, attachment?: Buffer): void {
    this.files.set(
      docId,
      buildEdxml(
        {
          header: {
            From: { OrganId: A },
            To: [{ OrganId: B }],
            Subject: subject,
            DocumentId: `doc-${docId}`,
          },
          ...(attachment && {
            attachments: [
              { ContentId: 'cid:1', AttachmentName: 'a.txt', ContentType: 'text/plain' },
            ],
          }),
        },
        attachment
          ? [
              {
                info: { ContentId: 'cid:1', AttachmentName: 'a.txt', ContentType: 'text/plain' },
                content: attachment,
              },
            ]
          : [],
      ),
    );
  }
  getReceivedEdocList = async (): Promise<ReceivedItem[]> =>
    [...this.files.keys()]
      .filter((id) => !this.acks.some(([d, s]) => d === id && s !== 'processing'))
      .map((docId) => ({
        docId,
        messageType: 'edoc',
        from: A,
        to: B,
        status: 'initial',
        created_time: '',
      }));
  getEdoc = async (docId: string) => this.files.get(docId)!;
  updateStatus = async (docId: string, status: string) => {
    this.acks.push([docId, status]);
  };
  sendEdoc = async (file: Buffer, to: readonly { OrganId: string }[], messageType: string) => {
    this.sent.push({ to: to[0].OrganId, messageType, file });
    return `sent-${this.sent.length}`;
  };
  close = async () => {};
}

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function storeWithClock() {
  let offset = 0;
  const store = createStore(
    { kind: 'sqlite', path: ':memory:' },
    { now: () => Date.now() + offset },
  );
  await store.init();
  stores.push(store);
  return { store, advance: (ms: number) => void (offset += ms) };
}

type Settle = (n: number) => Promise<DispatchResult>;
const done: Settle = async () => ({ kind: 'done', exchange: {} as Exchange });
const retry: Settle = async () => ({
  kind: 'retry',
  code: 'LT_UPSTREAM_ERROR',
  error: new GatewayError('LT_UPSTREAM_ERROR', 'local system down'),
});

/** A poller over the fake axis; `poll()` runs one scheduled poll. */
function poller(
  axis: FakeAxis,
  store: Store,
  options: Record<string, unknown>,
  settle: Settle = done,
) {
  const outbound = vdxpOutbound(
    { organId: B, organName: 'B', systemId: 's', secret: 'x', maxReplyBytes: 1 << 20 },
    { name: 'axis-b', log, url: 'http://unused.invalid', store },
    axis as unknown as AxisClient,
  );
  const checked = checkSchema(VdxpPollSchema, { adapter: 'vdxp', endpoint: 'axis-b', ...options });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const tasks: (() => void | Promise<void>)[] = [];
  let settled = 0;
  const ctx = {
    log,
    store,
    settle: () => settle(++settled),
    dispatch: () => Promise.reject(new Error('unused')),
    endpoint: () => ({ outbound }) as unknown as ProtectedEndpoint,
    scheduler: {
      every: (_ms: number, task: () => void | Promise<void>) => (tasks.push(task), () => {}),
    },
    shutdown: new AbortController().signal,
    catalogs: undefined as never,
    contractsDir: '',
  } as unknown as InboundContext;
  const binding = bindPoller([{ binding: checked.value, route: { id: 'r' } as RouteDef }], ctx);
  return {
    outbound,
    settledCount: () => settled,
    async poll() {
      if (!tasks.length) await binding.start();
      await tasks[0]();
    },
  };
}

describe('the mailbox poller (R1.2)', () => {
  it('handles at most batchSize items per poll', async () => {
    const axis = new FakeAxis();
    for (const id of ['1', '2', '3']) axis.add(id, `s${id}`);
    const { store } = await storeWithClock();
    const p = poller(axis, store, { batchSize: 2 });
    await p.poll();
    expect(p.settledCount()).toBe(2);
    expect(axis.acks).toEqual([
      ['1', 'done'],
      ['2', 'done'],
    ]);
    await p.poll();
    expect(p.settledCount()).toBe(3);
  });

  it('a second poller skips an item leased by the first until leaseMs has passed', async () => {
    const axis = new FakeAxis();
    axis.add('1', 'slow');
    const { store, advance } = await storeWithClock();
    let release!: () => void;
    const hanging = new Promise<void>((r) => (release = r));
    const first = poller(axis, store, { leaseMs: 1000 }, async () => {
      await hanging;
      return done(1);
    });
    const second = poller(axis, store, { leaseMs: 1000 });
    const running = first.poll();
    await new Promise((r) => setTimeout(r, 50));
    expect(first.settledCount()).toBe(1);
    await second.poll();
    expect(second.settledCount()).toBe(0);
    advance(1001);
    await second.poll();
    expect(second.settledCount()).toBe(1);
    release();
    await running;
  });

  it('a retryable failure is retried, and after maxAttempts acknowledged fail with a status 02 to the sender', async () => {
    const axis = new FakeAxis();
    axis.add('1', 'down');
    const { store } = await storeWithClock();
    const p = poller(axis, store, { maxAttempts: 2 }, retry);
    await p.poll();
    expect(axis.acks).toEqual([]);
    await p.poll();
    expect(axis.acks).toEqual([['1', 'fail']]);
    expect(axis.sent).toHaveLength(1);
    expect(axis.sent[0]).toMatchObject({ to: A, messageType: 'status' });
    const status = parseEdxml(axis.sent[0].file).message.status!;
    expect(status).toMatchObject({ StatusCode: '02', ResponseFor: { DocumentId: 'doc-1' } });
    expect(status.Description).toMatch(/^LT_UPSTREAM_ERROR/);
    await p.poll();
    expect(p.settledCount()).toBe(2);
  });

  it('without rejectWithStatus the refusal is acknowledged fail and no status goes back', async () => {
    const axis = new FakeAxis();
    axis.add('1', 'down');
    const { store } = await storeWithClock();
    const p = poller(axis, store, { maxAttempts: 1, rejectWithStatus: false }, retry);
    await p.poll();
    expect(axis.acks).toEqual([['1', 'fail']]);
    expect(axis.sent).toHaveLength(0);
  });

  it('linked attachments are kept for attachmentTtlMs', async () => {
    const axis = new FakeAxis();
    axis.add('1', 'with attachment', Buffer.from('nội dung'));
    const { store, advance } = await storeWithClock();
    const p = poller(axis, store, { attachments: 'links', attachmentTtlMs: 60_000 });
    await p.poll();
    expect((await p.outbound.tracking.storedAttachment('1', 0))?.name).toBe('a.txt');
    advance(60_001);
    expect(await p.outbound.tracking.storedAttachment('1', 0)).toBeUndefined();
  });
});
