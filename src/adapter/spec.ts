import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Catalogs } from '../catalogs/index.js';
import type { RouteDef } from '../config/schema.js';
import type {
  DispatchInit,
  DispatchResult,
  HealthReport,
  Outbound,
  OutboundContext,
} from './contract.js';
import type { ProtectedEndpoint } from '../pipeline/deps.js';
import type { Store } from '../store/store.js';
import type { Exchange } from '../message/index.js';
import type { HttpHost } from './http-host.js';
import type { Scheduler } from './scheduler.js';

export type {
  DispatchInit,
  DispatchResult,
  HealthReport,
  Outbound,
  OutboundContext,
} from './contract.js';

/**
 * The small contract every adapter fulfils (one folder per protocol under
 * `adapters/`). An adapter only translates between its wire format and
 * Messages: who may call, validation, signing and logging are the pipeline's.
 *
 * Each part is optional: `http` has all three, `npd` has no inbound (callers
 * reach the NPD through the soap or http facades), a pure simulator could have
 * only `simulator`. Each config schema is at once the validation, the defaults
 * and the documentation (`lienthong docs config`).
 */
export interface AdapterSpec<
  E extends TSchema = TSchema,
  I extends TSchema = TSchema,
  S extends TSchema = TSchema,
> {
  readonly name: string;
  readonly description: string;
  /** Options of an outbound endpoint (`endpoints.<name>` in the config). */
  readonly endpointSchema?: E;
  /** Options of a route's `from:` binding. */
  readonly inboundSchema?: I;
  /** Options of a simulator started by the gateway (`simulators[]`). */
  readonly simulatorSchema?: S;
  inbound?: InboundSide<Static<I>>;
  /** Problems with a binding that need the file system (e.g. a WSDL that must exist); for `lienthong check`. */
  checkBinding?(
    binding: Static<I>,
    ctx: {
      contractsDir: string;
      /** The configured endpoints' adapters, by endpoint name (a poller names the endpoint it polls). */
      endpoints?: Readonly<Record<string, string>>;
    },
  ): string[];
  /**
   * Problems with a simulator's options that need the rest of the config (a
   * simulator it routes to must start before it); for `lienthong check`.
   * Paths are relative to the options.
   */
  checkSimulator?(
    options: Static<S>,
    ctx: { readonly startedBefore: readonly string[] },
  ): { path: (string | number)[]; message: string }[];
  /** Problems with an endpoint's url and options together (e.g. a URL scheme the adapter cannot use); for `lienthong check`. */
  checkEndpoint?(options: Static<E>, url: string | undefined): string[];
  /** What a binding claims (e.g. "POST /v1/x"); two routes may not claim the same. */
  bindingKey?(binding: Static<I>): string;
  outbound?(config: Static<E>, ctx: OutboundContext): Outbound | Promise<Outbound>;
  /** The operations an endpoint with these options has, for `lienthong check`; absent: any. */
  operations?(config: Static<E>): readonly string[];
  simulator?(config: Static<S>, ctx: SimulatorContext): Promise<RunningSimulator>;
}

/** One route an inbound serves, with its `from:` binding typed by the adapter's schema. */
export interface BoundRoute<B> {
  readonly binding: B;
  readonly route: RouteDef;
}

/**
 * The routes one inbound binding serves: those whose bindings have the same
 * `group` key (several SOAP operations on one path), handed over together,
 * in route order. Never empty.
 */
export type BindingGroup<B> = readonly [BoundRoute<B>, ...BoundRoute<B>[]];

interface InboundSideBase<B> {
  /** Routes with the same key are bound by one `create`; without it each route is its own group. */
  group?(binding: B): string;
  /**
   * Every exchange it dispatches carries the caller it asserts
   * (`DispatchInit.caller`: the X-Road client its security server
   * authenticated), so its routes may use `auth: asserted`.
   */
  readonly assertsCaller?: boolean;
}

