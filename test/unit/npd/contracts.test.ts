import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import soap from 'soap';
import { ContractRegistry } from '../../../src/validation/contracts.js';
import { xmlContractLoader } from '../../../src/validation/xml.js';
import { compileXsd, type CompiledXsd } from '../../../src/xml/index.js';
import type { Message } from '../../../src/message/index.js';
import { NPD_OPERATIONS, REQUEST_ELEMENT } from '../../../adapters/npd/constants.js';
import { npdContractFiles } from '../../../adapters/npd/contracts-gen.js';
import { npdOutbound } from '../../../adapters/npd/outbound.js';
import { generatePopulation } from '../../../adapters/npd/population.js';
import { createRequestWriter } from '../../../adapters/npd/request.js';
import {
  createCollectionWriter,
  REPLY_FIELDS,
  verificationReply,
} from '../../../adapters/npd/sim-response.js';
import { startNpdSimulator, type NpdSimulator } from '../../../adapters/npd/simulator.js';
import { gatewayError, sampleReply } from '../xml/helpers.js';
import { exchange, jsonRequest } from './helpers.js';

const CONTRACTS = fileURLToPath(new URL('../../../contracts', import.meta.url));
const NPD_DIR = `${CONTRACTS}/npd`;
const population = generatePopulation({ seed: 11, size: 120 });
const json = (body: unknown): Message => ({ contentType: 'application/json', headers: {}, body });

let envelopeXsd: CompiledXsd;
let sim: NpdSimulator;
beforeAll(async () => {
  envelopeXsd = compileXsd(`${NPD_DIR}/envelope.xsd`);
  sim = await startNpdSimulator({ population });
});
afterAll(async () => {
  envelopeXsd.dispose();
  await sim.close();
});

describe('JSON contracts (contracts/npd/*.json)', () => {
  it('are exactly what canonical.ts defines (regenerate: npx tsx adapters/npd/contracts-gen.ts)', () => {
    for (const [name, schema] of Object.entries(npdContractFiles())) {
      expect({ name, schema: JSON.parse(readFileSync(`${NPD_DIR}/${name}`, 'utf8')) }).toEqual({
        name,
        schema,
      });
    }
  });

  const registry = new ContractRegistry(CONTRACTS);

  it('accept a canonical request and refuse bad ones with the rule', () => {
    const contract = registry.get('npd/TraCuuThongTinCongDan');
    contract.validateRequest(
      json({
        serviceCode: 'G15-TP110',
        officer: 'cb01',
        idNumber: '026092017345',
        birthDate: '19921122',
      }),
    );
    contract.validateRequest(
      json({
        serviceCode: 'G15-TP110',
        officer: 'cb01',
        oldIdNumber: '135123456',
        birthDate: '1992',
      }),
    );
    for (const bad of [
      { serviceCode: 'G15-TP110', officer: 'cb01' },
      { serviceCode: 'G15-TP110', officer: 'cb01', idNumber: '26092008262' },
      {
        serviceCode: 'G15-TP110',
        officer: 'cb01',
        idNumber: '026092017345',
        birthDate: '22/11/1992',
      },
      { serviceCode: 'G15-TP110', officer: 'cb01', idNumber: '026092017345', extra: 1 },
    ]) {
      expect(gatewayError(() => contract.validateRequest(json(bad))).code).toBe(
        'LT_CONTRACT_REQUEST',
      );
    }
  });

  it('describe what the adapter answers for every operation', async () => {
    const out = npdOutbound(
      {
        prefix: 'dan',
        nameForm: 'as-is',
        connections: 2,
        maxReplyBytes: 1 << 20,
        maxDepth: 64,
        maxNodes: 100000,
      },
      { name: 'npd', url: sim.url, log: undefined as never },
    );
    try {
      const c = population.citizens.find((x) => x.mother && x.representative)!;
      for (const op of NPD_OPERATIONS) {
        const ex = exchange();
        const reply = await out.send(
          jsonRequest(op, { serviceCode: 'G15-TP110', officer: 'cb01', idNumber: c.idNumber }),
          ex,
          ex.signal,
        );
        registry.get(`npd/${op}`).validateResponse(reply);
      }
      const broken = json({
        requestId: 'x',
        citizen: { idNumber: '026092017345', sex: { code: 1, name: 'Nam' } },
      });
      expect(
        gatewayError(() => registry.get('npd/TraCuuThongTinCongDan').validateResponse(broken)).code,
      ).toBe('LT_CONTRACT_RESPONSE');
    } finally {
      await out.close();
    }
  });
});

