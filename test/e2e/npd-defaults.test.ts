import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// An endpoint's documented default (the NPD endpoint's serviceCode, MaDVC)
// works through the shipped routes: the pipeline fills it in before the
// contract is checked, and the contract, not the adapter, says what is required.
let gw: TestGateway;
let token: string;
let idNumber: string;

async function lookup(body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/v1/npd/citizens/lookup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  gw = await startTestGateway({ endpoints: { npd: { options: { serviceCode: 'G15-TP110' } } } });
  token = await demoToken(gw.url);
  const sim = gw.simulators.get('npd')!.url;
  const list = (await (await fetch(`${sim}/__sim/citizens?limit=1&status=1`)).json()) as any;
  idNumber = list.items[0].idNumber;
});

afterAll(async () => {
  await gw?.stop();
});

describe('endpoint defaults (apply-defaults stage)', () => {
  it('a request without serviceCode uses the endpoint’s', async () => {
    const r = await lookup({ officer: 'canbo01', idNumber });
    expect(r.status).toBe(200);
    expect(r.body.citizen.idNumber).toBe(idNumber);
    expect(gw.routes.get('npd-lookup')!.stageNames).toContain('apply-defaults');
  });

  it('the contract still says what is required of the caller', async () => {
    const noOfficer = await lookup({ idNumber });
    expect(noOfficer.status).toBe(422);
    expect(noOfficer.body.code).toBe('LT_CONTRACT_REQUEST');
    expect(JSON.stringify(noOfficer.body.violations)).toContain('officer');
    const noId = await lookup({ officer: 'canbo01' });
    expect(noId.body.code).toBe('LT_CONTRACT_REQUEST');
  });
});

describe('without an endpoint default', () => {
  it('a request without serviceCode is the contract’s refusal, not the adapter’s', async () => {
    const plain = await startTestGateway();
    try {
      expect(plain.routes.get('npd-lookup')!.stageNames).not.toContain('apply-defaults');
      const t = await demoToken(plain.url);
      const res = await fetch(`${plain.url}/v1/npd/citizens/lookup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ officer: 'canbo01', idNumber }),
      });
      const body = (await res.json()) as { code: string; violations: unknown };
      expect(res.status).toBe(422);
      expect(body.code).toBe('LT_CONTRACT_REQUEST');
      expect(JSON.stringify(body.violations)).toContain('serviceCode');
    } finally {
      await plain.stop();
    }
  });
});
