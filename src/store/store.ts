import { Type, type Static } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { SqlRunner } from './sql.js';

/**
 * The gateway's persistent state behind one interface: an embedded SQLite
 * file for a single machine and the default `npm start`, PostgreSQL when
 * several instances share state. Both pass the same contract tests.
 *
 * Times are milliseconds since the epoch; an entry is expired when
 * expiresAtMs <= now.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Create or upgrade tables (ordered, idempotent migrations). Call once before use. */
  init(): Promise<void>;
  /** Throws GatewayError('LT_STORE_UNAVAILABLE') when the backend cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Remember key once in a namespace until expiresAtMs; true when newly
   * remembered, false when already present and unexpired. Atomic across
   * gateway instances sharing the backend: used for JWS jti replay checks.
   */
  rememberOnce(ns: string, key: string, expiresAtMs: number): Promise<boolean>;
  /** The value, or undefined when absent or expired. */
  kvGet(ns: string, key: string): Promise<string | undefined>;
  /** Insert or replace; without expiresAtMs the entry never expires. */
  kvPut(ns: string, key: string, value: string, expiresAtMs?: number): Promise<void>;
  kvDelete(ns: string, key: string): Promise<void>;
  /**
   * Adds `delta` to the integer counter at (ns, key) and returns the new total,
   * atomically across instances; an absent or expired counter starts from 0
   * and takes expiresAtMs. The daily quotas' shared counters (src/limits/quota.ts).
   */
  kvAdd(ns: string, key: string, delta: number, expiresAtMs: number): Promise<number>;
  // --- claims (queue consumers' seen-ids record, src/queue/seen.ts) ---
  /**
   * Insert unless an unexpired entry exists (an expired one is replaced);
   * true when written. Atomic across instances: of N concurrent calls for one
   * key exactly one is true, so it serves as a claim or a lease.
   */
  kvPutIfAbsent(ns: string, key: string, value: string, expiresAtMs: number): Promise<boolean>;
  /**
   * Replace the value only while it is `expected` and unexpired (a claim its
   * holder completes, or hands back with `value` undefined = delete); true
   * when changed. A holder whose lease expired and was taken over changes nothing.
   */
  kvCompareAndSet(
    ns: string,
    key: string,
    expected: string,
    value: string | undefined,
    expiresAtMs?: number,
  ): Promise<boolean>;
  /** Delete expired entries of every kind; returns how many were deleted. */
  purgeExpired(nowMs?: number): Promise<number>;
  /** Plain SQL on the store's own database, for components with tables of their own (src/store/sql.ts). */
  sqlRunner?(): SqlRunner;
}

/** Lower-case unquoted PostgreSQL identifier: safe to splice into DDL. */
export const PG_SCHEMA_PATTERN = '^[a-z_][a-z0-9_]{0,62}$';

export const StoreConfigSchema = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('sqlite'),
        path: Type.String({
          minLength: 1,
          description: 'Database file (its directory is created), or :memory:',
        }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('postgres'),
        url: Type.String({ minLength: 1, description: 'postgres://user@host:port/database' }),
        schema: Type.Optional(
          Type.String({
            pattern: PG_SCHEMA_PATTERN,
            description: 'Schema for the tables; default public',
          }),
        ),
        poolSize: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 500,
            description: 'Connections per gateway instance; default 10',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Where the gateway keeps its state' },
);

export type StoreConfig = Static<typeof StoreConfigSchema>;

export interface StoreOptions {
  /** Clock in ms since the epoch; injectable so expiry can be tested without waiting. */
  now?: () => number;
}

export function createStore(cfg: StoreConfig, opts: StoreOptions = {}): Store {
  const now = opts.now ?? Date.now;
  switch (cfg.kind) {
    case 'sqlite':
      return new SqliteStore(cfg.path, now);
    case 'postgres':
      return new PostgresStore(cfg, now);
    default:
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `unknown store kind ${(cfg as { kind: unknown }).kind}`,
      );
  }
}

/**
 * Arguments shared by both backends. PostgreSQL text cannot hold NUL, so both
 * refuse it: a key that works on the laptop must work in production. Times
 * are whole milliseconds (PostgreSQL BIGINT).
 */
export function checkText(what: string, s: string): void {
  if (typeof s !== 'string' || s.includes('\u0000')) {
    throw new GatewayError('LT_INTERNAL', `store ${what} must be a string without NUL characters`);
  }
}

/** A counter step: a whole number PostgreSQL's BIGINT and SQLite's INTEGER hold exactly. */
export function checkDelta(delta: number): number {
  if (!Number.isSafeInteger(delta))
    throw new GatewayError('LT_INTERNAL', 'store counter delta must be a safe integer');
  return delta;
}

export function checkTime(what: string, ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new GatewayError('LT_INTERNAL', `store ${what} must be a finite time in ms`);
  }
  return Math.ceil(ms);
}
