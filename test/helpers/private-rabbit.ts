import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A RabbitMQ node of a test's own (never the shared broker: other tests use
 * it): its own name, ports, data and log directories, no plugins. Starting
 * takes ~20 s here; stop_app/start_app ~2 s/~6 s.
 */
export interface PrivateRabbit {
  readonly url: string;
  readonly node: string;
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function waitPort(port: number, open: boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while ((await portOpen(port)) !== open) {
    if (Date.now() > end) throw new Error(`private RabbitMQ: ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-rabbit-'));
  const [port, dist] = [await freePort(), await freePort()];
  const node = `lt-fault-${process.pid}@localhost`;
  mkdirSync(join(dir, 'mnesia'));
  mkdirSync(join(dir, 'log'));
  writeFileSync(join(dir, 'plugins'), '[].');
  // The system config pins 5672; this node listens on its own port.
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
  // rabbitmq-server drops to the rabbitmq user when run as root: it must own its directories.
  try {
    for (const p of ['', 'mnesia', 'log', 'plugins', 'rabbitmq.conf']) {
      chownSync(join(dir, p), uidOf('rabbitmq'), gidOf('rabbitmq'));
    }
  } catch {
    // Not root: the node runs as the current user, who owns them already.
  }
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(dist),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'plugins'),
  };
  const ctl = (...args: string[]) =>
    run('rabbitmqctl', ['-n', node, ...args], { env, timeout: 60_000 });
  try {
    await run('rabbitmq-server', ['-detached'], { env, timeout: 30_000 });
    await waitPort(port, true, 60_000, `did not listen on ${port} (logs in ${dir}/log)`);
  } catch (err) {
    await ctl('stop').catch(() => {});
    throw new Error(
      `could not start a private RabbitMQ node (${(err as Error).message}); it needs rabbitmq-server installed (the shared broker is started with: rabbitmq-server -detached)`,
    );
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    node,
    async stopApp() {
      await ctl('stop_app');
      await waitPort(port, false, 30_000, 'still listening after stop_app');
    },
    async startApp() {
      await ctl('start_app');
      await waitPort(port, true, 60_000, 'not listening after start_app');
    },
    async stop() {
      await ctl('stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function passwdField(user: string, i: number): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  return Number(line.split(':')[i]);
}
const uidOf = (u: string) => passwdField(u, 2);
const gidOf = (u: string) => passwdField(u, 3);
