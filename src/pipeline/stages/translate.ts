import { fail } from '../../message/errors.js';
import { isJsonType } from '../../message/media-type.js';
import type { StageFactory, Translator } from '../deps.js';

const MAX_FINDINGS = 20;

/**
 * Catalog steps (R2) applied to the reply, in the order the route lists them.
 * What they find (an address whose codes disagree) is logged with the exchange
 * and kept in what the stage saw; the reply itself carries it too.
 */
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
      const findings: Record<string, unknown>[] = [];
      const report = (finding: Record<string, unknown>) => {
        // A reply with hundreds of bad addresses is one log line, not hundreds.
        if (findings.length < MAX_FINDINGS) findings.push(finding);
      };
      for (const step of steps) body = step(body, report);
      reply.body = body;
      reply.raw = undefined;
      if (findings.length === 0) return { steps: route.translate };
      deps.log.warn(
        { ex: ex.id, route: route.id, findings },
        'translation found inconsistent codes',
      );
      return { steps: route.translate, findings };
    };
  },
};