describe('XSD contracts (contracts/npd/envelope.xsd)', () => {
  it('validate the public sample reply and every request the adapter writes', () => {
    envelopeXsd.validate(sampleReply(), 'LT_CONTRACT_RESPONSE');
    envelopeXsd.validate(sampleReply('dc'), 'LT_CONTRACT_RESPONSE');
    for (const prefix of ['dan', 'qldc']) {
      const write = createRequestWriter({ prefix });
      for (const op of NPD_OPERATIONS) {
        for (const id of [{ idNumber: '026092017345' }, { oldIdNumber: '135123456' }]) {
          const xml = write(op, {
            requestId: 'r1',
            serviceCode: 'G15-TP110',
            integrationCode: '037',
            officer: 'cb',
            fullName: 'A',
            birthDate: '19921122',
            ...id,
          });
          envelopeXsd.validate(xml, 'LT_CONTRACT_REQUEST');
        }
      }
    }
  });

  it('validate every answer of the simulator, empty elements included', () => {
    const write = createCollectionWriter();
    for (const op of Object.keys(REPLY_FIELDS) as (keyof typeof REPLY_FIELDS)[]) {
      envelopeXsd.validate(
        write(op, population.citizens.slice(0, 8), { id: 'r', asOf: new Date().toISOString() }),
        'LT_CONTRACT_RESPONSE',
      );
      envelopeXsd.validate(write(op, [], { id: 'r', asOf: '' }), 'LT_CONTRACT_RESPONSE');
    }
    envelopeXsd.validate(verificationReply(false), 'LT_CONTRACT_RESPONSE');
  });

  it('name the element, the line and the rule when a message is wrong', () => {
    const wrongCode = sampleReply().replace(
      '<ns1:DanToc>01</ns1:DanToc>',
      '<ns1:DanToc>1</ns1:DanToc>',
    );
    const err = gatewayError(() => envelopeXsd.validate(wrongCode, 'LT_CONTRACT_RESPONSE'));
    expect(err.code).toBe('LT_CONTRACT_RESPONSE');
    expect(err.detail).toMatch(
      /line 11: Element '\{http:\/\/www\.mic\.gov\.vn\/dancu\/1\.0\}DanToc': \[facet 'pattern'\]/,
    );

    const write = createRequestWriter({ prefix: 'dan' });
    const outOfOrder = write('TraCuuThongTinCongDan', {
      requestId: 'r',
      serviceCode: 'S',
      officer: 'o',
      idNumber: '026092017345',
    }).replace(/(<dan:MaDVC>S<\/dan:MaDVC>)(<dan:MaCanBo>o<\/dan:MaCanBo>)/, '$2$1');
    const e2 = gatewayError(() => envelopeXsd.validate(outOfOrder, 'LT_CONTRACT_REQUEST'));
    expect(e2.code).toBe('LT_CONTRACT_REQUEST');
    expect(e2.detail).toContain('MaCanBo');
    expect(e2.detail).toContain('This element is not expected');
  });
});

describe('WSDL (contracts/npd/npd.wsdl)', () => {
  it('generates a working client with the soap package, against the simulator', async () => {
    const client = await soap.createClientAsync(`${NPD_DIR}/npd.wsdl`);
    const ops = Object.keys(client.describe().DanCuService.DanCuPort);
    expect(ops.sort()).toEqual([...NPD_OPERATIONS].sort());
    client.setEndpoint(`${sim.url}/npd`);
    const c = population.citizens[2];
    const [result] = await client.TraCuuThongTinCongDanAsync({
      MaYeuCau: 'r-1',
      MaDVC: 'G15-TP110',
      MaTichHop: '037',
      MaCanBo: 'cb01',
      SoDinhDanh: c.idNumber,
    });
    expect(result.CongDan.SoDinhDanh).toBe(c.idNumber);
    expect(result.CongDan.HoVaTen.Ten).toBe(c.fullName);
    const [verified] = await client.XacThucThongTinCongDanAsync({
      MaYeuCau: 'r-2',
      MaDichVu: 'G15-TP110',
      MaCanBo: 'cb01',
      SoDinhDanh: c.idNumber,
      SoCMND: '',
      HoVaTen: c.fullName,
    });
    expect(verified.TonTai).toBe(true);
    expect(REQUEST_ELEMENT.XacThucThongTinCongDan).toBe('XacThucThongTinCongDanRequest');
  });

  it('is what the gateway loads for XML contracts', async () => {
    const registry = new ContractRegistry(CONTRACTS, xmlContractLoader({ xsdWorker: false }));
    const msg: Message = {
      contentType: 'text/xml',
      headers: {},
      body: null,
      raw: Buffer.from(sampleReply()),
    };
    await registry.get('npd/TraCuuThongTinCongDan').validateResponse(msg);
  });
});
