import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { GatewayError } from '../../src/message/errors.js';
import { backoffDelay } from '../../src/resilience/backoff.js';

export interface ConnectionOptions {
  readonly urls: readonly string[];
  readonly reconnect: { readonly baseMs: number; readonly maxMs: number };
  /** Publishes that may wait for the broker while it is unreachable. */
  readonly publishBuffer: number;
  /** Jitter source; injectable for tests. */
  readonly random?: () => number;
}

const HEARTBEAT_SEC = 15;

/** Run on every (re)connection, in registration order: topology, then consumers. */
export type OnUp = (conn: ChannelModel) => Promise<void>;

/** The URL as logs and /readyz may show it: no password. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'amqp://(unparseable)';
  }
}

/**
 * One connection to a RabbitMQ cluster (any of `urls`, tried in turn),
 * re-established with exponential backoff and full jitter after any loss.
 * Topology and consumers register an `onUp` and are set up again on every
 * connection; publishers wait for it in a bounded buffer (`waitUp`).
 */
export class BrokerConnection {
  private conn?: ChannelModel;
  private state: 'idle' | 'connecting' | 'up' | 'down' | 'closed' = 'idle';
  private readonly ups: OnUp[] = [];
  private readonly waiters = new Set<() => void>();
  private failures = 0;
  private urlIndex = 0;
  private timer?: NodeJS.Timeout;
  private lastError?: string;
  private connectedTo?: string;
  refs = 0;

  constructor(
    readonly opts: ConnectionOptions,
    private readonly log: Logger,
  ) {}

  /** Registers a set-up; runs it now when connected. */
  onUp(fn: OnUp): () => void {
    this.ups.push(fn);
    if (this.state === 'up' && this.conn) void fn(this.conn).catch((err) => this.setupFailed(err));
    return () => {
      const i = this.ups.indexOf(fn);
      if (i >= 0) this.ups.splice(i, 1);
    };
  }

  start(): void {
    if (this.state === 'idle') void this.connect();
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  current(): ChannelModel | undefined {
    return this.state === 'up' ? this.conn : undefined;
  }

  private async connect(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    const url = this.opts.urls[this.urlIndex % this.opts.urls.length];
    this.urlIndex++;
    try {
      const u = new URL(url);
      // Heartbeats find a dead peer behind a silent network in 2 × this many seconds.
      if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(HEARTBEAT_SEC));
      const conn = await amqp.connect(u.toString(), { timeout: 5000 });
      if (this.state !== 'connecting') {
        await conn.close().catch(() => {});
        return;
      }
      conn.on('error', (err: Error) => (this.lastError = err.message));
      conn.on('close', () => this.lost(conn));
      this.conn = conn;
      this.connectedTo = safeUrl(url);
      // A set-up registered while earlier ones run (a consumer starting while the
      // topology is declared) runs too: onUp calls at once only once the state is up.
      const ran = new Set<OnUp>();
      for (let fn: OnUp | undefined = this.ups[0]; fn; fn = this.ups.find((f) => !ran.has(f))) {
        ran.add(fn);
        await fn(conn);
      }
      this.state = 'up';
      this.failures = 0;
      this.lastError = undefined;
      this.log.info({ broker: this.connectedTo }, 'connected to the message broker');
      for (const w of [...this.waiters]) w();
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.warn(
        { broker: safeUrl(url), err: this.lastError },
        'message broker connection failed',
      );
      const c = this.conn;
      this.conn = undefined;
      await c?.close().catch(() => {});
      this.retryLater();
    }
  }

  private setupFailed(err: unknown): void {
    this.lastError = (err as Error).message;
    this.log.error({ err }, 'message broker set-up failed');
  }

  private lost(conn: ChannelModel): void {
    if (this.conn !== conn || this.state === 'closed') return;
    this.conn = undefined;
    this.log.warn(
      { broker: this.connectedTo, err: this.lastError },
      'message broker connection lost',
    );
    this.retryLater();
  }

  private retryLater(): void {
    if (this.state === 'closed') return;
    this.state = 'down';
    const { baseMs, maxMs } = this.opts.reconnect;
    const ms = Math.max(50, backoffDelay(this.failures++, baseMs, maxMs, this.opts.random));
    this.timer = setTimeout(() => void this.connect(), ms);
  }

  /**
   * Resolves once connected; waits (one of at most `publishBuffer` waiters)
   * until `deadline`: LT_QUEUE_BUFFER_FULL when the buffer is full,
   * LT_QUEUE_UNAVAILABLE when the deadline passes first.
   */
  async waitUp(deadline: number): Promise<ChannelModel> {
    const c = this.current();
    if (c) return c;
    if (this.state === 'closed')
      throw new GatewayError('LT_QUEUE_UNAVAILABLE', 'connection closed');
    if (this.waiters.size >= this.opts.publishBuffer) {
      throw new GatewayError(
        'LT_QUEUE_BUFFER_FULL',
        `${this.waiters.size} publishes already wait for the broker`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(
        () => {
          this.waiters.delete(done);
          reject(
            new GatewayError(
              'LT_QUEUE_UNAVAILABLE',
              `the message broker is unreachable (${this.lastError ?? 'connecting'})`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiters.add(done);
    });
    return this.waitUp(deadline);
  }

  /** A confirm channel on the current connection (LT_QUEUE_UNAVAILABLE when down). */
  async confirmChannel(): Promise<ConfirmChannel> {
    const c = this.current() ?? this.conn;
    if (!c) throw new GatewayError('LT_QUEUE_UNAVAILABLE', 'not connected to the message broker');
    const ch = await c.createConfirmChannel();
    ch.on('error', (err: Error) => this.log.warn({ err: err.message }, 'broker channel error'));
    return ch;
  }

  health(): { ok: boolean; detail: Record<string, unknown> } {
    return {
      ok: this.state === 'up',
      detail: {
        broker: this.state,
        url: this.connectedTo ?? safeUrl(this.opts.urls[0]),
        ...(this.lastError ? { lastError: this.lastError } : {}),
        waitingPublishes: this.waiters.size,
        failedAttempts: this.failures,
      },
    };
  }

  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.timer);
    const c = this.conn;
    this.conn = undefined;
    await c?.close().catch(() => {});
  }
}
