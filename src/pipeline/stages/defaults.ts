import { isJsonType } from '../../message/media-type.js';
import type { StageFactory } from '../deps.js';

/**
 * The endpoint's documented defaults (`Outbound.requestDefaults`, e.g. the
 * NPD endpoint's serviceCode) fill the fields a JSON request leaves out,
 * before the request is validated: the contract then holds for what is sent,
 * and an adapter keeps no checks of its own. The caller's request stays as it
 * came (its digest is bound into the reply signature); the filled copy is the
 * exchange's outbound message. Only a request that lacks a default is copied.
 */
export const applyDefaults: StageFactory = {
  name: 'apply-defaults',
  create(route, deps) {
    const defaults = deps.endpoints
      .get(route.to.endpoint)
      ?.outbound.requestDefaults?.(route.to.operation);
    const keys = defaults ? Object.keys(defaults) : [];
    if (!defaults || keys.length === 0) return null;
    return (ex) => {
      // A stage before may have written the outbound already (a citizen route's id).
      const req = ex.outbound ?? ex.request;
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
      if (!isJsonType(req.contentType)) return;
      let filled: Record<string, unknown> | undefined;
      const applied: string[] = [];
      for (const k of keys) {
        if ((body as Record<string, unknown>)[k] !== undefined) continue;
        (filled ??= { ...(body as Record<string, unknown>) })[k] = defaults[k];
        applied.push(k);
      }
      if (!filled) return;
      // The bytes were the caller's; the provider's are written from the filled body.
      ex.outbound = { ...req, headers: { ...req.headers }, body: filled, raw: undefined };
      return { applied };
    };
  },
};
