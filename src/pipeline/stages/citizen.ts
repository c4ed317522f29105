import { verifyCitizenAssertion } from '../../citizen/assertion.js';
import { fail } from '../../message/errors.js';
import { isJsonType } from '../../message/media-type.js';
import type { StageFactory } from '../deps.js';

/** The header a portal carries the citizen's assertion in (beside its own bearer token). */
export const CITIZEN_ASSERTION_HEADER = 'x-citizen-assertion';

/**
 * Citizen routes (`citizen:`, R4): the caller (a portal, authenticated as any
 * client) acts for a citizen it identified, and says so with a signed
 * assertion the portal's JWKS verifies. The caller becomes that citizen
 * (`Caller.citizenId`), and the request may ask only about them: the route's
 * id field is filled with their id when absent, and a request naming anyone
 * else is refused before anything is sent to the provider.
 */
export const citizenRequest: StageFactory = {
  name: 'citizen',
  create(route, deps) {
    const cfg = route.citizen;
    if (!cfg) return null;
    const field = cfg.idField.slice(1);
    const also = cfg.alsoFill.map((f) => f.slice(1));
    const refused = cfg.refuseFields.map((f) => f.slice(1));
    const check = { audience: deps.config.tokens.audience, maxAgeSeconds: cfg.maxAgeSeconds };
    return (ex) => {
      const keys = deps.peers?.get(cfg.portal);
      if (!keys) fail('LT_CONFIG_INVALID', `no peer "${cfg.portal}" for the citizen route`);
      const token = ex.request.headers[CITIZEN_ASSERTION_HEADER];
      if (!token)
        fail(
          'LT_CITIZEN_ASSERTION_INVALID',
          `a citizen route needs the portal's assertion in ${CITIZEN_ASSERTION_HEADER}`,
          { reason: 'missing' },
        );
      const who = verifyCitizenAssertion(token, keys, { ...check, now: Date.now() });
      ex.caller = { ...ex.caller!, citizenId: who.citizenId };
      const msg = ex.outbound ?? ex.request;
      const body = msg.body;
      if (
        !isJsonType(msg.contentType) ||
        typeof body !== 'object' ||
        body === null ||
        Array.isArray(body)
      )
        fail('LT_CONTRACT_REQUEST', 'a citizen route takes a JSON object');
      const fields = body as Record<string, unknown>;
      const asked = fields[field];
      if (asked !== undefined && asked !== who.citizenId)
        fail(
          'LT_CITIZEN_NOT_OWN_RECORD',
          `${cfg.idField} is not the id of the citizen the portal asserted`,
          { field: cfg.idField },
        );
      const other = refused.find((f) => fields[f] !== undefined);
      if (other !== undefined)
        fail('LT_CITIZEN_NOT_OWN_RECORD', `/${other} may not be sent on a citizen route`, {
          field: `/${other}`,
        });
      const missing = [field, ...also].filter((f) => fields[f] === undefined);
      if (missing.length) {
        // The caller's request stays as sent (its digest is signed into the reply).
        ex.outbound = {
          ...msg,
          headers: { ...msg.headers },
          body: { ...fields, ...Object.fromEntries(missing.map((f) => [f, who.citizenId])) },
          raw: undefined,
        };
      }
      return { citizen: true, portal: cfg.portal, idp: who.idp, filled: asked === undefined };
    };
  },
};

/** Reads a JSON pointer of plain member names (`/citizen/idNumber`). */
function pointerGet(value: unknown, pointer: string): unknown {
  let v = value;
  for (const part of pointer.slice(1).split('/')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * On citizen routes, a reply about another person (a provider fault, a
 * cross-wired relay: DOMAIN.md) never reaches the citizen: it is refused as
 * the provider's bad reply. A reply without the field (a yes/no answer)
 * names nobody and passes.
 */
export const citizenReply: StageFactory = {
  name: 'citizen-reply',
  create(route) {
    const cfg = route.citizen;
    if (!cfg) return null;
    return (ex) => {
      const about = pointerGet(ex.reply?.body, cfg.replyIdField);
      if (about !== undefined && about !== ex.caller?.citizenId)
        fail('LT_UPSTREAM_BAD_REPLY', 'the provider answered about another person', {
          field: cfg.replyIdField,
        });
      return { sameCitizen: about !== undefined };
    };
  },
};
