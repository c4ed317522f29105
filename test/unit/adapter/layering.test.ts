import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from '../../helpers/paths.js';

/**
 * The layering of docs/architecture.md, enforced by eslint.config.js's
 * no-restricted-imports: each case lints a one-line file placed where it
 * would live, exactly as `npm run lint` would.
 */
const eslint = new ESLint({ cwd: ROOT });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const x = 1;\n`, {
    filePath: join(ROOT, file),
  });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import layering (npm run lint)', () => {
  it('refuses an adapter importing the server’s wiring', async () => {
    const msgs = await restricted(
      'adapters/soap/fixture.ts',
      "import { rawBodyOf } from '../../src/server/body.js'; void rawBodyOf;",
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toContain('src/server');
  });

  it('refuses an adapter importing another adapter, or fastify', async () => {
    expect(
      await restricted(
        'adapters/soap/fixture.ts',
        "import { sendReply } from '../http/inbound.js'; void sendReply;",
      ),
    ).toHaveLength(1);
    expect(
      await restricted(
        'adapters/npd/fixture.ts',
        "import type { FastifyRequest } from 'fastify'; export type R = FastifyRequest;",
      ),
    ).toHaveLength(1);
  });

  it('lets an adapter import its own files and the shared core', async () => {
    expect(
      await restricted(
        'adapters/soap/fixture.ts',
        [
          "import { flatHeaders } from '../../src/adapter/http-host.js';",
          "import { httpExchange } from '../../src/adapter/http-exchange.js';",
          "import { PublishedWsdl } from '../../src/xml/wsdl.js';",
          "import { SoapInboundSchema } from './inbound.js';",
          'void [flatHeaders, httpExchange, PublishedWsdl, SoapInboundSchema];',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('keeps fastify and the server out of the message, pipeline and adapter contract', async () => {
    expect(
      await restricted(
        'src/pipeline/fixture.ts',
        "import type { GatewayMetrics } from '../server/metrics.js'; export type M = GatewayMetrics;",
      ),
    ).toHaveLength(1);
    // The pipeline sees only the transport-free part of the contract.
    expect(
      await restricted(
        'src/pipeline/fixture.ts',
        "import type { HttpInboundContext } from '../adapter/spec.js'; export type C = HttpInboundContext;",
      ),
    ).toHaveLength(1);
    expect(
      await restricted(
        'src/pipeline/fixture.ts',
        "import type { Outbound } from '../adapter/contract.js'; export type O = Outbound;",
      ),
    ).toEqual([]);
    expect(
      await restricted(
        'src/adapter/fixture.ts',
        "import type { FastifyInstance } from 'fastify'; export type F = FastifyInstance;",
      ),
    ).toHaveLength(1);
    expect(
      await restricted(
        'src/message/fixture.ts',
        "import type { Stage } from '../pipeline/deps.js'; export type S = Stage;",
      ),
    ).toHaveLength(1);
    // The HTTP host interface is the one place outside the server that names fastify's types.
    expect(
      await restricted(
        'src/adapter/http-host.ts',
        "import type { FastifyRequest } from 'fastify'; export type R = FastifyRequest;",
      ),
    ).toEqual([]);
  });

  it('keeps adapters out of the core (the CLI assembles them)', async () => {
    expect(
      await restricted(
        'src/config/fixture.ts',
        "import http from '../../adapters/http/index.js'; void http;",
      ),
    ).toHaveLength(1);
    expect(
      await restricted(
        'src/cli.ts',
        "import { builtinAdapters } from '../adapters/index.js'; void builtinAdapters;",
      ),
    ).toEqual([]);
  });

  it('holds for the tree as it is', async () => {
    const results = await eslint.lintFiles([
      'adapters/soap/inbound.ts',
      'adapters/http/inbound.ts',
      'adapters/npd/simulator.ts',
      'src/adapter/spec.ts',
      'src/adapter/contract.ts',
      'src/pipeline/deps.ts',
      'src/pipeline/runtime.ts',
    ]);
    expect(
      results.flatMap((r) =>
        r.messages
          .filter((m) => m.ruleId === 'no-restricted-imports')
          .map((m) => `${r.filePath}: ${m.message}`),
      ),
    ).toEqual([]);
  });
});
