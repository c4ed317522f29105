import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleConfigIn } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';

// The CLI mirror of the admin API (docs/policy.md): scripted onboarding on the store directly.
const dir = mkdtempSync(join(tmpdir(), 'lt-admin-cli-'));
const config = exampleConfigIn(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const admin = (...args: string[]) => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli.ts'), '-c', config, 'admin', ...args],
    { encoding: 'utf8', cwd: ROOT, timeout: 60_000 },
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
};

describe('lienthong admin', () => {
  it('registers an organisation with who and why, lists it, and refuses with the code', async () => {
    const org = {
      id: '000.26.00.H01',
      name: 'Agency',
      level: 'provincial',
      province: '26',
      kind: 'notary',
    };
    const made = admin(
      'POST',
      '/admin/organisations',
      JSON.stringify(org),
      '--reason',
      'onboarding',
      '--who',
      'op1',
    );
    expect(made.err).toBe('');
    expect(made.status).toBe(0);
    expect(JSON.parse(made.out)).toMatchObject(org);
    const listed = admin('GET', '/admin/organisations');
    expect(JSON.parse(listed.out).items.map((o: { id: string }) => o.id)).toEqual([org.id]);
    const history = JSON.parse(admin('GET', '/admin/history?kind=organisation').out);
    expect(history.items[0]).toMatchObject({ who: 'op1', why: 'onboarding', action: 'create' });
    const again = admin('POST', '/admin/organisations', JSON.stringify(org), '--reason', 'twice');
    expect(again.status).toBe(1);
    expect(again.err).toContain('LT_POLICY_CONFLICT');
    const unreasoned = admin('POST', '/admin/organisations', JSON.stringify(org));
    expect(unreasoned.err).toContain('LT_POLICY_INPUT_INVALID');
  }, 120_000);
});
