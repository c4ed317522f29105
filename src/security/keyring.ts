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

/**
 * The gateway's own signing keys.
 *
 * File format: a private JWKS (RFC 7517 §5) with one extra top-level member,
 * `created: { <kid>: <ISO-8601> }`. JWKS readers ignore unknown members, so
 * the file stays usable by ordinary JOSE tools, and the JWKs themselves stay
 * free of private extensions that could leak into the published set.
 *
 * The active signer is the newest key; older keys keep verifying until they
 * are removed, so peers holding signatures or a cached JWKS are not broken by
 * a rotation. node-jose keeps the keystore (JWE and interop later); signing
 * and verifying use node:crypto KeyObjects built here once per key.
 */

export interface KeyRingOptions {
  file: string;
  generateIfMissing: boolean;
}

export interface KeyInfo {
  kid: string;
  alg: 'ES256';
  created: string;
  active: boolean;
}

interface Entry {
  kid: string;
  created: string;
  jwk: EcJwk;
  signer: Signer;
  publicKey: KeyObject;
}

interface KeyFile extends Jwks {
  created?: Record<string, string>;
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

function entryOf(jwk: EcJwk, created: string, where: string): Entry {
  const kid = jwk.kid as string;
  return {
    kid,
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

export class KeyRing {
  private entries: Entry[];
  private byKid = new Map<string, Entry>();
  private jwksCache: Jwks = { keys: [] };

  /** Public KeyObject of one of our keys by kid (for verifying our own signatures). */
  readonly resolve: KeyResolver = (kid) => this.byKid.get(kid)?.publicKey;

  private constructor(
    private readonly file: string,
    /** The node-jose keystore with the same keys (private), kept in step. */
    readonly keystore: jose.JWK.KeyStore,
    entries: Entry[],
  ) {
    this.entries = entries;
    this.reindex();
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
    if (text === undefined) {
      if (!opts.generateIfMissing) {
        throw new GatewayError('LT_CONFIG_INVALID', `key file ${opts.file} does not exist`);
      }
      const jwk = generateJwk();
      const ring = new KeyRing(opts.file, jose.JWK.createKeyStore(), [
        entryOf(jwk, new Date().toISOString(), 'generated key'),
      ]);
      await ring.keystore.add(jwk);
      await ring.save();
      return ring;
    }
    const entries = KeyRing.parse(text, opts.file);
    const ring = new KeyRing(opts.file, jose.JWK.createKeyStore(), entries);
    for (const e of entries) await ring.keystore.add(e.jwk);
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
      return entryOf(jwk, iso, where);
    });
    return entries.sort(byCreated);
  }

  private reindex(): void {
    this.entries.sort(byCreated);
    this.byKid = new Map(this.entries.map((e) => [e.kid, e]));
    this.jwksCache = deepFreeze({ keys: this.entries.map((e) => publicJwk(e.jwk)) });
  }

  private get active(): Entry {
    return this.entries[this.entries.length - 1];
  }

  /** The key new signatures are made with (the newest). */
  signer(): Signer {
    return this.active.signer;
  }

  get activeKid(): string {
    return this.active.kid;
  }

  list(): KeyInfo[] {
    const activeKid = this.active.kid;
    return this.entries.map((e) => ({
      kid: e.kid,
      alg: 'ES256',
      created: e.created,
      active: e.kid === activeKid,
    }));
  }

  /** The public JWKS to publish; the same frozen object until the keys change. */
  publicJwks(): Jwks {
    return this.jwksCache;
  }

  /**
   * Add a new key and make it the active signer. The file is written before
   * the new key signs anything: a signature by a key that a restart would
   * forget could never be verified again.
   */
  async rotate(): Promise<string> {
    const jwk = generateJwk();
    const last = this.active.created;
    let created = new Date().toISOString();
    // Keep "newest signs" true even if the clock stepped back since the last rotation.
    if (created <= last) created = new Date(Date.parse(last) + 1).toISOString();
    const entry = entryOf(jwk, created, 'generated key');
    await this.persist([...this.entries, entry]);
    this.entries.push(entry);
    this.reindex();
    await this.keystore.add(jwk);
    return entry.kid;
  }

  /** Remove a retired key (never the active one); persisted immediately. */
  async remove(kid: string): Promise<void> {
    const entry = this.byKid.get(kid);
    if (!entry) throw new GatewayError('LT_SIG_UNKNOWN_KEY', `no key with kid ${kid}`, { kid });
    if (entry === this.active) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        'the active signing key cannot be removed; rotate first',
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
