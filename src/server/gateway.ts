import Fastify, { type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { AdapterRegistry } from '../adapter/registry.js';
import type { RunningSimulator } from '../adapter/spec.js';
import { crossCheck } from '../config/check.js';
import { ConfigError, redactConfig, type LoadedConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import { compileRoute, type CompiledRoute } from '../pipeline/runtime.js';
import type { PipelineDeps, ProtectedEndpoint, Translator } from '../pipeline/deps.js';
import { ClientDirectory } from '../policy/clients.js';
import { EnvelopeService } from '../security/envelope.js';
import { KeyRing } from '../security/keyring.js';
import type { KeyResolver } from '../security/jwk.js';
import { createStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { ContractRegistry } from '../validation/contracts.js';
import { xmlContractLoader } from '../validation/xml.js';
import { onXsdWorkerFailure } from '../xml/xsd-offload.js';
import { loadCatalogs, translationSteps, type Catalogs } from '../catalogs/index.js';
import { registerBodyParsers } from './body.js';
import { GatewayMetrics } from './metrics.js';
import { answerClientError, fromFastifyError, sendProblem, type ErrorRenderer } from './problem.js';
import { registerSystemRoutes } from './system-routes.js';
import { conventionHeaders, refusals, trackMethods } from './http-conventions.js';
import type { RefusalStage } from './metrics.js';
import { requestIdOf } from './request-id.js';
import { protectEndpoint } from './endpoints.js';
import { resolvePeers } from './peers.js';

export interface Gateway {
  readonly url: string;
  readonly server: FastifyInstance;
  readonly config: GatewayConfig;
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  readonly simulators: ReadonlyMap<string, RunningSimulator>;
  readonly endpoints: ReadonlyMap<string, ProtectedEndpoint>;
  readonly keys: KeyRing;
  readonly store: Store;
  readonly catalogs: Catalogs;
  readonly log: Logger;
  /** Writes buffered log lines now, synchronously (crash paths). */
  flushLog(): void;
  close(): Promise<void>;
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
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse())
      await c().catch((err) => log.warn({ err }, 'error while closing'));
    flushLog();
  };

  try {
    const catalogs = loadCatalogs({ overridesDir: config.catalogOverridesDir });
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
    // Closed last (cleanups run in reverse): exchanges still draining may validate.
    cleanups.push(async () => contracts.close());
    const issues = crossCheck(loaded, adapters, contracts, new Set(translators.keys()));
    if (issues.length) throw new ConfigError(issues);

    const store = createStore(
      config.store.kind === 'postgres'
        ? {
            kind: 'postgres',
            url: config.store.url ?? 'postgres://postgres@127.0.0.1:5432/test',
            schema: config.store.schema,
          }
        : { kind: 'sqlite', path: config.store.path },
    );
    await store.init();
    cleanups.push(() => store.close());

    const keys = await KeyRing.load({
      file: config.keys.file,
      generateIfMissing: config.keys.generateIfMissing,
    });

    const simulators = new Map<string, RunningSimulator>();
    for (const sim of config.simulators) {
      const spec = adapters.get(sim.adapter);
      const running = await spec.simulator!(sim.options, {
        log: log.child({ sim: sim.name }),
        listen: { host: sim.host, port: sim.port },
        gatewayJwks: () => keys.publicJwks(),
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
      });
      const protectedEp = protectEndpoint(name, ep, outbound, metrics, log);
      endpoints.set(name, protectedEp);
      cleanups.push(() => protectedEp.close());
    }

    const auth = new ClientDirectory(config.clients, keys, config.tokens);
    for (const id of auth.demoClients) {
      log.warn(
        { client: id },
        'demo client is enabled: for local trials only, remove it from the config in production',
      );
    }
    const deps: PipelineDeps = {
      config,
      log,
      store,
      auth,
      envelopes: new EnvelopeService(keys, peers, store, config.signatures.replayWindowSeconds),
      contracts,
      catalogs,
      translators,
      endpoints,
      metrics,
    };

    const refused = refusals(log, metrics);
    const server = Fastify({
      // No fastify logger: the pipeline writes one line per exchange, and refusals before it one each.
      logger: false,
      bodyLimit: config.server.bodyLimit,
      trustProxy: config.server.trustProxy,
      return503OnClosing: true,
      genReqId: requestIdOf,
      clientErrorHandler: (err, socket) =>
        answerClientError(err, socket, (ge, id, ip) =>
          refused.record({ id, ip }, ge, 'http-parser'),
        ),
    });
    cleanups.unshift(() => server.close());
    registerBodyParsers(server);
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

    const shared = new Map<string, unknown>();
    for (const route of routes.values()) {
      const spec = adapters.get(route.def.from.adapter);
      await spec.inbound!(route.def.from, route.def, {
        server,
        log,
        shared,
        contractsDir: config.contractsDir,
        publicUrl: config.server.publicUrl,
        dispatch: (init) => {
          const target = init.routeId ? routes.get(init.routeId) : route;
          if (!target) throw new GatewayError('LT_ROUTE_NOT_FOUND', `no route "${init.routeId}"`);
          return target.run(init);
        },
      });
    }

    registerSystemRoutes(server, {
      config,
      routes,
      keys,
      auth,
      store,
      endpoints,
      metrics,
      contracts,
      simulators,
    });

    let url = '';
    if (opts.listen !== false) {
      url = await server.listen({ host: config.server.host, port: config.server.port });
      url = url.replace('[::1]', 'localhost');
    } else {
      await server.ready();
    }
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

    return {
      url,
      server,
      config,
      routes,
      simulators,
      endpoints,
      keys,
      store,
      catalogs,
      log,
      flushLog,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
