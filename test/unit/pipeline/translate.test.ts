import { describe, expect, it } from '@jest/globals';
import type { Exchange, Message } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { translate } from '../../../src/pipeline/stages/translate.js';
import { routeDef } from '../../helpers/route.js';

// Catalog steps apply to JSON replies, as the shared media-type parse reads them.
const deps = {
  translators: new Map([['mark', (v: unknown) => ({ ...(v as object), translated: true })]]),
} as unknown as PipelineDeps;
const stage = translate.create(routeDef({ translate: ['mark'] }), deps)!;

function run(contentType: string) {
  const reply: Message = { contentType, headers: {}, body: { a: 1 }, raw: Buffer.from('{"a":1}') };
  const saw = stage({ reply } as unknown as Exchange);
  return { saw, reply };
}

describe('translate stage', () => {
  it.each(['application/json', 'Application/JSON; charset=utf-8', 'application/problem+json'])(
    'translates a %s reply and drops its stale bytes',
    (ct) => {
      const { saw, reply } = run(ct);
      expect(saw).toEqual({ steps: ['mark'] });
      expect(reply.body).toEqual({ a: 1, translated: true });
      expect(reply.raw).toBeUndefined();
    },
  );

  it.each(['text/xml', 'text/plain; x=json'])('leaves a %s reply as it is', (ct) => {
    const { saw, reply } = run(ct);
    expect(saw).toEqual({ skipped: 'not JSON' });
    expect(reply.body).toEqual({ a: 1 });
  });
});
