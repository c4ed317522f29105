import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { ROOT } from '../../helpers/paths.js';

const HASH =
  'scrypt$16384$8$1$N5bdVuTO0bNy/Z4csNWldw==$/Vi9FqV5VSo8zUgudQmkW2I3VoW5q+Hm93gkC+17sug=';
const load = (overrides: Record<string, unknown>) =>
  loadConfig({ file: join(ROOT, 'lienthong.yaml'), env: {}, overrides });
const issuesOf = (overrides: Record<string, unknown>): string[] => {
  try {
    load(overrides);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path} ${i.message}`);
    throw err;
  }
  return [];
};

// The operator's mistakes in the policy section are found when the config loads (lienthong check).
describe('policy configuration', () => {
  it('a role other than admin is a config error, not a silently powerless client', () => {
    const client = { id: 'op', secretHash: HASH, orgId: '000.00.00.G01', routes: [] };
    expect(issuesOf({ clients: [{ ...client, roles: ['admin'] }] })).toEqual([]);
    expect(issuesOf({ clients: [{ ...client, roles: ['amdin'] }] }).join('\n')).toContain('roles');
  });

  it('has its defaults, and refuses a webhook that is not http(s) or an unknown key', () => {
    expect(load({}).config.policy).toEqual({
      reloadIntervalMs: 2000,
      maxOpenDataErrorsPerOrg: 1000,
      accountSecretMaxAgeDays: 0,
    });
    expect(
      issuesOf({ policy: { disputeWebhook: { url: 'file:///etc/passwd' } } }).join('\n'),
    ).toContain('url');
    expect(issuesOf({ policy: { reloadEvery: 5 } }).join('\n')).toContain('reloadEvery');
  });
});
