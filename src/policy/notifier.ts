import type { Logger } from 'pino';
import type { RefusalRecord } from './model.js';

/**
 * Tells the dispute authority about a refusal (R8). `notify` never blocks
 * and never throws: the refused caller has its answer already. A queue
 * target (AMQP) implements the same interface.
 */
export interface RefusalNotifier {
  notify(record: RefusalRecord): void;
  /** Waits for what is queued (or the deadline) and stops. */
  close(deadlineMs?: number): Promise<void>;
}

export const NO_NOTIFIER: RefusalNotifier = { notify() {}, async close() {} };

export interface WebhookOptions {
  url: string;
  /** Records waiting at most; beyond it the oldest are dropped (and counted in the log). */
  maxQueue: number;
  /** Attempts per record, the first included. */
  attempts: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs: number;
  timeoutMs: number;
  log: Logger;
  /** Injectable for tests. */
  fetch?: typeof fetch;
}

/**
 * HTTP POST of each refusal record as JSON to the configured URL, one at a
 * time from a bounded queue, retried with exponential backoff on a network
 * error or a non-2xx answer.
 */
export class WebhookNotifier implements RefusalNotifier {
  private readonly queue: RefusalRecord[] = [];
  private running?: Promise<void>;
  private dropped = 0;
  private closed = false;
  private readonly doFetch: typeof fetch;

  constructor(private readonly o: WebhookOptions) {
    this.doFetch = o.fetch ?? fetch;
  }

  notify(record: RefusalRecord): void {
    if (this.closed) return;
    if (this.queue.length >= this.o.maxQueue) {
      this.queue.shift();
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 100 === 0)
        this.o.log.warn({ dropped: this.dropped }, 'refusal notifications dropped: queue full');
    }
    this.queue.push(record);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    for (let r = this.queue.shift(); r; r = this.queue.shift()) await this.deliver(r);
  }

  private async deliver(record: RefusalRecord): Promise<void> {
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      try {
        const res = await this.doFetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(record),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        if (attempt === this.o.attempts)
          this.o.log.warn({ status: res.status, code: record.code }, 'refusal notification failed');
      } catch (err) {
        if (attempt === this.o.attempts)
          this.o.log.warn({ err, code: record.code }, 'refusal notification failed');
      }
      if (attempt < this.o.attempts && !this.closed)
        await new Promise((r) => setTimeout(r, this.o.backoffMs * 2 ** (attempt - 1)).unref());
    }
  }

  async close(deadlineMs = 2000): Promise<void> {
    const running = this.running;
    if (running)
      await Promise.race([running, new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    this.closed = true;
  }
}
