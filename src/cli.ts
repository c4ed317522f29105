#!/usr/bin/env node
import { Command } from 'commander';
import { builtinAdapters } from '../adapters/index.js';
import { edxmlCommands } from '../adapters/vdxp/edxml/cli.js';
import { auditCommands } from './audit/cli.js';
import { dlqCommands } from '../adapters/amqp/cli.js';
import { crossCheck } from './config/check.js';
import { ConfigError, formatIssue, loadConfig, loadConfigLenient } from './config/load.js';
import { renderConfigReference } from './config/reference.js';
import { GatewayError } from './message/errors.js';
import { renderErrorsDoc } from './server/errors-doc.js';
import { KeyRing } from './security/keyring.js';
import { KEY_PURPOSES, isKeyPurpose, type KeyPurpose } from './security/purposes.js';
import { signCitizenAssertion } from './citizen/assertion.js';
import { hashSecret } from './security/secret.js';
import { startGateway } from './server/gateway.js';
import { ContractRegistry } from './validation/contracts.js';
import { xmlContractLoader } from './validation/xml.js';
import { loadCatalogs, translationSteps } from './catalogs/index.js';
import { pino } from 'pino';
import { existsSync, readFileSync } from 'node:fs';
import { simulatorOptions, startStandaloneSimulator } from './simulator/standalone.js';
import { runAdminCommand } from './admin/cli.js';

/** One living citizen of the NPD simulator, for the start banner. */
async function sampleCitizen(
  url: string,
): Promise<{ idNumber: string; fullName: string } | undefined> {
  try {
    const res = await fetch(`${url}/__sim/citizens?limit=1&status=1`);
    return ((await res.json()) as { items: { idNumber: string; fullName: string }[] }).items[0];
  } catch {
    return undefined;
  }
}

function die(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(`lienthong: configuration has ${err.issues.length} problem(s):`);
    for (const i of err.issues) console.error(`  ${formatIssue(i)}`);
  } else if (err instanceof GatewayError) {
    console.error(`lienthong: ${err.code}: ${err.detail ?? err.spec.en}`);
  } else {
    console.error('lienthong:', err);
  }
  process.exit(1);
}

/** The package's version: package.json is one level up from src/, two from dist/src/. */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const file = new URL(rel, import.meta.url);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lienthong' && pkg.version) return pkg.version;
    }
  }
  return 'unknown';
}

const program = new Command()
  .name('lienthong')
  .version(packageVersion(), '-V, --version', 'print the version')
  .description('Message gateway for Vietnamese e-government integration (NDXP/NPD, LGSP, VDXP)')
  .option('-c, --config <file>', 'config file (default: $LIENTHONG_CONFIG or ./lienthong.yaml)');

