import { afterAll, describe, expect, it } from '@jest/globals';
import { compileXsd, type CompiledXsd } from '../../../src/xml/index.js';
import {
  onXsdWorkerFailure,
  stopXsdWorker,
  xsdOffloadStats,
} from '../../../src/xml/xsd-offload.js';
import { GatewayMetrics } from '../../../src/server/metrics.js';
import { GatewayError } from '../../../src/message/errors.js';

// The schema of test/unit/xml/xsd.test.ts in one file: a 5-digit commune code.
const XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:m" elementFormDefault="qualified">
  <xs:element name="Wrap"><xs:complexType><xs:sequence>
    <xs:element name="Code"><xs:simpleType><xs:restriction base="xs:token"><xs:pattern value="\\d{5}"/></xs:restriction></xs:simpleType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>`;
const doc = (code: string) =>
  Buffer.from(`<m:Wrap xmlns:m="urn:m"><m:Code>${code}</m:Code></m:Wrap>`);

const compiled: CompiledXsd[] = [];
function offloaded(): CompiledXsd {
  const c = compileXsd({ main: 'main.xsd', files: { 'main.xsd': XSD } }, { offload: true });
  compiled.push(c);
  return c;
}
afterAll(() => compiled.forEach((c) => c.dispose()));

async function errorOf(p: Promise<void>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('XSD validation on the worker thread (src/xml/xsd-offload.ts)', () => {
  it('answers a valid document from the worker', async () => {
    const xsd = offloaded();
    const before = xsdOffloadStats();
    await xsd.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST');
    const after = xsdOffloadStats();
    expect(after.offloaded - before.offloaded).toBe(1);
    expect(after.valid - before.valid).toBe(1);
    expect(after.running).toBe(true);
  });

  it('gives an invalid document exactly the error the main thread gives', async () => {
    const xsd = offloaded();
    const bad = doc('9106');
    const sync = (() => {
      try {
        xsd.validate(bad, 'LT_CONTRACT_RESPONSE');
      } catch (err) {
        return err as GatewayError;
      }
      throw new Error('expected the sync validation to fail');
    })();
    const before = xsdOffloadStats();
    const async = await errorOf(xsd.validateAsync(bad, 'LT_CONTRACT_RESPONSE'));
    expect(xsdOffloadStats().offloaded - before.offloaded).toBe(1);
    expect(xsdOffloadStats().valid - before.valid).toBe(0);
    expect(async.code).toBe('LT_CONTRACT_RESPONSE');
    expect(async.detail).toBe(sync.detail);
    expect(async.detail).toMatch(/Code/);
  });

  it('answers each document of one batch on its own (documents of different lengths, two sets, valid and not)', async () => {
    const a = offloaded();
    const b = offloaded();
    const before = xsdOffloadStats();
    // Asked in the same turn, so they travel to the worker in one message, one buffer.
    const questions = [
      a.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST'),
      b.validateAsync(doc('9106'), 'LT_CONTRACT_RESPONSE'),
      a.validateAsync(
        Buffer.from(`<m:Wrap xmlns:m="urn:m">${' '.repeat(3000)}<m:Code>00001</m:Code></m:Wrap>`),
        'LT_CONTRACT_REQUEST',
      ),
      b.validateAsync(doc('<x/>'), 'LT_CONTRACT_RESPONSE'),
      a.validateAsync(doc('12345').subarray(0, 20), 'LT_CONTRACT_REQUEST'),
      b.validateAsync(doc('54321'), 'LT_CONTRACT_RESPONSE'),
    ];
    const outcomes = await Promise.all(
      questions.map((q) =>
        q.then(
          () => 'valid',
          (err: GatewayError) => err.code,
        ),
      ),
    );
    expect(outcomes).toEqual([
      'valid',
      'LT_CONTRACT_RESPONSE',
      'valid',
      'LT_CONTRACT_RESPONSE',
      'LT_XML_MALFORMED',
      'valid',
    ]);
    const after = xsdOffloadStats();
    expect(after.offloaded - before.offloaded).toBe(6);
    expect(after.valid - before.valid).toBe(3);
  });

  it('refuses DTDs before anything reaches the worker, and malformed XML with its position', async () => {
    const xsd = offloaded();
    const before = xsdOffloadStats();
    const xxe = Buffer.from(
      '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m:Wrap xmlns:m="urn:m">&x;</m:Wrap>',
    );
    expect((await errorOf(xsd.validateAsync(xxe, 'LT_CONTRACT_REQUEST'))).code).toBe(
      'LT_XML_DTD_FORBIDDEN',
    );
    expect(xsdOffloadStats().offloaded).toBe(before.offloaded);
    const malformed = await errorOf(
      xsd.validateAsync(
        Buffer.from('<m:Wrap xmlns:m="urn:m">\n<a></b></m:Wrap>'),
        'LT_CONTRACT_REQUEST',
      ),
    );
    expect(malformed.code).toBe('LT_XML_MALFORMED');
    expect(malformed.data).toMatchObject({ line: 2 });
  });

  it('survives the worker dying: a new one compiles the sets again and answers', async () => {
    const xsd = offloaded();
    await xsd.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST');
    const before = xsdOffloadStats();
    const told: unknown[] = [];
    onXsdWorkerFailure((err) => told.push(err));
    await stopXsdWorker();
    onXsdWorkerFailure(undefined);
    expect(xsdOffloadStats().workerFailures).toBe(before.workerFailures + 1);
    expect(String(told[0])).toMatch(/XSD worker exited/);
    await xsd.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST');
    expect(xsdOffloadStats().valid).toBe(before.valid + 1);
    expect((await errorOf(xsd.validateAsync(doc('x'), 'LT_CONTRACT_REQUEST'))).code).toBe(
      'LT_CONTRACT_REQUEST',
    );
  });

  it('reports where validations were answered on /metrics', async () => {
    const xsd = offloaded();
    await xsd.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST');
    const text = await new GatewayMetrics({ defaultMetrics: false }).registry.metrics();
    const valid = /lienthong_xsd_worker_validations_total\{answer="worker-valid"\} (\d+)/.exec(
      text,
    );
    expect(Number(valid?.[1])).toBe(xsdOffloadStats().valid);
    expect(Number(valid?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/lienthong_xsd_worker_validations_total\{answer="main-thread"\} \d+/);
  });

  it('stops the worker when the last set is disposed (a gateway closing)', async () => {
    const xsd = offloaded();
    await xsd.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST');
    expect(xsdOffloadStats().running).toBe(true);
    // Asked just before the close: its answer is dropped with the worker, and it
    // ends as an exchange cut by the shutdown does, not as an internal error.
    const late = xsd.validateAsync(doc('09106'), 'LT_CONTRACT_REQUEST');
    for (const c of compiled.splice(0)) c.dispose();
    expect(xsdOffloadStats().running).toBe(false);
    expect((await errorOf(late)).code).toBe('LT_SHUTTING_DOWN');
  });
});
