import { describe, expect, it } from '@jest/globals';
import type { Exchange, Message } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { send } from '../../../src/pipeline/stages/send.js';
import { routeDef } from '../../helpers/route.js';

// The route names the provider's operation; what the message arrived with does not choose it.
const route = (operation?: string) =>
  routeDef({ from: { adapter: 'soap' }, to: { endpoint: 'e', operation } });

async function operationSent(routeOp: string | undefined, msgOp: string | undefined) {
  let sent: string | undefined;
  const endpoint = {
    name: 'e',
    adapter: 'npd',
    outbound: { idempotent: () => true },
    state: () => 'closed',
    call: async (msg: Message) => {
      sent = msg.operation;
      return { body: null, contentType: 'application/json', headers: {} };
    },
  };
  const deps = { endpoints: new Map([['e', endpoint]]) } as unknown as PipelineDeps;
  const stage = send.create(route(routeOp), deps)!;
  const request: Message = { body: null, contentType: 'text/xml', headers: {}, operation: msgOp };
  await stage({ request } as unknown as Exchange);
  return sent;
}

describe('send stage', () => {
  it("sends the route's operation, not the one the message carries", async () => {
    expect(await operationSent('TraCuuThongTinCongDan', 'CungCapThongTinHoGiaDinh')).toBe(
      'TraCuuThongTinCongDan',
    );
    expect(await operationSent('TraCuuThongTinCongDan', undefined)).toBe('TraCuuThongTinCongDan');
  });

  it('leaves the message its operation when the route names none', async () => {
    expect(await operationSent(undefined, 'Op')).toBe('Op');
  });
});
