import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { GatewayError, type ErrorCode } from '../message/errors.js';

const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule;

/** One violation, named by JSON path and the rule that failed. */
export interface Violation {
  path: string;
  rule: string;
  message: string;
}

/**
 * ajv for message contracts: compiled once at start-up; all errors are
 * collected (only costs anything on invalid input); no defaults or coercion,
 * because a contract check must never change the message it checks.
 */
export function createContractAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

function violation(e: ErrorObject): Violation {
  let path = e.instancePath || '/';
  if (e.keyword === 'required') path = `${e.instancePath}/${e.params.missingProperty}`;
  if (e.keyword === 'additionalProperties')
    path = `${e.instancePath}/${e.params.additionalProperty}`;
  const message =
    e.keyword === 'additionalProperties'
      ? 'is not allowed'
      : e.keyword === 'required'
        ? 'is required'
        : (e.message ?? e.keyword);
  return { path, rule: e.keyword, message };
}

export type JsonCheck = (value: unknown, code: ErrorCode) => void;

/**
 * Violations listed in a refusal; the rest are counted. ajv collects every
 * error, and a 300 KB object with 60,000 unknown keys would otherwise come back
 * as a 4.5 MB refusal listing each one.
 */
export const MAX_VIOLATIONS_LISTED = 20;

export function jsonCheck(fn: ValidateFunction, contract: string): JsonCheck {
  return (value, code) => {
    if (fn(value)) return;
    const errors = fn.errors ?? [];
    const violations = errors.slice(0, MAX_VIOLATIONS_LISTED).map(violation);
    const first = violations[0];
    throw new GatewayError(
      code,
      `${contract}: ${first ? `${first.path} ${first.message} (${first.rule})` : 'invalid'}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`,
      { contract, violations, violationCount: errors.length },
    );
  };
}
