// README's "A first request" commands, run as written against a gateway on a
// port of its own: they must work for the port the gateway listens on, not
// only for 8080.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.stop();
});

/** The sh blocks of one README section, in order. */
function shBlocks(section: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${section}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README', () => {
  it('"A first request" works as written with GW set to the gateway the banner names', async () => {
    const blocks = shBlocks('A first request');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(new URL(gw.url).port).not.toBe('8080');
    // One shell, so TOKEN carries from the first block to the next; each curl's answer on its own line.
    const script = blocks.join('\necho\n');
    // Asynchronously: the gateway answering curl runs in this process.
    const r = await promisify(execFile)('sh', ['-e', '-c', script], {
      env: { ...process.env, GW: gw.url },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    const answers = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers[0].ok).toBe(true);
    expect(answers[1].citizen.idNumber).toBe('052180091442');
    // The document sent through the axis is known to the status route (R1.2).
    expect(answers[2]).toMatchObject({ to: ['000.00.00.H41'], statuses: expect.any(Array) });
  });
});
