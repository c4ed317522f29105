import { GatewayError } from '../message/errors.js';
import type { QueuedReply } from './transport.js';

/**
 * Requests waiting for their replies, by correlation id (request/reply over
 * a reply-to address). A reply nobody waits for (late, or not ours) is dropped.
 */
export class PendingReplies {
  private readonly waiting = new Map<string, (r: QueuedReply) => void>();

  /** Resolves with the reply for `correlationId`; LT_UPSTREAM_TIMEOUT at `deadline`. */
  wait(correlationId: string, deadline: number): Promise<QueuedReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.waiting.delete(correlationId);
          reject(new GatewayError('LT_UPSTREAM_TIMEOUT', 'no reply came before the deadline'));
        },
        Math.max(1, deadline - Date.now()),
      );
      this.waiting.set(correlationId, (r) => {
        clearTimeout(timer);
        this.waiting.delete(correlationId);
        resolve(r);
      });
    });
  }

  /** A reply arrived; false when nobody waits for it. */
  settle(correlationId: string | undefined, reply: QueuedReply): boolean {
    const w = correlationId === undefined ? undefined : this.waiting.get(correlationId);
    w?.(reply);
    return w !== undefined;
  }

  /** Stop waiting for a request whose publish failed. */
  cancel(correlationId: string): void {
    this.waiting.delete(correlationId);
  }
}
