import type { Logger } from 'pino';
import type { ResiliencePolicy } from '../config/resilience.js';
import type { GatewayConfig, RouteDef } from '../config/schema.js';
import type { Caller, CallerGrant, Exchange, Message } from '../message/index.js';
import type { DecisionRequest } from '../policy/snapshot.js';
import type { HealthReport, Outbound } from '../adapter/contract.js';
import type { Store } from '../store/store.js';
import type { ContractRegistry } from '../validation/contracts.js';
import type { Catalogs } from '../catalogs/index.js';
import type { InFlight } from './in-flight.js';
import type { KeyResolver } from '../security/jwk.js';
import type { PipelineHooks } from './hooks.js';

/** What a signed envelope told us about its signer. */
export interface VerifiedSignature {
  kid: string;
  jti?: string;
  iat?: number;
  header: Record<string, unknown>;
}

/** What the gateway signs: a reply to its caller, or its request to a provider (typ per kind). */
export type EnvelopeKind = 'reply' | 'outbound';

/** The request a caller's signature must name: method, path and this gateway (docs/signatures.md). */
export interface RequestBinding {
  htm: string;
  htu: string;
  aud: string;
}

/**
 * Signing and verification as the pipeline needs them; src/security/envelope.ts
 * implements it over the key ring's envelope keys and peer JWKS (wire form:
 * docs/signatures.md).
 */
export interface Envelopes {
  /** Detached JWS over `payload`, typed for `kind`, signed with the active envelope key. */
  sign(
    kind: EnvelopeKind,
    payload: Buffer,
    claims?: Record<string, unknown>,
  ): Promise<{ header: string; kid: string; jws: string }>;
  /**
   * Verifies a caller's signed request (detached header or application/jose
   * body): its typ, its binding to this request, its freshness (replays per key).
   */
  verifyRequest(msg: Message, peer: string, binding: RequestBinding): Promise<VerifiedSignature>;
  /**
   * Verifies a provider reply's detached signature against the peer's JWKS:
   * its typ, its iat window, and that it answers the request sent (`sentDigest`).
   */
  verifyReply(msg: Message, peer: string, sentDigest: string): Promise<VerifiedSignature>;
}

export interface Authenticator {
  /** Resolves the caller from the request's credentials, or throws an LT_AUTH_* error. */
  authenticate(msg: Message, ip?: string): Caller;
  /** Client id → configured JWKS peer for signed requests. */
  peerOf(clientId: string): string | undefined;
}

/** Rates and daily quotas (src/limits/limiter.ts implements it). */
export interface RequestLimits {
  /** False when nothing limits this route's callers (the limit stage is left out). */
  applies(route: RouteDef): boolean;
  /** Counts the request or throws LT_LIMIT_RATE / LT_LIMIT_QUOTA with retryAfterSeconds. */
  check(
    route: RouteDef,
    caller: Caller,
  ): Record<string, unknown> | undefined | Promise<Record<string, unknown>>;
}

/** What the authorize stage asks (src/policy/service.ts answers from its in-memory snapshot). */
export interface PolicyDecider {
  /** The grant the exchange uses, or throws the refusal (LT_POLICY_*) with its reason. */
  decide(req: DecisionRequest, exchangeId?: string): CallerGrant;
}

/** An outbound endpoint wrapped in its bulkhead, breaker, timeout and retry. */
export interface ProtectedEndpoint {
  readonly name: string;
  readonly adapter: string;
  readonly outbound: Outbound;
  readonly verifyReplyWith?: string;
  /** The endpoint's own policy; a route's overrides are merged over it (config/resilience.ts). */
  readonly resilience: ResiliencePolicy;
  call(
    msg: Message,
    ex: Exchange,
    opts: { policy: ResiliencePolicy; idempotent: boolean },
  ): Promise<Message>;
  state(): 'open' | 'halfOpen' | 'closed';
  inFlight(): number;
  /** The outbound's own health, with the breaker and in-flight count as detail. */
  health(): HealthReport;
  close(): Promise<void>;
}

/** A catalog step over the reply body; what it finds worth logging (codes that disagree) goes to `report`. */
export type Translator = (
  value: unknown,
  report?: (finding: Record<string, unknown>) => void,
) => unknown;

export interface PipelineDeps {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly store: Store;
  readonly auth: Authenticator;
  readonly policy: PolicyDecider;
  readonly envelopes: Envelopes;
  readonly contracts: ContractRegistry;
  readonly catalogs: Catalogs;
  readonly translators: ReadonlyMap<string, Translator>;
  readonly endpoints: ReadonlyMap<string, ProtectedEndpoint>;
  readonly metrics: PipelineMetrics;
  /** Every exchange running in the gateway, for the shutdown's drain. */
  readonly inFlight: InFlight;
  /** Rate limits and daily quotas; absent: none (tests that build deps by hand). */
  readonly limits?: RequestLimits;
  /** Partners' public keys by peer name (citizen routes verify the portal's assertion). */
  readonly peers?: ReadonlyMap<string, KeyResolver>;
  /**
   * Exchange start / end / refusal subscribers (log line, metrics, sharing
   * log). Without it a route gets the log line and the metrics only.
   */
  readonly hooks?: PipelineHooks;
}

/** What the pipeline reports (src/server/metrics.ts implements it with Prometheus). */
export interface PipelineMetrics {
  forRoute(route: string): {
    observe(code: string, ms: number): void;
    inFlight(delta: number): void;
  };
  contractViolation(route: string): void;
}

/** A stage is a plain function over the exchange; what it returns is what it "saw". */
export type Stage = (
  ex: Exchange,
) => void | Record<string, unknown> | Promise<void | Record<string, unknown>>;

export interface StageFactory {
  readonly name: string;
  /** Returns the stage for this route, or null when the route does not need it. */
  create(route: RouteDef, deps: PipelineDeps): Stage | null;
}
