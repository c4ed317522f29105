import { performance } from 'node:perf_hooks';
import { exchangeBudgetMs, policyOf } from '../config/resilience.js';
import type { RouteDef } from '../config/schema.js';
import {
  saneRequestId,
  type GatewayError,
  toGatewayError,
  traceFrom,
  uuidv7,
  type Exchange,
} from '../message/index.js';
import type { DispatchInit } from '../adapter/contract.js';
import { exchangeLoad } from '../security/offload.js';
import type { PipelineDeps, Stage, StageFactory } from './deps.js';
import { authenticate } from './stages/authenticate.js';
import { authorize } from './stages/authorize.js';
import { limit } from './stages/limit.js';
import { citizenReply, citizenRequest } from './stages/citizen.js';
import { verifySignature } from './stages/verify-signature.js';
import { validateRequest, validateResponse } from './stages/validate.js';
import { applyDefaults } from './stages/defaults.js';
import { translate } from './stages/translate.js';
import { checkCodes } from './stages/check-codes.js';
import { signOutbound, signReply } from './stages/sign.js';
import { send, verifyReply } from './stages/send.js';
import { report } from './stages/report.js';
import { PipelineHooks } from './hooks.js';
import { countExchanges, logExchanges } from './observers.js';
import { project } from './stages/project.js';

/**
 * The stage order. Every route runs the same sequence; a route's options
 * decide which stages it needs, once, at start-up.
 */
export const STAGES: readonly StageFactory[] = [
  authenticate,
  authorize,
  limit,
  citizenRequest,
  verifySignature,
  applyDefaults,
  validateRequest,
  checkCodes,
  signOutbound,
  send,
  verifyReply,
  citizenReply,
  validateResponse,
  translate,
  project,
  report,
  signReply,
];

export interface CompiledRoute {
  readonly def: RouteDef;
  readonly stageNames: readonly string[];
  run(init: DispatchInit): Promise<Exchange>;
}

/** Composes the route's stages once; `run` is the per-message path. */
export function compileRoute(def: RouteDef, deps: PipelineDeps): CompiledRoute {
  const stages: { name: string; fn: Stage }[] = [];
  for (const f of STAGES) {
    const fn = f.create(def, deps);
    if (fn) stages.push({ name: f.name, fn });
  }
  const hooks = deps.hooks ?? defaultHooks(deps);
  const log = deps.log;
  const inFlight = deps.inFlight;
  const overallMs = exchangeBudgetMs(policyOf(def, deps.endpoints));

  return {
    def,
    stageNames: stages.map((s) => s.name),
    async run(init) {
      const started = performance.now();
      const receivedAt = Date.now();
      // The exchange as a whole gets a deadline too. It reaches the provider
      // call, its retries and backoff, which take it as a number (no
      // AbortController and timer per exchange); not the other stages
      // (store, crypto, XSD worker).
      const ex: Exchange = {
        id: uuidv7(),
        routeId: def.id,
        channel: init.channel,
        receivedAt,
        request: init.request,
        stages: [],
        deadline: receivedAt + overallMs,
        attrs: {},
        ip: init.ip,
        // Set by a transport that establishes who calls (X-Road); a bearer route's authenticate replaces it.
        ...(init.caller && { caller: init.caller }),
        trace: traceFrom(init.request.headers.traceparent),
        // The HTTP side put the id it echoes in the headers (src/server/request-id.ts); from
        // any other inbound only a sane one is kept: every exchange line carries it.
        requestId: saneRequestId(init.request.headers['x-request-id']),
      };
      inFlight.enter();
      // Process-wide, unlike the gateway's count: where ES256 runs depends on the whole process's load.
      exchangeLoad.enter();
      let failure: GatewayError | undefined;
      try {
        hooks.exchangeStarted(ex);
        for (const s of stages) {
          const t0 = performance.now();
          // Most stages answer synchronously; awaiting only promises spares a
          // microtask turn per such stage.
          const r = s.fn(ex);
          const saw = r instanceof Promise ? await r : r;
          ex.stages.push({ stage: s.name, ms: performance.now() - t0, saw: saw ?? undefined });
        }
        ex.outcome = { code: 'OK' };
      } catch (err) {
        failure = toGatewayError(err);
        ex.outcome = { code: failure.code, detail: failure.detail };
        if (failure.code === 'LT_INTERNAL')
          log.error({ ex: ex.id, route: def.id, err }, 'internal error in pipeline');
        // What a provider said is for the operator, under the exchange id; the
        // caller's error carries only the code and the gateway's text.
        else if (typeof failure.data?.provider === 'string')
          log.warn(
            {
              ex: ex.id,
              route: def.id,
              code: failure.code,
              endpoint: failure.data.endpoint,
              status: failure.data.status,
              provider: failure.data.provider,
            },
            'provider error',
          );
        hooks.refused(ex, failure);
      }
      try {
        ex.durationMs = performance.now() - started;
        // The answer waits for the end hooks: the sharing log's record is
        // durable before the caller hears anything, or the caller hears why not.
        const ended = hooks.exchangeEnded(ex);
        const hookFailure = ended instanceof Promise ? await ended : ended;
        if (hookFailure) failure = hookFailure;
      } finally {
        inFlight.leave();
        exchangeLoad.leave();
      }
      if (failure) {
        failure.exchangeId = ex.id;
        throw failure;
      }
      return ex;
    },
  };
}

/**
 * Hooks for a route compiled without the gateway's (unit tests): the
 * exchange log line and the metrics, as the gateway subscribes them.
 */
function defaultHooks(deps: PipelineDeps): PipelineHooks {
  const hooks = new PipelineHooks();
  logExchanges(hooks, deps.log);
  countExchanges(hooks, deps.metrics);
  return hooks;
}
