import { performance } from 'node:perf_hooks';
import { exchangeBudgetMs, policyOf } from '../config/resilience.js';
import type { RouteDef } from '../config/schema.js';
import {
  saneRequestId,
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
import { verifySignature } from './stages/verify-signature.js';
import { validateRequest, validateResponse } from './stages/validate.js';
import { applyDefaults } from './stages/defaults.js';
import { translate } from './stages/translate.js';
import { checkCodes } from './stages/check-codes.js';
import { signOutbound, signReply } from './stages/sign.js';
import { send, verifyReply } from './stages/send.js';
import { report } from './stages/report.js';
import { project } from './stages/project.js';

/**
 * The stage order. Every route runs the same sequence; a route's options
 * decide which stages it needs, once, at start-up.
 */
export const STAGES: readonly StageFactory[] = [
  authenticate,
  authorize,
  verifySignature,
  applyDefaults,
  validateRequest,
  checkCodes,
  signOutbound,
  send,
  verifyReply,
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
  const metrics = deps.metrics.forRoute(def.id);
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
        trace: traceFrom(init.request.headers.traceparent),
        // The HTTP side put the id it echoes in the headers (src/server/request-id.ts); from
        // any other inbound only a sane one is kept: every exchange line carries it.
        requestId: saneRequestId(init.request.headers['x-request-id']),
      };
      metrics.inFlight(1);
      inFlight.enter();
      // Process-wide, unlike the gateway's count: where ES256 runs depends on the whole process's load.
      exchangeLoad.enter();
      try {
        for (const s of stages) {
          const t0 = performance.now();
          // Most stages answer synchronously; awaiting only promises spares a
          // microtask turn per such stage.
          const r = s.fn(ex);
          const saw = r instanceof Promise ? await r : r;
          ex.stages.push({ stage: s.name, ms: performance.now() - t0, saw: saw ?? undefined });
        }
        ex.outcome = { code: 'OK' };
        return ex;
      } catch (err) {
        const ge = toGatewayError(err);
        ex.outcome = { code: ge.code, detail: ge.detail };
        if (ge.code === 'LT_INTERNAL')
          log.error({ ex: ex.id, route: def.id, err }, 'internal error in pipeline');
        // What a provider said is for the operator, under the exchange id; the
        // caller's error carries only the code and the gateway's text.
        else if (typeof ge.data?.provider === 'string')
          log.warn(
            {
              ex: ex.id,
              route: def.id,
              code: ge.code,
              endpoint: ge.data.endpoint,
              status: ge.data.status,
              provider: ge.data.provider,
            },
            'provider error',
          );
        ge.exchangeId = ex.id;
        throw ge;
      } finally {
        metrics.inFlight(-1);
        inFlight.leave();
        exchangeLoad.leave();
        const ms = performance.now() - started;
        const code = ex.outcome?.code ?? 'LT_INTERNAL';
        metrics.observe(code, ms);
        log.info(
          {
            ex: ex.id,
            route: def.id,
            client: ex.caller?.clientId || undefined,
            req: ex.requestId,
            trace: ex.trace!.traceId,
            code,
            ms: Math.round(ms * 100) / 100,
          },
          'exchange',
        );
      }
    },
  };
}
