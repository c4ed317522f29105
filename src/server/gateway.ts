import Fastify, { type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { AdapterRegistry } from '../adapter/registry.js';
import type { InboundBinding, RunningSimulator } from '../adapter/spec.js';
import { createScheduler } from '../adapter/scheduler.js';
import { crossCheck } from '../config/check.js';
import { ConfigError, redactConfig, type LoadedConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import { compileRoute, type CompiledRoute } from '../pipeline/runtime.js';
import { InFlight } from '../pipeline/in-flight.js';
import { PipelineHooks } from '../pipeline/hooks.js';
import { countExchanges, logExchanges } from '../pipeline/observers.js';
import { openSharingLog } from '../audit/open.js';
import type { SharingLog } from '../audit/log.js';
import { recordExchanges, recordPolicyEvents, routeAuditPolicy } from '../audit/subscribe.js';
import { registerAuditMetrics } from '../audit/metrics.js';
import type { PipelineDeps, ProtectedEndpoint, Translator } from '../pipeline/deps.js';
import { ClientDirectory } from '../identity/bearer.js';
import { registeredCredential, startPolicy } from '../policy/from-config.js';
import type { PolicyService } from '../policy/service.js';
import { registerAdminRoutes } from '../admin/routes.js';
import { EnvelopeService } from '../security/envelope.js';
import { KeyRing } from '../security/keyring.js';
import type { KeyResolver } from '../security/jwk.js';
import { createStore } from '../store/index.js';
import { storeConfigOf } from '../store/from-config.js';
import type { Store } from '../store/store.js';
import { ContractRegistry } from '../validation/contracts.js';
import { xmlContractLoader } from '../validation/xml.js';
import { onXsdWorkerFailure } from '../xml/xsd-offload.js';
import { loadCatalogs, translationSteps, type Catalogs } from '../catalogs/index.js';
import { registerBodyParsers } from './body.js';
import { GatewayMetrics } from './metrics.js';
import { answerClientError, fromFastifyError, sendProblem, type ErrorRenderer } from './problem.js';
import { registerSystemRoutes } from './system-routes.js';
import { conventionHeaders, logRefusals, refusals, trackMethods } from './http-conventions.js';
import { TokenThrottle } from '../limits/token-throttle.js';
import { Limiter } from '../limits/limiter.js';
import type { RefusalStage } from './metrics.js';
import { requestIdOf } from './request-id.js';
import { protectEndpoint } from './endpoints.js';
import { resolvePeers } from './peers.js';
import { closeListener, ListenerHost } from './http-host.js';
import { createInbounds, type RunningInbound } from './inbounds.js';

export interface Gateway {
  readonly url: string;
  readonly server: FastifyInstance;
  readonly config: GatewayConfig;
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  readonly simulators: ReadonlyMap<string, RunningSimulator>;
  readonly endpoints: ReadonlyMap<string, ProtectedEndpoint>;
  readonly keys: KeyRing;
  readonly store: Store;
  /** The policy model of this instance (src/policy): its snapshot and the admin writes. */
  readonly policy: PolicyService;
  readonly catalogs: Catalogs;
  readonly log: Logger;
  /**
   * The sharing log's writer (undefined when `audit.enabled` is false):
   * `append()` records what is not an exchange (logins, logouts, admin changes).
   */
  readonly audit?: SharingLog;
  /** The named exchange hooks every route runs (src/pipeline/hooks.ts). */
  readonly hooks: PipelineHooks;
  /** Writes buffered log lines now, synchronously (crash paths). */
  flushLog(): void;
  /** Every inbound binding (HTTP paths, consumers, pollers), running. */
  readonly inbounds: readonly InboundBinding[];
  /**
   * Shuts down in the order an operator needs: stop taking new work
   * (consumers and pollers, then the HTTP routes, which answer
   * LT_SHUTTING_DOWN), let the exchanges in flight finish until the deadline
   * (default `server.shutdownDeadlineMs`), close the listener, the endpoints,
   * the simulators, the store, and flush the logs. Calling it again returns
   * the same promise.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** What routes may say about themselves in their fastify `config`. */
interface RouteConfig {
  /** `soap`: errors are SOAP faults (HTTP 500), with no WWW-Authenticate challenge. */
  protocol?: string;
  /** An inbound adapter that renders errors in its own protocol (SOAP fault, OAuth2 error). */
  renderError?: ErrorRenderer;
  /** The scheme a 401 challenges with (WWW-Authenticate); default Bearer. */
  challenge?: 'Basic' | 'Bearer';
  /** Where its refusals count in lienthong_refusals_total; default pre-route. */
  refusalStage?: RefusalStage;
}

export interface StartOptions {
  adapters: AdapterRegistry;
  /** Inject a logger (tests pass a silent one). */
  log?: Logger;
  /** Skip listening (tests that use server.inject). */
  listen?: boolean;
}

/**
 * Builds the whole gateway from a loaded config: everything that can be
 * resolved once (store, keys, catalogs, simulators, endpoints with their
 * breakers, contracts, route pipelines) is resolved here, before the port opens.
 */
export async function startGateway(loaded: LoadedConfig, opts: StartOptions): Promise<Gateway> {
  const { config } = loaded;
  // Log lines are buffered (4 KiB) rather than written one syscall each, and flushed
  // every log.flushIntervalMs (unref'd: the timer keeps nobody alive), on close and, from
  // the CLI's crash handler, on a crash: a crash loses at most that interval's lines.
  const destination = opts.log
    ? undefined
    : pino.destination({
        dest: 1,
        sync: false,
        minLength: 4096,
        periodicFlush: config.log.flushIntervalMs,
      });
  const log =
    opts.log ?? pino({ level: config.log.level, base: { svc: 'lienthong' } }, destination);
  const flushLog = () => {
    try {
      destination?.flushSync();
    } catch {
      // not open yet: nothing was written
    }
  };
  const adapters = opts.adapters;
  // Cleanups run in reverse: pushed in start-up order, they undo it from the outside in.
  const cleanups: (() => Promise<void>)[] = [];
  /** When the exchanges in flight must be over (epoch ms); set by close. */
  let deadline = 0;
  const closeAll = async () => {
    for (const c of cleanups.reverse())
      await c().catch((err) => log.warn({ err }, 'error while closing'));
    flushLog();
  };

  try {
    const catalogs = loadCatalogs({
      overridesDir: config.catalogOverridesDir,
      ethnicityNumbering: config.ethnicityNumbering,
    });
    const review = catalogs.adminUnits.consistency;
    if (review.wrongProvince.length || review.multiProvinceCommunes.length)
      log.warn(
        {
          wrongProvince: review.wrongProvince,
          multiProvinceCommunes: review.multiProvinceCommunes,
        },
        'administrative-unit data needs review: candidates outside their province are withheld',
      );
    const translators = new Map<string, Translator>(
      Object.entries(translationSteps).map(([name, make]) => [name, make(catalogs)]),
    );
    if (config.xml.xsdWorker) {
      onXsdWorkerFailure((err) =>
        log.error(
          { err },
          'XSD worker failed: validating on the event loop until a new one starts',
        ),
      );
      // The hook is process-wide: a closed gateway's logger must not stay in it.
      cleanups.push(async () => onXsdWorkerFailure(undefined));
    }
    const contracts = new ContractRegistry(config.contractsDir, xmlContractLoader(config.xml));
    cleanups.push(async () => contracts.close());
    const issues = crossCheck(loaded, adapters, contracts, new Set(translators.keys()));
    if (issues.length) throw new ConfigError(issues);

    const store = createStore(storeConfigOf(config));
    await store.init();
    cleanups.push(() => store.close());

    const keys = await KeyRing.load({
      file: config.keys.file,
      generateIfMissing: config.keys.generateIfMissing,
    });

    // Closed after the listener and the drain (cleanups run in reverse), before the store.
    const audit = await openSharingLog(config, keys, log);
    if (audit) cleanups.push(() => audit.close());

    const simulators = new Map<string, RunningSimulator>();
    for (const sim of config.simulators) {
      const spec = adapters.get(sim.adapter);
      const running = await spec.simulator!(sim.options, {
        log: log.child({ sim: sim.name }),
        listen: { host: sim.host, port: sim.port },
        gatewayJwks: () => keys.publicJwks(),
        simulatorUrl: (name) => simulators.get(name)?.url,
      });
      simulators.set(sim.name, running);
      cleanups.push(() => running.close());
      log.info({ sim: sim.name, adapter: sim.adapter, url: running.url }, 'simulator started');
    }

    const peers: Map<string, KeyResolver> = await resolvePeers(config, keys, simulators);
    const metrics = new GatewayMetrics();

    const endpoints = new Map<string, ProtectedEndpoint>();
    for (const [name, ep] of Object.entries(config.endpoints)) {
      const url = ep.url ?? simulators.get(ep.simulator!)!.url;
      const spec = adapters.get(ep.adapter);
      const outbound = await spec.outbound!(ep.options, {
        name,
        log: log.child({ endpoint: name }),
        url,
        store,
        catalogs,
      });
      const protectedEp = protectEndpoint(name, ep, outbound, metrics, log);
      endpoints.set(name, protectedEp);
      cleanups.push(() => protectedEp.close());
    }

    // Identity (who calls) reads the policy's registered clients; policy decides what they may do.
    const policy = await startPolicy(config, store, log);
    cleanups.push(() => policy.close());
    if (audit) {
      const record = recordPolicyEvents(audit, config, log);
      policy.on('session', record.session);
      policy.on('change', record.change);
    }
    const auth = new ClientDirectory(config.clients, keys, config.tokens, (id) =>
      registeredCredential(policy.snapshot, id),
    );
    const limits = new Limiter(
      config.limits,
      config.clients,
      loaded.routes.map((r) => r.def),
      store,
      log,
    );
    // Before the store closes: what this instance admitted reaches the shared quota counters.
    cleanups.push(async () => {
      limits.close();
      await limits.flush().catch(() => {});
    });
    for (const c of config.clients.filter((c) => c.demo)) {
      log.warn(
        { client: c.id, name: c.name || undefined },
        'demo client is enabled: for local trials only, remove it from the config in production',
      );
    }
    // Subscribed in this order: the sharing log first, so that a record that
    // cannot be written changes the outcome the log line and metrics report.
    const hooks = new PipelineHooks();
    if (audit) registerAuditMetrics(metrics.registry, audit);
    if (audit)
      recordExchanges(
        hooks,
        audit,
        new Map(loaded.routes.map((r) => [r.def.id, routeAuditPolicy(r.def, config)])),
        config,
        log,
      );
    logExchanges(hooks, log);
    countExchanges(hooks, metrics);
    logRefusals(hooks, log, metrics);
    const deps: PipelineDeps = {
      config,
      log,
      store,
      auth,
      policy,
      envelopes: new EnvelopeService(keys, peers, store, config.signatures.replayWindowSeconds),
      contracts,
      catalogs,
      translators,
      endpoints,
      metrics,
      inFlight: new InFlight(),
      limits,
      peers,
      hooks,
    };

    const refused = refusals(hooks);
    const server = Fastify({
      // No fastify logger: the pipeline writes one line per exchange, and refusals before it one each.
      logger: false,
      bodyLimit: config.server.bodyLimit,
      trustProxy: config.server.trustProxy,
      // While the listener closes, a request on a connection still open reaches its route,
      // which answers LT_SHUTTING_DOWN in the caller's protocol (not fastify's own 503).
      return503OnClosing: false,
      genReqId: requestIdOf,
      clientErrorHandler: (err, socket) =>
        answerClientError(err, socket, (ge, id, ip) =>
          refused.record({ id, ip }, ge, 'http-parser'),
        ),
    });
    // Closed first of all (after the drain), then endpoints, simulators, store.
    cleanups.push(() => closeListener(server, deadline));
    registerBodyParsers(server, config.server);
    const allowed = trackMethods(server);
    // Every answer names its request id, the one its log line carries.
    server.addHook('onRequest', (req, reply, done) => {
      reply.header('x-request-id', req.id);
      done();
    });
    server.setErrorHandler((err, req, reply) => {
      const ge = fromFastifyError(err as Error);
      if (ge.code === 'LT_INTERNAL') log.error({ err, req: req.id }, 'unhandled error');
      const cfg = req.routeOptions.config as RouteConfig | undefined;
      // An error with an exchange id was the pipeline's: its exchange line and counters have it.
      if (!ge.exchangeId) refused.record(req, ge, cfg?.refusalStage ?? 'pre-route');
      conventionHeaders(
        reply,
        ge,
        cfg?.protocol === 'soap' ? undefined : (cfg?.challenge ?? 'Bearer'),
      );
      return cfg?.renderError ? cfg.renderError(ge, req, reply) : sendProblem(reply, ge);
    });
    server.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      const allow = allowed(path);
      const ge = allow
        ? new GatewayError(
            'LT_METHOD_NOT_ALLOWED',
            `${req.method} is not served on ${path} (${allow})`,
          )
        : new GatewayError(
            'LT_ROUTE_NOT_FOUND',
            `${req.method} ${path} is not served here (see /docs)`,
          );
      refused.record(req, ge, 'pre-route');
      if (allow) reply.header('allow', allow);
      return sendProblem(reply, ge);
    });

    const routes = new Map<string, CompiledRoute>();
    for (const r of loaded.routes) routes.set(r.def.id, compileRoute(r.def, deps));

    const host = new ListenerHost(server);
    const shutdown = new AbortController();
    const scheduler = createScheduler(log);
    const inbounds: RunningInbound[] = await createInbounds(
      routes,
      adapters,
      {
        log,
        store,
        catalogs,
        scheduler,
        shutdown: shutdown.signal,
        contractsDir: config.contractsDir,
        endpoint: (name) => {
          const ep = endpoints.get(name);
          if (!ep) throw new GatewayError('LT_CONFIG_INVALID', `no endpoint "${name}"`);
          return ep;
        },
      },
      {
        host,
        publicUrl: config.server.publicUrl,
        xmlLimits: {
          maxBytes: config.xml.maxBytes,
          maxDepth: config.xml.maxDepth,
          maxNodes: config.xml.maxNodes,
        },
      },
    );
    /** Stops taking new work: consumers and pollers first, then the HTTP routes. */
    let stopping: Promise<void> | undefined;
    const stopInbounds = () =>
      (stopping ??= (async () => {
        shutdown.abort();
        const stop = (i: RunningInbound): Promise<void> => {
          try {
            return i.binding.stop(deadline);
          } catch (err) {
            return Promise.reject(err);
          }
        };
        const background = inbounds.filter((i) => i.kind === 'background').map(stop);
        host.drain();
        const http = inbounds.filter((i) => i.kind === 'http').map(stop);
        for (const r of await Promise.allSettled([...background, ...http]))
          if (r.status === 'rejected')
            log.warn({ err: r.reason }, 'error while stopping an inbound');
        await scheduler.stop();
      })());
    cleanups.push(stopInbounds);

    registerSystemRoutes(server, {
      config,
      routes,
      inbounds: inbounds.map((i) => i.binding),
      keys,
      auth,
      store,
      endpoints,
      metrics,
      contracts,
      simulators,
      tokenThrottle: new TokenThrottle(config.tokens.throttle),
    });

    registerAdminRoutes(server, { auth, policy });

    let url = '';
    if (opts.listen !== false) {
      url = await server.listen({ host: config.server.host, port: config.server.port });
      url = url.replace('[::1]', 'localhost');
    } else {
      await server.ready();
    }
    // Consumers and pollers begin once the gateway serves.
    for (const i of inbounds) await i.binding.start();
    log.info(
      {
        url,
        routes: routes.size,
        store: store.kind,
        // Sized by bin/thread-pool.cjs; unset means libuv's default of 4 (docs/operations.md).
        threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
        config: redactConfig({ store: config.store }),
      },
      'lienthong is listening',
    );

    let closing: Promise<void> | undefined;
    const close = (deadlineMs = config.server.shutdownDeadlineMs) =>
      (closing ??= (async () => {
        deadline = Date.now() + deadlineMs;
        await stopInbounds();
        const inFlight = deps.inFlight.count;
        if (inFlight > 0) log.info({ inFlight, deadlineMs }, 'draining');
        if (!(await deps.inFlight.idle(deadline)))
          log.warn({ inFlight: deps.inFlight.count }, 'shutdown deadline passed, exchanges cut');
        await closeAll();
      })());

    return {
      url,
      server,
      config,
      routes,
      simulators,
      endpoints,
      keys,
      store,
      policy,
      catalogs,
      log,
      audit,
      hooks,
      flushLog,
      inbounds: inbounds.map((i) => i.binding),
      close,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
