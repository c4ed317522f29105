import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Exchange, Message, Channel } from '../message/index.js';
import type { RouteDef } from '../config/schema.js';

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
  inbound?(binding: Static<I>, route: RouteDef, ctx: InboundContext): void | Promise<void>;
  /** Problems with a binding that need the file system (e.g. a WSDL that must exist); for `lienthong check`. */
  checkBinding?(binding: Static<I>, ctx: { contractsDir: string }): string[];
  /** What a binding claims (e.g. "POST /v1/x"); two routes may not claim the same. */
  bindingKey?(binding: Static<I>): string;
  outbound?(config: Static<E>, ctx: OutboundContext): Outbound | Promise<Outbound>;
  /** The operations an endpoint with these options has, for `lienthong check`; absent: any. */
  operations?(config: Static<E>): readonly string[];
  simulator?(config: Static<S>, ctx: SimulatorContext): Promise<RunningSimulator>;
}

/** What the gateway gives an inbound adapter. */
export interface InboundContext {
  readonly server: FastifyInstance;
  readonly log: Logger;
  /** Runs the route's pipeline; resolves with the exchange (reply set) or throws a GatewayError. */
  dispatch(init: DispatchInit): Promise<Exchange>;
  /** Other routes already bound by the same adapter (e.g. SOAP services sharing a path). */
  readonly shared: Map<string, unknown>;
  /** Absolute directory of the contracts (WSDL publishing). */
  readonly contractsDir: string;
  /** `server.publicUrl`: the URL callers use, when the gateway sits behind a proxy. */
  readonly publicUrl?: string;
  /** `xml.maxBytes` / `xml.maxDepth`: limits of inbound XML documents. */
  readonly xmlLimits: { readonly maxBytes: number; readonly maxDepth: number };
}

export interface DispatchInit {
  request: Message;
  channel: Channel;
  ip?: string;
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
  close(): Promise<void>;
}

export interface OutboundContext {
  readonly name: string;
  readonly log: Logger;
  /** Resolved base URL of the endpoint (simulator references already resolved). */
  readonly url: string;
}

export interface SimulatorContext {
  readonly log: Logger;
  /** Where to listen (from `simulators[]`); port 0 picks a free port. */
  readonly listen: { host: string; port: number };
  /** The gateway's public keys, as a provider would hold them after onboarding. */
  readonly gatewayJwks?: () => { keys: Record<string, unknown>[] };
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
