import type { TraceContext } from './trace.js';
import type { ErrorCode } from './errors.js';

/**
 * A Message is what moves: a body (already decoded by the inbound adapter, or
 * still raw for pass-through), its content type and protocol headers. Adapters
 * translate between their wire format and Messages; nothing else does.
 */
export interface Message {
  /** Decoded body: a JSON value, or for XML the parsed tree (see src/xml). */
  body: unknown;
  /** The body as it crossed the wire, when it matters (signatures, digests). */
  raw?: Buffer;
  contentType: string;
  headers: Record<string, string>;
  /** Protocol-level operation, when the wire has one (SOAP operation, VDXP op). */
  operation?: string;
  /** A reply's status when it is not plain success: 202 for a message a queue accepted. */
  status?: 202;
}

/** Who is calling, once the authenticate stage has decided. */
export interface Caller {
  clientId: string;
  /** National organisation id, `000.00.00.H00` form. */
  orgId: string;
  /** Routes the caller may use (config clients; the policy issue replaces this). */
  routes: ReadonlySet<string> | 'all';
  /** Officer account, when the protocol carries one (MaCanBo). */
  officer?: string;
  ip?: string;
}

export type Channel = 'http' | 'soap' | 'amqp' | 'vdxp';

/** What one stage recorded, for logs and the connection-test report. */
export interface StageRecord {
  stage: string;
  ms: number;
  saw?: Record<string, unknown>;
}

/**
 * One request/reply through one route. Created by the inbound adapter, filled
 * in by the pipeline stages, rendered back by the inbound adapter.
 */
export interface Exchange {
  readonly id: string;
  readonly routeId: string;
  readonly channel: Channel;
  readonly receivedAt: number;
  /** Client address as the inbound adapter saw it (R7.2). */
  readonly ip?: string;
  request: Message;
  /** What goes to the provider, once translated (defaults to the request). */
  outbound?: Message;
  /** The provider's reply, then the caller's reply after projection. */
  reply?: Message;
  caller?: Caller;
  /** Per-stage timings and observations, in order. */
  stages: StageRecord[];
  outcome?: { code: ErrorCode | 'OK'; detail?: string };
  /**
   * When the exchange must be over (epoch ms). The provider call, its retries
   * and backoff stop there (src/resilience/protected-call.ts); an outbound
   * adapter gets the attempt's AbortSignal, which carries it.
   */
  readonly deadline: number;
  /**
   * W3C Trace Context of this exchange (src/message/trace.ts): the caller's
   * trace id, and this hop's span, which outbound adapters send as
   * `traceparent`. Set by the pipeline; absent in exchanges built by hand.
   */
  readonly trace?: TraceContext;
  /** The request id the gateway logs and echoes in `x-request-id` (src/server/request-id.ts). */
  readonly requestId?: string;
  /** Scratch space for stages that must hand something on (e.g. request digest). */
  attrs: Record<string, unknown>;
}
