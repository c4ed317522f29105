import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type ChannelModel, type GetMessage } from 'amqplib';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ROOT } from '../helpers/paths.js';
import { NOTICE, routesDir, until } from '../helpers/queue.js';

/**
 * The consumer examples of docs/adapters/amqp.md, run as written against
 * messages the gateway published on the REAL RabbitMQ: the TypeScript one
 * with amqplib; the Python one with the real `cryptography` and a stand-in
 * for pika's connection that hands it the messages. Both must accept the
 * gateway's signature and refuse a tampered body.
 */
const URL_ = process.env.LT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = `lt-test.${process.pid}-${randomUUID().slice(0, 6)}.examples`;
const dir = mkdtempSync(join(tmpdir(), 'lt-examples-'));
let conn: ChannelModel;
let gw: TestGateway;

function block(lang: string): string {
  const doc = readFileSync(join(ROOT, 'docs/adapters/amqp.md'), 'utf8');
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc);
  if (!m) throw new Error(`no ${lang} block`);
  return m[1];
}

beforeAll(async () => {
  try {
    conn = await amqp.connect(URL_, { timeout: 5000 });
  } catch (err) {
    throw new Error(
      `RabbitMQ is not reachable at ${URL_} (${(err as Error).message}); start RabbitMQ with: rabbitmq-server -detached`,
    );
  }
  gw = await startTestGateway({
    routesDir: routesDir([
      {
        id: 'publish',
        from: { adapter: 'http', method: 'POST', path: '/t/publish' },
        to: { endpoint: 'out' },
        service: 'test.Notice',
        contract: 'local/notice',
        signature: { signOutbound: true },
      },
    ]),
    endpoints: {
      out: {
        adapter: 'amqp',
        url: URL_,
        options: { exchange: '', routingKey: queue, queues: [{ name: queue, type: 'classic' }] },
      },
    },
  });
}, 30_000);
afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (!conn) return;
  const ch = await conn.createChannel();
  await ch.deleteQueue(queue).catch(() => {});
  await conn.close();
});

async function publishNotice(i: number): Promise<string> {
  const res = await fetch(`${gw.url}/t/publish`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await demoToken(gw.url)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(NOTICE(i)),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { messageId: string }).messageId;
}

describe('docs/adapters/amqp.md consumer examples', () => {
  it('Python (pika): verifies the gateway’s signature with /jwks, refuses a tampered body', async () => {
    const id = await publishNotice(1);
    const ch = await conn.createChannel();
    let m: GetMessage | false = false;
    await until('the published message', async () =>
      Boolean((m = await ch.get(queue, { noAck: true }))),
    );
    await ch.close();
    const got = m as unknown as GetMessage;
    const headers = Object.fromEntries(
      Object.entries(got.properties.headers ?? {}).map(([k, v]) => [
        k,
        Buffer.isBuffer(v) ? v.toString() : v,
      ]),
    );
    const tampered = Buffer.from(got.content.toString().replace('Thông báo', 'Thong bao'));
    const messages = [
      { id, headers, body: got.content.toString('base64') },
      {
        id: `${id}-t`,
        headers: { ...headers, 'cloudEvents:id': `${id}-t` },
        body: tampered.toString('base64'),
      },
    ];
    mkdirStub(dir);
    writeFileSync(join(dir, 'consumer.py'), block('python'));
    const r = await promisify(execFile)('python3', [join(dir, 'consumer.py')], {
      env: {
        ...process.env,
        GATEWAY: gw.url,
        PYTHONPATH: join(dir, 'stub'),
        STUB_MESSAGES: JSON.stringify(messages),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stdout).toContain(`notice ${id}`);
    expect(r.stdout).toMatch(new RegExp(`refused ${id}-t`));
    expect(r.stdout.match(/^ACK$/gm)).toHaveLength(1);
    expect(r.stdout.match(/^NACK$/gm)).toHaveLength(1);
  });

  it('TypeScript (amqplib): consumes, verifies and prints the notice once', async () => {
    const id = await publishNotice(2);
    // Inside the checkout, so the script resolves amqplib from node_modules.
    mkdirSync(join(ROOT, 'var'), { recursive: true });
    writeFileSync(join(ROOT, 'var', `consumer-${process.pid}.ts`), block('ts'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'var', `consumer-${process.pid}.ts`)],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', GATEWAY: gw.url, AMQP_URL: URL_, QUEUE: queue },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until('the consumer’s line', () => out.includes(`notice ${id}`), 20_000).catch(() => {
        throw new Error(out);
      });
      expect(out).not.toContain('refused');
    } finally {
      child.kill('SIGTERM');
      rmSync(join(ROOT, 'var', `consumer-${process.pid}.ts`), { force: true });
    }
  });
});

/** A stand-in for pika: a connection whose channel hands over STUB_MESSAGES and prints ACK / NACK. */
function mkdirStub(base: string): void {
  const stub = join(base, 'stub');
  rmSync(stub, { recursive: true, force: true });
  mkdirSync(stub, { recursive: true });
  writeFileSync(
    join(stub, 'pika.py'),
    `import base64, json, os
class URLParameters:
    def __init__(self, url): self.url = url
class _Method:
    delivery_tag = 1
class _Props:
    def __init__(self, d):
        self.headers = d["headers"]
        self.message_id = d["id"]
class _Channel:
    def basic_qos(self, **kw): pass
    def basic_consume(self, queue, on_message_callback): self.cb = on_message_callback
    def basic_ack(self, tag): print("ACK")
    def basic_nack(self, tag, requeue=True): print("NACK")
    def start_consuming(self):
        for d in json.loads(os.environ["STUB_MESSAGES"]):
            self.cb(self, _Method(), _Props(d), base64.b64decode(d["body"]))
class BlockingConnection:
    def __init__(self, params): pass
    def channel(self): return _Channel()
`,
  );
}
