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
  /** The caller's subsystem (X-Road member subsystem, LGSP application), when known. */
  subsystem?: string;
  ip?: string;
  /** The citizen a portal asserted (R4, citizen routes): only their own record is answered. */
  citizenId?: string;
  /** `'admin'` may use /admin. */
  roles?: readonly string[];
  /** The grant the authorize stage decided this exchange uses (src/policy). */
  grant?: CallerGrant;
}

/** What authorize resolved: the grant an exchange uses and the reply fields it allows (R11). */
export interface CallerGrant {
  id: string;
  /** `config`: a config client's `routes:` list; `model`: a grant in the policy store. */
  source: 'config' | 'model';
  connection?: string;
  /** Provider organisation of the grant's connection. */
  provider?: string;
  service: string;
  purpose?: string;
  /** Reply field paths the caller may see, or all. */
  fields: readonly string[] | 'all';
}

export type Channel = 'http' | 'soap' | 'amqp' | 'vdxp' | 'xroad';

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
  /**
   * SHA-256 (base64url) of the request bytes as the caller sent them: bound
   * into reply signatures and written to the sharing log. Computed once, on
   * first use (src/pipeline/digests.ts).
   */
  requestDigest?: string;
  /** SHA-256 (base64url) of the reply bytes the caller gets (signed, and logged). */
  replyDigest?: string;
  /** Whole-pipeline time in ms, set before the end hooks run (src/pipeline/hooks.ts). */
  durationMs?: number;
  /** Scratch space for stages that must hand something on (e.g. request digest). */
  attrs: Record<string, unknown>;
}
