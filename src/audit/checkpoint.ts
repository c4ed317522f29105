import type { KeyRing } from '../security/keyring.js';
import { signCompact, verifyCompact } from '../security/jws.js';
import { TYP, requireTyp } from '../security/purposes.js';
import { canonicalJson, type CheckpointRow } from './record.js';

/**
 * Checkpoints and archive manifests are signed with the key ring's envelope
 * key (the one peers already know from /.well-known/jwks.json), typed so
 * that no verifier of another purpose accepts them (docs/signatures.md).
 */
export function checkpointSigner(keys: KeyRing): (payload: Buffer) => string {
  return (payload) => signCompact(payload, { typ: TYP.checkpoint }, keys.signer('envelope'));
}

export function signManifest(keys: KeyRing, manifest: unknown): string {
  return signCompact(
    Buffer.from(canonicalJson(manifest)),
    { typ: TYP.archive },
    keys.signer('envelope'),
  );
}

/** Why a checkpoint cannot be trusted, or undefined when its signature and content hold. */
export function checkpointProblem(keys: KeyRing, cp: CheckpointRow): string | undefined {
  let payload: Record<string, unknown>;
  try {
    const v = verifyCompact(cp.jws, keys.resolver('envelope'));
    requireTyp(v.header, TYP.checkpoint);
    payload = JSON.parse(v.payload.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    return `its signature does not verify (${(err as Error).message})`;
  }
  const same =
    payload.writer === cp.writer &&
    payload.seq === cp.seq &&
    payload.head === cp.head &&
    payload.final === cp.final;
  return same ? undefined : 'its columns differ from what was signed';
}

/** The signed content of a manifest, or a reason it cannot be trusted. */
export function verifyManifest(
  keys: KeyRing,
  jws: string,
): { ok: true; manifest: Record<string, unknown> } | { ok: false; why: string } {
  try {
    const v = verifyCompact(jws, keys.resolver('envelope'));
    requireTyp(v.header, TYP.archive);
    return { ok: true, manifest: JSON.parse(v.payload.toString('utf8')) };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}
