import { GatewayError } from '../../message/errors.js';
import { bodyKind } from '../../message/media-type.js';
import { fieldTree, projectJson, projectXml } from '../../policy/project.js';
import { parseSoapEnvelope, soapEnvelope } from '../../xml/soap.js';
import { serializeElement } from '../../xml/serialize.js';
import { isXmlElement } from '../../xml/tree.js';
import type { StageFactory } from '../deps.js';

/**
 * R11: the reply carries only the fields the exchange's grant allows (JSON:
 * the body's keys; SOAP: the child elements of the reply's operation
 * element). A grant of all fields costs nothing here. A reply of another
 * kind under a field-limited grant is refused rather than passed whole.
 */
export const project: StageFactory = {
  name: 'project',
  create(route, deps) {
    if (route.auth === 'none') return null;
    const limits = deps.config.xml;
    return (ex) => {
      const grant = ex.caller?.grant;
      if (!grant || grant.fields === 'all') return undefined;
      const reply = ex.reply!;
      const tree = fieldTree(grant.fields);
      const kind = bodyKind(reply.contentType);
      if (kind === 'json') {
        reply.body = projectJson(reply.body, tree) ?? {};
        reply.raw = undefined;
      } else if (kind === 'xml') {
        // Forwarded replies are bytes until a stage reads them: read the Body's element once here.
        const el = reply.raw ? parseSoapEnvelope(reply.raw, limits).body : reply.body;
        if (!isXmlElement(el))
          throw new GatewayError('LT_INTERNAL', 'XML reply without an element');
        const op = projectXml(el, tree);
        reply.body = op;
        reply.raw = Buffer.from(soapEnvelope(serializeElement(op), ''), 'utf8');
      } else {
        throw new GatewayError(
          'LT_POLICY_NO_GRANT',
          `grant ${grant.id} allows some fields only, and a ${reply.contentType} reply cannot be projected`,
          { grant: grant.id },
        );
      }
      return { grant: grant.id, fields: grant.fields.length };
    };
  },
};
