import type { TokenThrottleConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import { LruMap } from './lru.js';

/** Failures counted for one key (an IP or a client id) in the window opened by the first. */
interface Window {
  failures: number;
  /** Checks admitted and not yet answered: counted as failures until they answer. */
  pending: number;
  endsAt: number;
}

/** What the caller of `admit` reports once the secret check has answered. */
export interface Admission {
  /** The secret was right: the (client, IP) pair is trusted for a window. */
  succeeded(): void;
  /** The secret was wrong: one failure for the IP and for the client id. */
  failed(): void;
  /** No secret was checked (refused for another reason): nothing counted. */
  released(): void;
}

/**
 * Failed-secret throttling for POST /token, checked BEFORE any secret is
 * hashed. A wrong secret costs one scrypt on the thread pool that also signs
 * every exchange; without this a flood of wrong secrets held the one
 * secret-check slot and every legitimate client got LT_AUTH_BUSY.
 *
 * - per IP: after `ipFailures` wrong secrets in the window, that IP is refused
 *   (LT_AUTH_THROTTLED, 429, Retry-After) without hashing;
 * - per client id: after `clientFailures`, the id is refused the same way,
 *   except from an IP that got a token for this id within `trustSeconds` — so a
 *   flood against a known id from elsewhere cannot lock its owner out.
 *
 * Checks in flight count as failures until they answer, so a burst cannot
 * slip more than the limit past the check. Every table is an LRU of at most
 * `maxEntries`: a flood of fresh IPs evicts old entries (the oldest attacker
 * may start over), it cannot grow memory.
 */
export class TokenThrottle {
  private readonly windows: LruMap<string, Window>;
  /** `client\0ip` → when the trust ends. */
  private readonly trusted: LruMap<string, number>;
  private readonly windowMs: number;

  constructor(
    private readonly cfg: TokenThrottleConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new LruMap(cfg.maxEntries);
    this.trusted = new LruMap(cfg.maxEntries);
    this.windowMs = cfg.windowSeconds * 1000;
  }

  /** Throws LT_AUTH_THROTTLED, or admits one secret check (answer it exactly once). */
  admit(clientId: string, ip: string | undefined): Admission {
    const now = this.now();
    const ipKey = ip === undefined ? undefined : `ip\0${ip}`;
    const idKey = `id\0${clientId}`;
    const byIp = ipKey === undefined ? undefined : this.current(ipKey, now);
    const byId = this.current(idKey, now);
    if (byIp && byIp.failures + byIp.pending >= this.cfg.ipFailures)
      this.refuse('this address', byIp, now);
    if (
      byId.failures + byId.pending >= this.cfg.clientFailures &&
      !this.isTrusted(clientId, ip, now)
    )
      this.refuse(`client id "${clientId}"`, byId, now);
    if (byIp) byIp.pending++;
    byId.pending++;
    let answered = false;
    const answer = (failed: boolean) => {
      if (answered) return;
      answered = true;
      for (const w of [byIp, byId]) {
        if (!w) continue;
        w.pending--;
        if (failed) w.failures++;
      }
    };
    return {
      succeeded: () => {
        answer(false);
        if (ip !== undefined)
          this.trusted.set(`${clientId}\0${ip}`, this.now() + this.cfg.trustSeconds * 1000);
      },
      failed: () => answer(true),
      released: () => answer(false),
    };
  }

  /** The key's window, a fresh one when it has none or it has ended (kept in the table). */
  private current(key: string, now: number): Window {
    const w = this.windows.get(key);
    if (w && (w.endsAt > now || w.pending > 0)) return w;
    const fresh: Window = { failures: 0, pending: 0, endsAt: now + this.windowMs };
    this.windows.set(key, fresh);
    return fresh;
  }

  private isTrusted(clientId: string, ip: string | undefined, now: number): boolean {
    if (ip === undefined) return false;
    const until = this.trusted.get(`${clientId}\0${ip}`);
    return until !== undefined && until > now;
  }

  private refuse(who: string, w: Window, now: number): never {
    const retryAfterSeconds = Math.max(1, Math.ceil((w.endsAt - now) / 1000));
    throw new GatewayError(
      'LT_AUTH_THROTTLED',
      `too many wrong secrets from ${who}; retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }
}