/** An inbound reached over the gateway's HTTP listener: it gets the HTTP host, and only it does. */
export interface HttpInboundSide<B> extends InboundSideBase<B> {
  readonly kind: 'http';
  create(
    routes: BindingGroup<B>,
    ctx: HttpInboundContext,
  ): InboundBinding | Promise<InboundBinding>;
}

/** An inbound that takes its own work: a queue consumer, a polling loop (the VDXP mailbox). */
export interface BackgroundInboundSide<B> extends InboundSideBase<B> {
  readonly kind: 'background';
  create(routes: BindingGroup<B>, ctx: InboundContext): InboundBinding | Promise<InboundBinding>;
}

export type InboundSide<B> = HttpInboundSide<B> | BackgroundInboundSide<B>;

/**
 * A running inbound. `create` acquires nothing that must be released (no
 * connection, no timer); `start` does, once the gateway listens, and begins
 * taking work. `stop` stops taking new work and resolves when the work it
 * took has finished or the deadline (epoch ms) has passed; it may be called
 * without `start` (a start-up that failed). An HTTP binding's routes are
 * registered at create and served by the listener, so its start and stop
 * have nothing to do.
 */
export interface InboundBinding {
  /** Names the binding in /readyz and the logs (e.g. "soap /npd"). */
  readonly name: string;
  start(): Promise<void>;
  stop(deadline: number): Promise<void>;
  health(): HealthReport;
}

/** What the gateway gives every inbound adapter. */
export interface InboundContext {
  readonly log: Logger;
  /**
   * Runs a route's pipeline; resolves with the exchange (reply set) or
   * rejects with the GatewayError the caller is to receive. For inbounds that
   * answer in their protocol (HTTP, SOAP).
   */
  dispatch(init: DispatchInit): Promise<Exchange>;
  /**
   * The same, never rejecting: what became of the message in a form a queue
   * acts on (ack; dead-letter with the code; leave for a later delivery).
   */
  settle(init: DispatchInit): Promise<DispatchResult>;
  /**
   * A configured endpoint by name, with its breaker and pool: a poller sends
   * its acknowledgements through the same credentials as the outbound.
   * LT_CONFIG_INVALID when there is no such endpoint.
   */
  endpoint(name: string): ProtectedEndpoint;
  /** Idempotency keys and leases shared by every instance. */
  readonly store: Store;
  readonly catalogs: Catalogs;
  /** Timers that stop with the gateway. */
  readonly scheduler: Scheduler;
  /** Aborted when the gateway begins to shut down. */
  readonly shutdown: AbortSignal;
  /** Absolute directory of the contracts (WSDL publishing). */
  readonly contractsDir: string;
}

/** What an HTTP inbound gets besides: the listener's routes and raw bodies. */
export interface HttpInboundContext extends InboundContext {
  readonly http: HttpHost;
  /** `server.publicUrl`: the URL callers use, when the gateway sits behind a proxy. */
  readonly publicUrl?: string;
  /** `xml.maxBytes` / `xml.maxDepth` / `xml.maxNodes`: limits of inbound XML documents. */
  readonly xmlLimits: {
    readonly maxBytes: number;
    readonly maxDepth: number;
    readonly maxNodes: number;
  };
}

export interface SimulatorContext {
  readonly log: Logger;
  /** Where to listen (from `simulators[]`); port 0 picks a free port. */
  readonly listen: { host: string; port: number };
  /** The gateway's public keys, as a provider would hold them after onboarding. */
  readonly gatewayJwks?: () => { keys: Record<string, unknown>[] };
  /** The URL of a simulator started before this one (a security server routing to the NPD simulator). */
  readonly simulatorUrl?: (name: string) => string | undefined;
}

export interface RunningSimulator {
  /** Base URL the simulator listens on. */
  readonly url: string;
  close(): Promise<void>;
}

/** Identity helper so adapter modules get their config types inferred. */
export function defineAdapter<E extends TSchema, I extends TSchema, S extends TSchema>(
  spec: AdapterSpec<E, I, S>,
): AdapterSpec<E, I, S> {
  return spec;
}
