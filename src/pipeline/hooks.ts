import type { Channel, Exchange } from '../message/index.js';
import { toGatewayError, type GatewayError } from '../message/index.js';

/**
 * A request refused before any route's pipeline ran (Node's HTTP parser,
 * fastify's body limit or media type, no such route, /token): there is no
 * Exchange, only what is known of the request.
 */
export interface PreRouteRefusal {
  readonly kind: 'pre-route';
  readonly at: number;
  /** Where it was refused: http-parser, pre-route (fastify or an inbound), token. */
  readonly stage: string;
  readonly requestId?: string;
  readonly method?: string;
  /** Without the query string: it may carry what does not belong in a log. */
  readonly path?: string;
  readonly ip?: string;
  readonly channel?: Channel;
}

/** Called in series, in the order of subscription; may be async (the pipeline waits). */
export type ExchangeHook = (ex: Exchange) => void | Promise<void>;
export type RefusalHook = (
  what: Exchange | PreRouteRefusal,
  err: GatewayError,
) => void | Promise<void>;

export function isPreRoute(what: Exchange | PreRouteRefusal): what is PreRouteRefusal {
  return (what as PreRouteRefusal).kind === 'pre-route';
}

/**
 * The named hooks of every compiled route (fastify style): what happens
 * around an exchange — its log line, its metrics, its sharing-log record —
 * subscribes here instead of being written into the pipeline.
 *
 * - `onExchangeStart(ex)`: the exchange exists, before the first stage.
 * - `onRefusal(ex | pre-route, err)`: an exchange failed (before its end
 *   hooks), or a request was refused before any route.
 * - `onExchangeEnd(ex)`: the outcome and `durationMs` are set; the caller's
 *   answer waits for these hooks. A hook that throws replaces the outcome
 *   with its error (the sharing log refuses to answer unlogged), and the
 *   hooks after it see the new outcome; every hook runs.
 *
 * Synchronous hooks cost no promise: the series only awaits what returns one.
 */
export class PipelineHooks {
  private readonly start: ExchangeHook[] = [];
  private readonly end: ExchangeHook[] = [];
  private readonly refusal: RefusalHook[] = [];

  onExchangeStart(fn: ExchangeHook): this {
    this.start.push(fn);
    return this;
  }

  onExchangeEnd(fn: ExchangeHook): this {
    this.end.push(fn);
    return this;
  }

  onRefusal(fn: RefusalHook): this {
    this.refusal.push(fn);
    return this;
  }

  /** Start hooks are synchronous bookkeeping (counters); one that throws fails the exchange. */
  exchangeStarted(ex: Exchange): void {
    for (const fn of this.start) void fn(ex);
  }

  /**
   * Runs the end hooks in series. Resolves with the error that replaced the
   * outcome, if a hook threw; the pipeline then answers with it.
   */
  exchangeEnded(ex: Exchange): GatewayError | undefined | Promise<GatewayError | undefined> {
    let failed: GatewayError | undefined;
    for (let i = 0; i < this.end.length; i++) {
      let r: void | Promise<void>;
      try {
        r = this.end[i](ex);
      } catch (err) {
        failed = this.fail(ex, err);
        continue;
      }
      if (r instanceof Promise) return this.continueEnd(ex, r, i, failed);
    }
    return failed;
  }

  private async continueEnd(
    ex: Exchange,
    pending: Promise<void>,
    at: number,
    failed: GatewayError | undefined,
  ): Promise<GatewayError | undefined> {
    try {
      await pending;
    } catch (err) {
      failed = this.fail(ex, err);
    }
    for (let i = at + 1; i < this.end.length; i++) {
      try {
        await this.end[i](ex);
      } catch (err) {
        failed = this.fail(ex, err);
      }
    }
    return failed;
  }

  private fail(ex: Exchange, err: unknown): GatewayError {
    const ge = toGatewayError(err);
    ex.outcome = { code: ge.code, detail: ge.detail };
    return ge;
  }

  /** Refusal hooks never fail the answer: a refusal is already being answered. */
  refused(what: Exchange | PreRouteRefusal, err: GatewayError): void {
    for (const fn of this.refusal) {
      try {
        const r = fn(what, err);
        if (r instanceof Promise) r.catch(() => {});
      } catch {
        // a subscriber's own failure is its to report
      }
    }
  }

  get counts(): { start: number; end: number; refusal: number } {
    return { start: this.start.length, end: this.end.length, refusal: this.refusal.length };
  }
}
