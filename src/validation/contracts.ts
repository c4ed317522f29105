import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError, type ErrorCode } from '../message/errors.js';
import type { Message } from '../message/index.js';
import { bodyKind } from '../message/media-type.js';
import { createContractAjv, jsonCheck, type JsonCheck } from './json.js';

/** Validates raw XML (a whole SOAP envelope) against a compiled XSD set. */
export type XmlCheck = (xml: Buffer | string, code: ErrorCode) => void | Promise<void>;

/** One operation's XML contract: its request and reply envelopes, each admitting only its own element. */
export interface XmlOperationChecks {
  checkRequest: XmlCheck;
  checkResponse: XmlCheck;
}

/** A system's XML contracts, per operation, and how to free them (WebAssembly memory, worker state). */
export interface XmlValidator {
  /** The checks of one operation (compiled when first asked for), or undefined if the system has no such operation. */
  operation(name: string): XmlOperationChecks | undefined;
  dispose(): void;
}

export interface Contract {
  readonly name: string;
  readonly hasRequest: boolean;
  readonly hasResponse: boolean;
  readonly requestSchema?: object;
  readonly responseSchema?: object;
  validateRequest(msg: Message): void | Promise<void>;
  validateResponse(msg: Message): void | Promise<void>;
}

/**
 * Contracts are data under `contracts/<system>/`:
 *   <Name>.request.json / <Name>.response.json   JSON Schema for JSON messages
 *   envelope.xsd + the WSDL (via the system's XML validator)  XSD for SOAP
 *     messages, per operation: only the operation's own element in the Body
 * Everything is compiled when the registry loads; `get` on an unknown name is
 * a configuration error found at start-up, never per message.
 */
export class ContractRegistry {
  private readonly ajv = createContractAjv();
  private readonly contracts = new Map<string, Contract>();
  private readonly xmlBySystem = new Map<string, XmlValidator>();
  /** Shared definitions by `$id`, for documents that must resolve the contracts' `$ref`s (OpenAPI). */
  readonly shared = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly dir: string,
    private readonly xmlLoader?: (systemDir: string) => XmlValidator | undefined,
  ) {
    // Shared definitions (e.g. contracts/npd/citizen.json) are added first so $ref resolves.
    if (existsSync(dir)) {
      for (const system of readdirSync(dir, { withFileTypes: true }).filter((d) =>
        d.isDirectory(),
      )) {
        for (const f of readdirSync(join(dir, system.name))) {
          if (f.endsWith('.json') && !/\.(request|response)\.json$/.test(f)) {
            const { $schema: _dialect, ...schema } = JSON.parse(
              readFileSync(join(dir, system.name, f), 'utf8'),
            );
            if (schema.$id) {
              this.ajv.addSchema(schema);
              this.shared.set(schema.$id, schema);
            }
          }
        }
      }
    }
  }

  has(name: string): boolean {
    try {
      this.get(name);
      return true;
    } catch {
      return false;
    }
  }

  list(): Contract[] {
    return [...this.contracts.values()];
  }

  get(name: string): Contract {
    const cached = this.contracts.get(name);
    if (cached) return cached;
    const [system, op] = name.split('/');
    if (!system || !op)
      throw new GatewayError('LT_CONFIG_INVALID', `contract "${name}" must be <system>/<Name>`);
    const base = join(this.dir, system, op);
    const load = (suffix: string): { schema: object; check: JsonCheck } | undefined => {
      const file = `${base}.${suffix}.json`;
      if (!existsSync(file)) return undefined;
      let schema: Record<string, unknown>;
      try {
        // `$schema` only names the dialect; ajv's draft-07/2019 core reads what we write either way.
        const { $schema: _dialect, ...rest } = JSON.parse(readFileSync(file, 'utf8'));
        schema = rest;
      } catch (err) {
        throw new GatewayError('LT_CONFIG_INVALID', `${file}: ${(err as Error).message}`);
      }
      try {
        return { schema, check: jsonCheck(this.ajv.compile(schema), name) };
      } catch (err) {
        throw new GatewayError('LT_CONFIG_INVALID', `${file}: ${(err as Error).message}`);
      }
    };
    const req = load('request');
    const res = load('response');
    const xml = this.xmlFor(system)?.operation(op);
    if (!req && !res) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `contract "${name}" not found (looked for ${base}.request.json, .response.json)`,
      );
    }
    // The media type decides which schema applies, read by the same parse
    // every other stage uses (src/message/media-type.ts).
    const check = (
      msg: Message,
      json: JsonCheck | undefined,
      xmlCheck: XmlCheck | undefined,
      code: ErrorCode,
    ) => {
      const kind = bodyKind(msg.contentType);
      if (kind === 'xml') {
        if (!xmlCheck) throw new GatewayError(code, `${name}: no XSD for ${op} XML messages`);
        return xmlCheck(msg.raw ?? String(msg.body), code);
      }
      if (kind !== 'json') {
        throw new GatewayError(
          code,
          `${name} checks JSON or XML messages, not ${msg.contentType.slice(0, 100)}`,
        );
      }
      if (json) json(msg.body, code);
    };
    const contract: Contract = {
      name,
      hasRequest: !!(req || xml),
      hasResponse: !!(res || xml),
      requestSchema: req?.schema,
      responseSchema: res?.schema,
      validateRequest: (msg) => check(msg, req?.check, xml?.checkRequest, 'LT_CONTRACT_REQUEST'),
      validateResponse: (msg) => check(msg, res?.check, xml?.checkResponse, 'LT_CONTRACT_RESPONSE'),
    };
    this.contracts.set(name, contract);
    return contract;
  }

  /** Frees the compiled XSD sets; the registry is not used afterwards. */
  close(): void {
    for (const v of this.xmlBySystem.values()) v.dispose();
    this.xmlBySystem.clear();
  }

  private xmlFor(system: string): XmlValidator | undefined {
    if (!this.xmlLoader) return undefined;
    if (!this.xmlBySystem.has(system)) {
      const validator = this.xmlLoader(join(this.dir, system));
      if (validator) this.xmlBySystem.set(system, validator);
      else return undefined;
    }
    return this.xmlBySystem.get(system);
  }
}
