import type { TSchema } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';
import { checkSchema, type SchemaIssue } from '../config/validate.js';
import type { AdapterSpec } from './spec.js';

type AnySpec = AdapterSpec<TSchema, TSchema, TSchema>;

/**
 * Resolves adapters by name (as moleculer resolves transporters). The
 * built-in set is listed in adapters/index.ts; embedders may register more.
 */
export class AdapterRegistry {
  private readonly specs = new Map<string, AnySpec>();

  register(spec: AdapterSpec<any, any, any>): this {
    if (this.specs.has(spec.name))
      throw new GatewayError('LT_CONFIG_INVALID', `adapter "${spec.name}" is registered twice`);
    this.specs.set(spec.name, spec as AnySpec);
    return this;
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  get(name: string): AnySpec {
    const spec = this.specs.get(name);
    if (!spec) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `unknown adapter "${name}" (known: ${this.names().join(', ')})`,
      );
    }
    return spec;
  }

  names(): string[] {
    return [...this.specs.keys()].sort();
  }

  list(): AnySpec[] {
    return this.names().map((n) => this.specs.get(n)!);
  }

  /**
   * Checks (and fills defaults into) an adapter-specific options object.
   * `part` names which of the adapter's schemas applies.
   */
  checkOptions(
    name: string,
    part: 'endpoint' | 'inbound' | 'simulator',
    value: unknown,
  ): SchemaIssue[] {
    const spec = this.specs.get(name);
    if (!spec)
      return [
        {
          path: ['adapter'],
          message: `unknown adapter "${name}" (known: ${this.names().join(', ')})`,
        },
      ];
    const schema =
      part === 'endpoint'
        ? spec.endpointSchema
        : part === 'inbound'
          ? spec.inboundSchema
          : spec.simulatorSchema;
    const can =
      part === 'endpoint' ? spec.outbound : part === 'inbound' ? spec.inbound : spec.simulator;
    if (!can) return [{ path: ['adapter'], message: `adapter "${name}" has no ${part} side` }];
    if (!schema) return [];
    const res = checkSchema(schema, value);
    return res.ok ? [] : res.issues;
  }
}
