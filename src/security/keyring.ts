import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import jose from 'node-jose';
import { GatewayError } from '../message/errors.js';
import {
  isEs256Jwk,
  jwkThumbprint,
  privateKeyFromJwk,
  publicJwk,
  publicKeyFromJwk,
  type EcJwk,
  type Jwks,
  type KeyResolver,
  type Signer,
} from './jwk.js';
import { KEY_PURPOSES, isKeyPurpose, type KeyPurpose } from './purposes.js';

/**
 * The gateway's own signing keys, each for one purpose (src/security/purposes.ts):
 * token keys sign and verify access tokens only, envelope keys sign replies
 * and outbound requests and are the only ones published.
 *
 * File format: a private JWKS (RFC 7517 §5) with two extra top-level members,
 * `created: { <kid>: <ISO-8601> }` and `purposes: { <kid>: "token" | "envelope" }`.
 * JWKS readers ignore unknown members, so the file stays usable by ordinary
 * JOSE tools, and the JWKs themselves stay free of private extensions that
 * could leak into the published set.
 *
 * A key without a recorded purpose is an envelope key: key files from before
 * purposes existed held one key that signed everything, and the peers that
 * cached it verify replies with it. Such a file gets a token key generated on
 * load when generateIfMissing is set (`lienthong keys generate` does the same).
 *
 * Per purpose, the active signer is the newest key; older keys keep verifying
 * until they are removed, so peers holding signatures or a cached JWKS are not
 * broken by a rotation. node-jose keeps the keystore (JWE and interop later);
 * signing and verifying use node:crypto KeyObjects built here once per key.
 */

export interface KeyRingOptions {
  file: string;
  /** Create the file, and any purpose's missing key, when absent. */
  generateIfMissing: boolean;
  /**
   * Load a file that lacks a purpose's key without generating one (the `keys`
   * commands inspect and change such files). The gateway itself never sets it.
   */
  allowMissingPurposes?: boolean;
}

export interface KeyInfo {
  kid: string;
  alg: 'ES256';
  purpose: KeyPurpose;
  created: string;
  /** The key that signs new signatures of its purpose. */
  active: boolean;
}

interface Entry {
  kid: string;
  purpose: KeyPurpose;
  created: string;
  jwk: EcJwk;
  signer: Signer;
  publicKey: KeyObject;
}

interface KeyFile extends Jwks {
  created?: Record<string, string>;
  purposes?: Record<string, unknown>;
}

/** Keys without a recorded creation time sort first, in file order. */
const UNKNOWN_CREATED = new Date(0).toISOString();

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function entryOf(jwk: EcJwk, purpose: KeyPurpose, created: string, where: string): Entry {
  const kid = jwk.kid as string;
  return {
    kid,
    purpose,
    created,
    jwk,
    signer: { kid, key: privateKeyFromJwk(jwk, where) },
    publicKey: publicKeyFromJwk(jwk, where),
  };
}

function generateJwk(): EcJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const raw = privateKey.export({ format: 'jwk' });
  const jwk: EcJwk = {
    kty: 'EC',
    crv: 'P-256',
    x: raw.x as string,
    y: raw.y as string,
    d: raw.d as string,
    use: 'sig',
    alg: 'ES256',
  };
  jwk.kid = jwkThumbprint(jwk);
  return jwk;
}

/** Newest last; Array.prototype.sort is stable, so equal timestamps keep file order. */
function byCreated(a: Entry, b: Entry): number {
  return a.created < b.created ? -1 : a.created > b.created ? 1 : 0;
}

/** A newly generated key for `purpose`, created after `after` (ISO) so that it is the newest. */
function newEntry(purpose: KeyPurpose, after?: string): Entry {
  let created = new Date().toISOString();
  // Keep "newest signs" true even if the clock stepped back since the last rotation.
  if (after !== undefined && created <= after)
    created = new Date(Date.parse(after) + 1).toISOString();
  return entryOf(generateJwk(), purpose, created, 'generated key');
}

