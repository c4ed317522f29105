import { describe, expect, it } from '@jest/globals';
import { checkSchema } from '../../../src/config/validate.js';
import { RouteSchema, type RouteDef } from '../../../src/config/schema.js';
import type { CallerGrant, Channel, Exchange, Message } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { project } from '../../../src/pipeline/stages/project.js';
import { soapEnvelope } from '../../../src/xml/soap.js';
import { gatewayError } from '../../helpers/errors.js';

const route = (patch: Record<string, unknown> = {}): RouteDef => {
  const r = checkSchema(RouteSchema, {
    id: 'r',
    from: { adapter: 'http', method: 'POST', path: '/v1/x' },
    to: { endpoint: 'e' },
    service: 's',
    ...patch,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
const deps = {
  config: { xml: { maxBytes: 1 << 20, maxDepth: 64, maxNodes: 10_000 } },
} as unknown as PipelineDeps;
const grant = (fields: CallerGrant['fields']): CallerGrant => ({
  id: 'g',
  source: 'model',
  service: 's',
  fields,
});
const exchange = (reply: Message, fields: CallerGrant['fields'], channel: Channel = 'http') =>
  ({
    id: 'x',
    routeId: 'r',
    channel,
    receivedAt: 0,
    deadline: 0,
    stages: [],
    attrs: {},
    request: { body: null, contentType: 'application/json', headers: {} },
    caller: { clientId: 'c', orgId: 'o', routes: new Set(), grant: grant(fields) },
    reply,
  }) as Exchange;

// R11, every channel: the stage reads the grant and the reply's media type, never the channel.
describe('project stage', () => {
  const stage = project.create(route(), deps)!;

  it('is not part of a route without authentication', () => {
    expect(project.create(route({ auth: 'none' }), deps)).toBeNull();
  });

  it.each<Channel>(['http', 'amqp', 'vdxp'])(
    'keeps only the granted fields of a JSON reply and drops its old bytes (%s)',
    (channel) => {
      const reply: Message = {
        body: { citizen: { idNumber: '1', fullName: 'A' } },
        raw: Buffer.from('{"citizen":{"idNumber":"1","fullName":"A"}}'),
        contentType: 'application/json',
        headers: {},
      };
      const ex = exchange(reply, ['citizen.idNumber'], channel);
      expect(stage(ex)).toEqual({ grant: 'g', fields: 1 });
      expect(ex.reply!.body).toEqual({ citizen: { idNumber: '1' } });
      // sign-reply signs what is sent: the bytes of the unprojected reply must be gone.
      expect(ex.reply!.raw).toBeUndefined();
    },
  );

  it('removes disallowed elements from a SOAP reply and rewrites its bytes', () => {
    const raw = Buffer.from(
      soapEnvelope(
        '<r:Res xmlns:r="urn:r"><r:Id>1</r:Id><r:Name>A</r:Name></r:Res>',
        '<h:Secret xmlns:h="urn:h">s</h:Secret>',
      ),
    );
    const ex = exchange(
      { body: undefined, raw, contentType: 'text/xml', headers: {} },
      ['Id'],
      'soap',
    );
    stage(ex);
    const out = ex.reply!.raw!.toString();
    expect(out).toContain('<r:Id>1</r:Id>');
    expect(out).not.toContain('Name');
    expect(out).not.toContain('Secret'); // the provider's Header is not forwarded either
  });

  it('leaves a reply of an all-fields grant untouched', () => {
    const reply: Message = {
      body: { a: 1 },
      raw: Buffer.from('{"a":1}'),
      contentType: 'application/json',
      headers: {},
    };
    const ex = exchange(reply, 'all');
    expect(stage(ex)).toBeUndefined();
    expect(ex.reply).toBe(reply);
    expect(ex.reply!.raw!.toString()).toBe('{"a":1}');
  });

  it('refuses a reply it cannot project rather than passing it whole', () => {
    const ex = exchange({ body: Buffer.from('x'), contentType: 'application/pdf', headers: {} }, [
      'a',
    ]);
    expect(gatewayError(() => stage(ex)).code).toBe('LT_POLICY_NO_GRANT');
  });
});
