import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpointProblem,
  checkpointSigner,
  signManifest,
  verifyManifest,
} from '../../../src/audit/checkpoint.js';
import { canonicalJson } from '../../../src/audit/record.js';
import { signCompact } from '../../../src/security/jws.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { TYP } from '../../../src/security/purposes.js';

/** Checkpoints and manifests are their own signature purposes (docs/signatures.md): nothing else passes for them. */
const dir = mkdtempSync(join(tmpdir(), 'lt-cp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoint and manifest signatures', () => {
  it('a checkpoint verifies; the same payload signed as a reply, or by the token key, does not', async () => {
    const keys = await KeyRing.load({ file: join(dir, 'k.json'), generateIfMissing: true });
    const payload = { writer: 'w', seq: 3, head: 'h', at: 1, final: false };
    const bytes = Buffer.from(canonicalJson(payload));
    const cp = { ...payload, jws: checkpointSigner(keys)(bytes) };
    expect(checkpointProblem(keys, cp)).toBeUndefined();
    const asReply = signCompact(bytes, { typ: TYP.reply }, keys.signer('envelope'));
    expect(checkpointProblem(keys, { ...cp, jws: asReply })).toMatch(/signature does not verify/);
    const byTokenKey = signCompact(bytes, { typ: TYP.checkpoint }, keys.signer('token'));
    expect(checkpointProblem(keys, { ...cp, jws: byTokenKey })).toMatch(
      /signature does not verify/,
    );
    expect(checkpointProblem(keys, { ...cp, seq: 4 })).toMatch(/differ from what was signed/);
    // A checkpoint is not a manifest, nor a manifest a checkpoint.
    expect(verifyManifest(keys, cp.jws).ok).toBe(false);
    const manifest = signManifest(keys, { kind: 'export' });
    expect(verifyManifest(keys, manifest)).toEqual({ ok: true, manifest: { kind: 'export' } });
    expect(checkpointProblem(keys, { ...cp, jws: manifest })).toMatch(/signature does not verify/);
  });
});
