import { fail } from '../../message/errors.js';
import { isJsonType } from '../../message/media-type.js';
import type { StageFactory, Translator } from '../deps.js';

/** Catalog steps (R2) applied to the reply, in the order the route lists them. */
export const translate: StageFactory = {
  name: 'translate',
  create(route, deps) {
    if (!route.translate.length) return null;
    const steps: Translator[] = route.translate.map((name) => {
      const step = deps.translators.get(name);
      if (!step) fail('LT_CONFIG_INVALID', `route "${route.id}": unknown translate step "${name}"`);
      return step;
    });
    return (ex) => {
      const reply = ex.reply!;
      if (!isJsonType(reply.contentType)) return { skipped: 'not JSON' };
      let body = reply.body;
      for (const step of steps) body = step(body);
      reply.body = body;
      reply.raw = undefined;
      return { steps: route.translate };
    };
  },
};
