import { Type, type Static } from '@sinclair/typebox';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkSchema, formatPath } from '../config/validate.js';

/**
 * Fault injection shared by every simulator: users point their own
 * integration at a simulator and turn faults on to see how it copes.
 */
export const FaultsSchema = Type.Object(
  {
    latencyMs: Type.Integer({ minimum: 0, default: 0, description: 'Added before every answer' }),
    latencyJitterMs: Type.Integer({
      minimum: 0,
      default: 0,
      description: 'Up to this many ms added at random to latencyMs',
    }),
    errorRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'Share answered with HTTP 500',
    }),
    faultRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'Share answered with a protocol-level fault (SOAP fault, FAIL reply)',
    }),
    dropRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'Share whose connection is destroyed',
    }),
    garbageRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'Share answered 200 with the reply cut off halfway (unreadable XML or JSON)',
    }),
    onlyFor: Type.Array(Type.String(), {
      default: [],
      description: 'Operations affected; empty: all',
    }),
  },
  { additionalProperties: false },
);
export type Faults = Static<typeof FaultsSchema>;

export type FaultDecision = 'none' | 'error' | 'fault' | 'drop' | 'garbage';

export class FaultInjector {
  private faults: Faults;

  constructor(
    initial: Partial<Faults> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.faults = FaultInjector.parse(initial);
  }

  static parse(value: unknown): Faults {
    const copy = JSON.parse(JSON.stringify(value ?? {}));
    const res = checkSchema(FaultsSchema, copy);
    if (!res.ok)
      throw new Error(res.issues.map((i) => `${formatPath(i.path)} ${i.message}`).join('; '));
    return res.value;
  }

  get current(): Faults {
    return this.faults;
  }

  set(value: unknown): Faults {
    this.faults = FaultInjector.parse(value);
    return this.faults;
  }

  /** Waits the configured latency, then says which fault (if any) this request gets. */
  async decide(operation?: string): Promise<FaultDecision> {
    const f = this.faults;
    if (f.onlyFor.length && (!operation || !f.onlyFor.includes(operation))) return 'none';
    const delay =
      f.latencyMs + (f.latencyJitterMs ? Math.floor(this.random() * f.latencyJitterMs) : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const r = this.random();
    if (r < f.dropRate) return 'drop';
    if (r < f.dropRate + f.errorRate) return 'error';
    if (r < f.dropRate + f.errorRate + f.faultRate) return 'fault';
    if (r < f.dropRate + f.errorRate + f.faultRate + f.garbageRate) return 'garbage';
    return 'none';
  }

  /**
   * Serves `GET|POST /__sim/faults` (read or replace the faults at run time).
   * Returns true when it answered the request.
   */
  handleControl(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean {
    if (!req.url?.startsWith('/__sim/faults')) return false;
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST') {
      try {
        this.set(body.length ? JSON.parse(body.toString('utf8')) : {});
      } catch (err) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: (err as Error).message }));
        return true;
      }
    }
    res.end(JSON.stringify(this.faults));
    return true;
  }
}

/** A reply cut off halfway: what a `garbage` decision answers with 200. */
export function cutOff(reply: string): string {
  return reply.slice(0, Math.floor(reply.length / 2));
}

/** Reads a request body with a size bound (simulators face hostile input too). */
export function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A simulator's `faults:` option: the faults it starts with (POST /__sim/faults changes them). */
export const FAULTS_OPTION = Type.Partial(FaultsSchema, {
  description: 'Faults the simulator starts with (POST /__sim/faults replaces them)',
});
