import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractRegistry } from '../../../src/validation/contracts.js';
import { wsdlOperations, xmlContractLoader } from '../../../src/validation/xml.js';
import type { Message } from '../../../src/message/index.js';
import {
  NPD_OPERATIONS,
  NPD_REQUEST_NS,
  NPD_RESPONSE_NS,
  REQUEST_ELEMENT,
} from '../../../adapters/npd/constants.js';
import { createRequestWriter } from '../../../adapters/npd/request.js';
import { verificationReply } from '../../../adapters/npd/sim-response.js';
import { gatewayError, sampleReply } from '../xml/helpers.js';

// A grant for one operation reaches that one: each route's XML contract admits only
// its own request element in the Body (and only its own reply element back).
const CONTRACTS = fileURLToPath(new URL('../../../contracts', import.meta.url));
const registry = new ContractRegistry(CONTRACTS, xmlContractLoader({ xsdWorker: false }));
afterAll(() => registry.close());

const write = createRequestWriter({ prefix: 'dan' });
const request = (op: (typeof NPD_OPERATIONS)[number], idNumber = '026092017345') =>
  write(op, { requestId: 'r1', serviceCode: 'G15-TP110', officer: 'cb', idNumber });
const xml = (raw: string, contentType = 'text/xml; charset=utf-8'): Message => ({
  contentType,
  headers: {},
  body: null,
  raw: Buffer.from(raw),
});

