import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Catalogs } from '../catalogs/index.js';
import type {
  Disposition,
  ErrorCode,
  Exchange,
  GatewayError,
  Message,
  Channel,
  Caller,
} from '../message/index.js';

/**
 * The part of the adapter contract the pipeline sees: what a dispatch takes
 * and returns, what an outbound is, what a running part reports. Free of any
 * transport and server library (the lint rules keep src/pipeline to this
 * file); src/adapter/spec.ts builds the whole contract on it.
 */

/** What a running part reports to /readyz. */
export interface HealthReport {
  readonly ok: boolean;
  /** Shown under the part's name in /readyz (connection state, lag, …). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The outcome `settle` reports: `done` with the exchange, or the disposition of the failure. */
export type DispatchResult =
  | { readonly kind: 'done'; readonly exchange: Exchange }
  | (Disposition & {
      readonly kind: 'reject' | 'retry';
      readonly code: ErrorCode;
      readonly error: GatewayError;
    });

export interface DispatchInit {
  request: Message;
  channel: Channel;
  ip?: string;
  /**
   * Who calls, when the inbound's transport already established it (the
   * X-Road client id a security server asserts) and the route has `auth: none`.
   */
  caller?: Caller;
  /** The route to run; inbound adapters binding several routes on one path choose it. */
  routeId?: string;
}

/** A provider as the pipeline sees it. */
export interface Outbound {
  /**
   * Serialises the message for the wire (sets `raw` and `contentType`) so the
   * sign stage can sign exactly the bytes that are sent. Optional: adapters
   * that own their wire envelope (SOAP, NPD) encode in `send`.
   */
  encode?(msg: Message, ex: Exchange): void;
  send(msg: Message, ex: Exchange, signal: AbortSignal): Promise<Message>;
  /** Whether re-sending this message is safe (retries are only for idempotent operations). */
  idempotent?(msg: Message): boolean;
  /**
   * Request fields the endpoint fills when a JSON request leaves them out
   * (its documented defaults, e.g. the NPD's serviceCode); applied by the
   * pipeline before the request is validated.
   */
  requestDefaults?(operation: string | undefined): Readonly<Record<string, unknown>> | undefined;
  /** Whether the endpoint can take calls (pool open, credentials obtainable); /readyz sums it. */
  health?(): HealthReport;
  close(): Promise<void>;
}

export interface OutboundContext {
  readonly name: string;
  readonly log: Logger;
  /** Resolved base URL of the endpoint (simulator references already resolved). */
  readonly url: string;
  /** The gateway's store, for outbounds that keep state shared by every instance (vdxp's document tracking). */
  readonly store?: Store;
  /**
   * The gateway's catalogs, loaded at start-up with the operator's overrides:
   * an outbound that names codes in its replies uses these, so a reply shows
   * what a check accepts. Absent only where an outbound is built without a gateway.
   */
  readonly catalogs?: Catalogs;
}