program
  .command('start')
  .description('start the gateway (and the simulators the config names)')
  .action(async () => {
    const loaded = (() => {
      try {
        return loadConfig({ file: program.opts().config });
      } catch (err) {
        return die(err);
      }
    })();
    const gw = await startGateway(loaded, { adapters: builtinAdapters() }).catch(die);
    const demo = loaded.config.clients.find((c) => c.demo);
    const lines = [
      '',
      `  lienthong is listening on ${gw.url}`,
      `  docs:      ${gw.url}/docs   (OpenAPI: ${gw.url}/openapi.json)`,
      `  health:    ${gw.url}/readyz   metrics: ${gw.url}/metrics`,
      ...[...gw.simulators.entries()].map(([n, s]) => `  simulator: ${n} at ${s.url}`),
      '',
    ];
    if (demo) {
      lines.push(
        '  First request (demo client, for local trials only):',
        `    TOKEN=$(curl -s -u ${demo.id}:demo-secret -d grant_type=client_credentials ${gw.url}/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
        `    curl -s -X POST ${gw.url}/v1/connection-test -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"message":"xin chao"}'`,
        '',
      );
      const npd = loaded.config.simulators.find((s) => s.adapter === 'npd');
      const sample = npd ? await sampleCitizen(gw.simulators.get(npd.name)!.url) : undefined;
      if (sample) {
        lines.push(
          `  A citizen from the NPD simulator (generated, fake: ${sample.fullName}):`,
          `    curl -s -X POST ${gw.url}/v1/npd/citizens/lookup -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"serviceCode":"G15-TP110","officer":"canbo01","idNumber":"${sample.idNumber}"}'`,
          `  More ids: curl -s '${gw.simulators.get(npd!.name)!.url}/__sim/citizens?limit=5'`,
          '',
        );
        // Citizen self-service (R4): a demo assertion stands in for the portal's.
        if (gw.routes.get('citizen-me')?.def.citizen?.portal === 'gateway-self')
          lines.push(
            '  The same citizen reading their own record, as the portal would ask (R4):',
            `    CITIZEN=$(npx lienthong citizen assert ${sample.idNumber})`,
            `    curl -s -X POST ${gw.url}/v1/citizen/me -H "Authorization: Bearer $TOKEN" -H "X-Citizen-Assertion: $CITIZEN" -H 'Content-Type: application/json' -d '{"serviceCode":"G15-TP110"}'`,
            '',
          );
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
    stopOnSignals(gw.log, () => gw.close());
    // A crash writes what the log buffer holds, then its own line, before the process ends.
    const crash = (err: unknown) => {
      gw.log.fatal({ err }, 'crashed');
      gw.flushLog();
      process.exit(1);
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  });

/** SIGINT (Ctrl-C) or SIGTERM: log it, close, exit 0. */
function stopOnSignals(log: { info(o: object, msg: string): void }, close: () => Promise<void>) {
  let closing = false;
  const stop = async (sig: string) => {
    if (closing) return;
    closing = true;
    log.info({ sig }, 'shutting down');
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

program
  .command('simulate')
  .description(
    "run one adapter's simulator on its own, e.g. the NPD, to test your own client against it",
  )
  .argument('<adapter>', 'the adapter whose simulator runs (npd, http, ndxp, vdxp)')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('-p, --port <port>', 'port; 0 picks a free one', '0')
  .option(
    '-o, --option <key=value>',
    'a simulator option as under simulators[].options, e.g. size=5000 or faults.latencyMs=200 (repeatable)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option('--options-file <file>', 'simulator options from a YAML or JSON file')
  .action(
    async (
      adapter: string,
      o: { host: string; port: string; option: string[]; optionsFile?: string },
    ) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        die(new GatewayError('LT_CONFIG_INVALID', `--port must be 0–65535, not "${o.port}"`));
      const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { svc: 'lienthong' } });
      let sim: Awaited<ReturnType<typeof startStandaloneSimulator>>;
      try {
        sim = await startStandaloneSimulator(builtinAdapters(), {
          adapter,
          host: o.host,
          port,
          options: simulatorOptions(o.option, o.optionsFile),
          log: log.child({ sim: adapter }),
        });
      } catch (err) {
        die(err);
      }
      const lines = ['', `  ${adapter} simulator listening on ${sim.url}`];
      if (adapter === 'npd') {
        const sample = await sampleCitizen(sim.url);
        lines.push(
          `  WSDL:      ${sim.url}/npd?wsdl   (it answers SOAP on any path)`,
          `  citizens:  curl -s '${sim.url}/__sim/citizens?limit=5'`,
          ...(sample
            ? [`  e.g.       ${sample.idNumber} (generated, fake: ${sample.fullName})`]
            : []),
        );
      }
      lines.push(
        `  faults:    curl -s ${sim.url}/__sim/faults   (POST a JSON body to change them)`,
        '',
      );
      process.stdout.write(lines.join('\n') + '\n');
      stopOnSignals(log, () => sim.close());
    },
  );

program
  .command('check')
  .description(
    'validate the config, every route and contract; print each problem with file, line and path',
  )
  .action(() => {
    try {
      // Lenient: the routes are cross-checked even when the main config has errors.
      const { loaded, issues } = loadConfigLenient({ file: program.opts().config });
      if (!loaded) throw new ConfigError(issues);
      // Catalog override files are read as the gateway would (a broken one throws).
      loadCatalogs({
        overridesDir: loaded.config.catalogOverridesDir,
        ethnicityNumbering: loaded.config.ethnicityNumbering,
      });
      const steps = new Set(Object.keys(translationSteps));
      const contracts = new ContractRegistry(
        loaded.config.contractsDir,
        xmlContractLoader({ xsdWorker: false }),
      );
      issues.push(...crossCheck(loaded, builtinAdapters(), contracts, steps));
      contracts.close();
      if (issues.length) throw new ConfigError(issues);
      console.log(
        `ok: ${loaded.file ?? '(defaults)'}, ${loaded.routes.length} route(s), ${Object.keys(loaded.config.endpoints).length} endpoint(s)`,
      );
    } catch (err) {
      die(err);
    }
  });

const keys = program
  .command('keys')
  .description("manage the gateway's signing keys (purposes: token, envelope)");
async function ring(generate: boolean): Promise<KeyRing> {
  const loaded = loadConfig({ file: program.opts().config });
  return KeyRing.load({
    file: loaded.config.keys.file,
    generateIfMissing: generate,
    allowMissingPurposes: true,
  });
}
/** --purpose, checked: a key is for tokens or for envelopes, never both. */
function purposeOf(v: string | undefined): KeyPurpose | undefined {
  if (v === undefined || isKeyPurpose(v)) return v;
  return die(
    new GatewayError('LT_CONFIG_INVALID', `--purpose must be ${KEY_PURPOSES.join(' or ')}`),
  );
}
const purposeOption = `key purpose: ${KEY_PURPOSES.join(' or ')}`;
keys
  .command('generate')
  .description(
    'create the key file, or add the key of each purpose it lacks (an older file has no token key)',
  )
  .action(async () => {
    const r = await ring(true).catch(die);
    console.log(
      `key file ready, active keys: ${KEY_PURPOSES.map((p) => `${p} ${r.activeKid(p)}`).join(', ')}`,
    );
  });
keys
  .command('rotate')
  .description(
    'add a new active signing key for a purpose (both when none is given); older keys keep verifying until removed',
  )
  .option('--purpose <purpose>', purposeOption)
  .action(async (o: { purpose?: string }) => {
    const only = purposeOf(o.purpose);
    const r = await ring(false).catch(die);
    for (const p of only ? [only] : KEY_PURPOSES) {
      const kid = await r.rotate(p).catch(die);
      console.log(`new active ${p} key ${kid} (restart the gateways to sign with it)`);
    }
  });
keys
  .command('list')
  .description('list keys (active, kid, alg, purpose, created)')
  .option('--purpose <purpose>', purposeOption)
  .action(async (o: { purpose?: string }) => {
    const only = purposeOf(o.purpose);
    const r = await ring(false).catch(die);
    for (const k of r.list())
      if (!only || k.purpose === only)
        console.log(
          `${k.active ? '*' : ' '} ${k.kid}  ${k.alg}  ${k.purpose.padEnd(8)}  ${k.created}`,
        );
  });
keys
  .command('remove <kid>')
  .description('remove a retired key (not the active one of its purpose)')
  .option('--purpose <purpose>', `${purposeOption}; refuse unless the key has it`)
  .action(async (kid: string, o: { purpose?: string }) => {
    const only = purposeOf(o.purpose);
    const r = await ring(false).catch(die);
    const found = r.list().find((k) => k.kid === kid);
    if (only && found && found.purpose !== only)
      die(new GatewayError('LT_CONFIG_INVALID', `key ${kid} is a ${found.purpose} key`));
    await Promise.resolve(r.remove(kid)).catch(die);
    console.log(`removed ${kid}`);
  });

program
  .command('citizen')
  .description('citizen self-service (R4)')
  .command('assert')
  .description(
    "sign a demo citizen assertion (typ lt-citizen+jwt) with the gateway's own envelope key, for routes whose citizen.portal is gateway-self: local trials only, the portal signs real ones",
  )
  .argument('<idNumber>', "the citizen's 12-digit personal id")
  .option('--ttl <seconds>', 'lifetime', '120')
  .action(async (idNumber: string, o: { ttl: string }) => {
    if (!/^[0-9]{12}$/.test(idNumber))
      die(new GatewayError('LT_CONFIG_INVALID', 'idNumber must be the 12-digit personal id'));
    const loaded = loadConfig({ file: program.opts().config });
    const r = await ring(false).catch(die);
    try {
      const assertion = signCitizenAssertion(r.signer('envelope'), {
        portal: 'urn:lienthong:demo-portal',
        citizenId: idNumber,
        audience: loaded.config.tokens.audience,
        idp: 'vneid',
        ttlSeconds: Number(o.ttl),
      });
      console.log(assertion);
    } catch (err) {
      die(err);
    }
  });

program
  .command('secret')
  .description('hash a client secret for the config (clients[].secretHash)')
  .argument('<secret>')
  .action(async (secret: string) => {
    console.log(await hashSecret(secret));
  });

program
  .command('docs')
  .description('print generated documentation')
  .argument('<what>', 'config: the configuration reference; errors: the error codes (Markdown)')
  .action((what: string) => {
    if (what === 'config') process.stdout.write(renderConfigReference(builtinAdapters()));
    else if (what === 'errors') process.stdout.write(renderErrorsDoc());
    else
      die(new GatewayError('LT_CONFIG_INVALID', `unknown docs "${what}" (known: config, errors)`));
  });

edxmlCommands(program);
auditCommands(program);

program
  .command('admin <method> <path> [json]')
  .description(
    'run an admin API operation on the store directly, e.g. admin POST /admin/organisations \'{"id":…}\' --reason onboarding (docs/policy.md)',
  )
  .option('--reason <why>', 'why the change is made (stored with it)', '')
  .option('--who <name>', 'who makes it (stored with it)', process.env.USER ?? 'cli')
  .action(
    async (
      method: string,
      path: string,
      json: string | undefined,
      o: { reason: string; who: string },
    ) => {
      try {
        const loaded = loadConfig({ file: program.opts().config });
        let body: unknown;
        try {
          body = json === undefined ? undefined : JSON.parse(json);
        } catch {
          throw new GatewayError('LT_BAD_JSON', 'the [json] argument is not JSON');
        }
        const out = await runAdminCommand(loaded.config, method, path, body, {
          who: o.who,
          why: o.reason,
        });
        console.log(JSON.stringify(out, null, 2));
      } catch (err) {
        die(err);
      }
    },
  );
dlqCommands(program, () => loadConfig({ file: program.opts().config }).routes.map((r) => r.def));

program.parseAsync(process.argv).catch(die);