async function codeOf(
  p: void | Promise<void> | (() => void | Promise<void>),
): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('per-operation XML contracts', () => {
  it('reads each operation’s input and output element from the WSDL', () => {
    const ops = wsdlOperations(`${CONTRACTS}/npd`);
    expect([...ops.keys()].sort()).toEqual([...NPD_OPERATIONS].sort());
    for (const op of NPD_OPERATIONS)
      expect(ops.get(op)!.input).toEqual({ ns: NPD_REQUEST_NS, name: REQUEST_ELEMENT[op] });
    expect(ops.get('TraCuuThongTinCongDan')!.output).toEqual({
      ns: NPD_RESPONSE_NS,
      name: 'CongdanCollection',
    });
    expect(ops.get('XacThucThongTinCongDan')!.output).toEqual({
      ns: NPD_REQUEST_NS,
      name: 'KetQuaXacThucResponse',
    });
  });

  it('refuses, at start-up, a WSDL operation whose message names no element', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-wsdl-'));
    try {
      writeFileSync(
        join(dir, 'x.wsdl'),
        `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:t" targetNamespace="urn:t">
          <wsdl:message name="In"><wsdl:part name="p" type="tns:T"/></wsdl:message>
          <wsdl:portType name="P"><wsdl:operation name="Op"><wsdl:input message="tns:In"/><wsdl:output message="tns:In"/></wsdl:operation></wsdl:portType>
        </wsdl:definitions>`,
      );
      expect(gatewayError(() => wsdlOperations(dir)).code).toBe('LT_CONFIG_INVALID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compiles an operation’s sets once, however often they are asked for', () => {
    const v = xmlContractLoader({ xsdWorker: false })(`${CONTRACTS}/npd`)!;
    try {
      expect(v.operation('TraCuuThongTinCongDan')).toBe(v.operation('TraCuuThongTinCongDan'));
      expect(v.operation('NoSuchOperation')).toBeUndefined();
    } finally {
      v.dispose();
    }
  });

  // 7 × 7: the operation's own request passes, every other one is refused.
  it.each(NPD_OPERATIONS.map((op) => [op]))(
    'npd/%s admits only its own request element',
    async (op) => {
      const contract = registry.get(`npd/${op}`);
      for (const other of NPD_OPERATIONS) {
        const code = await codeOf(contract.validateRequest(xml(request(other))));
        expect({ other, code }).toEqual({
          other,
          code: other === op ? undefined : 'LT_CONTRACT_REQUEST',
        });
      }
    },
  );

  it('admits only the operation’s own reply element', async () => {
    const lookup = registry.get('npd/TraCuuThongTinCongDan');
    const verify = registry.get('npd/XacThucThongTinCongDan');
    await lookup.validateResponse(xml(sampleReply()));
    await verify.validateResponse(xml(verificationReply(true)));
    expect(await codeOf(lookup.validateResponse(xml(verificationReply(true))))).toBe(
      'LT_CONTRACT_RESPONSE',
    );
    expect(await codeOf(verify.validateResponse(xml(sampleReply())))).toBe('LT_CONTRACT_RESPONSE');
    // A request is not a reply.
    expect(await codeOf(lookup.validateResponse(xml(request('TraCuuThongTinCongDan'))))).toBe(
      'LT_CONTRACT_RESPONSE',
    );
  });

  it('names the element it expected', async () => {
    const contract = registry.get('npd/TraCuuThongTinCongDan');
    const err = await Promise.resolve(
      contract.validateRequest(xml(request('CungCapThongTinHoGiaDinh'))),
    ).then(
      () => undefined,
      (e: unknown) => e as { detail?: string },
    );
    expect(err?.detail).toContain('CungCapThongTinHoGiaDinh');
    expect(err?.detail).toContain('TraCuuThongTinCongDan');
  });
});

describe('digits in the contracts are ASCII 0-9 (XSD \\d is any Unicode digit)', () => {
  const arabic = '\u0660\u0662\u0666\u0660\u0669\u0662\u0660\u0661\u0667\u0663\u0664\u0665';
  const fullwidth = '\uff10\uff12\uff16\uff10\uff19\uff12\uff10\uff11\uff17\uff13\uff14\uff15';
  const lookup = registry.get('npd/TraCuuThongTinCongDan');

  it.each([
    ['Arabic-Indic', arabic],
    ['fullwidth', fullwidth],
  ])('the XSD refuses a SoDinhDanh in %s digits, a reply too', async (_n, id) => {
    expect(await codeOf(lookup.validateRequest(xml(request('TraCuuThongTinCongDan', id))))).toBe(
      'LT_CONTRACT_REQUEST',
    );
    const reply = sampleReply().replaceAll('026092017345', id);
    expect(await codeOf(lookup.validateResponse(xml(reply)))).toBe('LT_CONTRACT_RESPONSE');
  });

  it('the XSD refuses other digit fields written in Arabic-Indic digits (MaTichHop, birth date)', async () => {
    const withCode = request('TraCuuThongTinCongDan').replace(
      '<dan:MaCanBo>',
      '<dan:MaTichHop>\u0660\u0663\u0667</dan:MaTichHop><dan:MaCanBo>',
    );
    expect(await codeOf(lookup.validateRequest(xml(withCode)))).toBe('LT_CONTRACT_REQUEST');
    const born = write('TraCuuThongTinCongDan', {
      requestId: 'r',
      serviceCode: 'S',
      officer: 'o',
      idNumber: '026092017345',
      birthDate: '\u0661\u0669\u0669\u0662',
    });
    expect(await codeOf(lookup.validateRequest(xml(born)))).toBe('LT_CONTRACT_REQUEST');
  });

  it.each([
    ['idNumber', arabic],
    ['idNumber', fullwidth],
    ['birthDate', '\u0661\u0669\u0669\u0662'],
    ['integrationCode', '\u0660\u0663\u0667'],
  ])('the JSON Schema refuses %s in non-ASCII digits', (field, value) => {
    const msg: Message = {
      contentType: 'application/json',
      headers: {},
      body: { serviceCode: 'S', officer: 'o', idNumber: '026092017345', [field]: value },
    };
    expect(gatewayError(() => lookup.validateRequest(msg)).code).toBe('LT_CONTRACT_REQUEST');
  });
});

describe('the media type picks the schema, by the shared parse', () => {
  const lookup = registry.get('npd/TraCuuThongTinCongDan');
  it('TEXT/XML is XML: the XSD checks it (a household body refused)', async () => {
    expect(
      await codeOf(lookup.validateRequest(xml(request('CungCapThongTinHoGiaDinh'), 'TEXT/XML'))),
    ).toBe('LT_CONTRACT_REQUEST');
    await lookup.validateRequest(xml(request('TraCuuThongTinCongDan'), 'Text/Xml; Charset=UTF-8'));
  });

  it('application/json with an xml-looking parameter is JSON: the JSON Schema checks it', () => {
    const msg: Message = {
      contentType: 'application/json; profile="text/xml"',
      headers: {},
      body: { serviceCode: 'S', officer: 'o', idNumber: '026092017345' },
    };
    expect(lookup.validateRequest(msg)).toBeUndefined();
    expect(
      gatewayError(() => lookup.validateRequest({ ...msg, body: { officer: 'o' } })).code,
    ).toBe('LT_CONTRACT_REQUEST');
  });

  it('a body in neither is refused, not checked as JSON', () => {
    const msg: Message = {
      contentType: 'text/plain',
      headers: {},
      body: { serviceCode: 'S', officer: 'o', idNumber: '026092017345' },
    };
    expect(gatewayError(() => lookup.validateRequest(msg)).code).toBe('LT_CONTRACT_REQUEST');
    expect(gatewayError(() => lookup.validateResponse(msg)).code).toBe('LT_CONTRACT_RESPONSE');
  });

  it('XML for a system without XSDs is refused', async () => {
    const local = registry.get('local/connection-test');
    expect(await codeOf(() => local.validateRequest(xml(request('TraCuuThongTinCongDan'))))).toBe(
      'LT_CONTRACT_REQUEST',
    );
  });

  it('XML for an operation the WSDL does not name is refused: no system-wide fallback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-contracts-'));
    try {
      cpSync(`${CONTRACTS}/npd`, join(dir, 'npd'), { recursive: true });
      writeFileSync(join(dir, 'npd', 'Extra.request.json'), '{"type":"object"}');
      const r = new ContractRegistry(dir, xmlContractLoader({ xsdWorker: false }));
      try {
        const extra = r.get('npd/Extra');
        expect(
          await codeOf(() => extra.validateRequest(xml(request('TraCuuThongTinCongDan')))),
        ).toBe('LT_CONTRACT_REQUEST');
      } finally {
        r.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