export class KeyRing {
  private entries: Entry[];
  private byKid = new Map<string, Entry>();
  private jwksCache: Jwks = { keys: [] };
  private readonly resolvers: Record<KeyPurpose, KeyResolver>;

  private constructor(
    private readonly file: string,
    /** The node-jose keystore with the same keys (private), kept in step. */
    readonly keystore: jose.JWK.KeyStore,
    entries: Entry[],
  ) {
    this.entries = entries;
    this.reindex();
    const forPurpose =
      (purpose: KeyPurpose): KeyResolver =>
      (kid) => {
        const e = this.byKid.get(kid);
        return e?.purpose === purpose ? e.publicKey : undefined;
      };
    this.resolvers = { token: forPurpose('token'), envelope: forPurpose('envelope') };
  }

  static async load(opts: KeyRingOptions): Promise<KeyRing> {
    let text: string | undefined;
    try {
      text = await readFile(opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new GatewayError(
          'LT_CONFIG_INVALID',
          `cannot read key file ${opts.file}`,
          undefined,
          {
            cause: err,
          },
        );
      }
    }
    if (text === undefined && !opts.generateIfMissing) {
      throw new GatewayError('LT_CONFIG_INVALID', `key file ${opts.file} does not exist`);
    }
    const entries = text === undefined ? [] : KeyRing.parse(text, opts.file);
    const missing = KEY_PURPOSES.filter((p) => !entries.some((e) => e.purpose === p));
    if (missing.length && opts.generateIfMissing) {
      for (const p of missing) entries.push(newEntry(p, entries.at(-1)?.created));
    } else if (missing.length && !opts.allowMissingPurposes) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `key file ${opts.file} has no ${missing.join(', ')} key: run \`lienthong keys generate\``,
      );
    }
    const ring = new KeyRing(opts.file, jose.JWK.createKeyStore(), entries);
    for (const e of ring.entries) await ring.keystore.add(e.jwk);
    if (missing.length && opts.generateIfMissing) await ring.save();
    return ring;
  }

  private static parse(text: string, file: string): Entry[] {
    let doc: KeyFile;
    try {
      doc = JSON.parse(text) as KeyFile;
    } catch (err) {
      throw new GatewayError('LT_CONFIG_INVALID', `key file ${file} is not JSON`, undefined, {
        cause: err,
      });
    }
    if (!Array.isArray(doc?.keys) || doc.keys.length === 0) {
      throw new GatewayError('LT_CONFIG_INVALID', `key file ${file} has no keys`);
    }
    const created = typeof doc.created === 'object' && doc.created !== null ? doc.created : {};
    const purposes = typeof doc.purposes === 'object' && doc.purposes !== null ? doc.purposes : {};
    const seen = new Set<string>();
    const entries = doc.keys.map((raw, i) => {
      const where = `key file ${file}, key #${i}`;
      if (!isEs256Jwk(raw) || typeof raw.d !== 'string') {
        throw new GatewayError(
          'LT_CONFIG_INVALID',
          `${where}: expected an EC P-256 private key for ES256`,
        );
      }
      const jwk: EcJwk = { ...raw, use: 'sig', alg: 'ES256' };
      if (typeof jwk.kid !== 'string' || jwk.kid === '') jwk.kid = jwkThumbprint(jwk);
      if (seen.has(jwk.kid)) throw new GatewayError('LT_CONFIG_INVALID', `${where}: duplicate kid`);
      seen.add(jwk.kid);
      const when = created[jwk.kid];
      const iso =
        typeof when === 'string' && !Number.isNaN(Date.parse(when)) ? when : UNKNOWN_CREATED;
      // No recorded purpose: a key from before purposes existed (see the class comment).
      const purpose = purposes[jwk.kid] ?? 'envelope';
      if (!isKeyPurpose(purpose)) {
        throw new GatewayError(
          'LT_CONFIG_INVALID',
          `${where}: unknown purpose "${String(purpose)}"`,
        );
      }
      return entryOf(jwk, purpose, iso, where);
    });
    return entries.sort(byCreated);
  }

  private reindex(): void {
    this.entries.sort(byCreated);
    this.byKid = new Map(this.entries.map((e) => [e.kid, e]));
    // Token keys are not published: only this gateway verifies its tokens.
    this.jwksCache = deepFreeze({
      keys: this.entries.filter((e) => e.purpose === 'envelope').map((e) => publicJwk(e.jwk)),
    });
  }

  private active(purpose: KeyPurpose): Entry {
    const e = this.entries.findLast((x) => x.purpose === purpose);
    if (!e) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `no ${purpose} key in ${this.file}: run \`lienthong keys generate\``,
      );
    }
    return e;
  }

  /** The key new signatures of this purpose are made with (its newest). */
  signer(purpose: KeyPurpose): Signer {
    return this.active(purpose).signer;
  }

  activeKid(purpose: KeyPurpose): string {
    return this.active(purpose).kid;
  }

  /**
   * kid → public KeyObject of one of our keys of this purpose, for verifying
   * our own signatures: a token key never verifies an envelope, nor the reverse.
   */
  resolver(purpose: KeyPurpose): KeyResolver {
    return this.resolvers[purpose];
  }

  list(): KeyInfo[] {
    const active = new Set(
      KEY_PURPOSES.map((p) => this.entries.findLast((e) => e.purpose === p)?.kid),
    );
    return this.entries.map((e) => ({
      kid: e.kid,
      alg: 'ES256',
      purpose: e.purpose,
      created: e.created,
      active: active.has(e.kid),
    }));
  }

  /** The public JWKS to publish (envelope keys); the same frozen object until the keys change. */
  publicJwks(): Jwks {
    return this.jwksCache;
  }

  /**
   * Add a new key for `purpose` and make it that purpose's active signer. The
   * file is written before the new key signs anything: a signature by a key
   * that a restart would forget could never be verified again.
   */
  async rotate(purpose: KeyPurpose): Promise<string> {
    const entry = newEntry(purpose, this.entries.at(-1)?.created);
    await this.persist([...this.entries, entry]);
    this.entries.push(entry);
    this.reindex();
    await this.keystore.add(entry.jwk);
    return entry.kid;
  }

  /** Remove a retired key (never the active one of its purpose); persisted immediately. */
  async remove(kid: string): Promise<void> {
    const entry = this.byKid.get(kid);
    if (!entry) throw new GatewayError('LT_SIG_UNKNOWN_KEY', `no key with kid ${kid}`, { kid });
    if (entry === this.entries.findLast((e) => e.purpose === entry.purpose)) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `the active ${entry.purpose} key cannot be removed; rotate first`,
      );
    }
    const rest = this.entries.filter((e) => e !== entry);
    await this.persist(rest);
    this.entries = rest;
    this.reindex();
    const key = this.keystore.get(kid);
    if (key) this.keystore.remove(key);
  }

  async save(): Promise<void> {
    await this.persist(this.entries);
  }

  private async persist(entries: Entry[]): Promise<void> {
    const doc: KeyFile = {
      keys: entries.map((e) => ({ ...e.jwk })),
      created: Object.fromEntries(entries.map((e) => [e.kid, e.created])),
      purposes: Object.fromEntries(entries.map((e) => [e.kid, e.purpose])),
    };
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      // Write then rename: a crash mid-write must not leave a truncated key file.
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
      // writeFile's mode only applies when it creates the file; a tmp left by a crash keeps its own.
      await chmod(tmp, 0o600);
      await rename(tmp, this.file);
    } catch (err) {
      throw new GatewayError('LT_CONFIG_INVALID', `cannot write key file ${this.file}`, undefined, {
        cause: err,
      });
    }
  }
}
