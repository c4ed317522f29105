import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { ERRORS } from '../../../src/message/errors.js';
import { parseSoapEnvelope, soapEnvelope } from '../../../src/xml/index.js';
import {
  copiedHeaders,
  formatClientId,
  formatServiceId,
  parseClientId,
  parseRestPath,
  parseServiceId,
  readXRoadHeader,
  requestHashOf,
  restClientOf,
  restPath,
  withHeaderBlocks,
  writeXRoadHeader,
  xroadFaultError,
  xroadFaultSource,
  xroadParties,
  type XRoadHeader,
} from '../../../src/xroad/index.js';
import { gatewayError } from '../../helpers/errors.js';

// The X-Road message protocol pieces shared by adapters/ndxp and adapters/npd (DOMAIN.md §1, R1.1).
const LIMITS = { maxBytes: 1 << 20, maxDepth: 32, maxNodes: 1000 };
const header: XRoadHeader = {
  client: parseClientId('VN/GOV/000.00.00.H57/LIENTHONG'),
  service: parseServiceId('VN/GOV/000.00.00.G10/NPD/TraCuuThongTinCongDan/v1'),
  id: '0190b1c2-0000-7000-8000-000000000001',
  protocolVersion: '4.0',
  userId: 'canbo01 & co',
};
const XRD = 'xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"';
const ID = 'xmlns:id="http://x-road.eu/xsd/identifiers"';
const client = `<xrd:client ${XRD} ${ID} id:objectType="SUBSYSTEM"><id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>000.00.00.H57</id:memberCode><id:subsystemCode>LT</id:subsystemCode></xrd:client>`;
const service = `<xrd:service ${XRD} ${ID} id:objectType="SERVICE"><id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>000.00.00.G10</id:memberCode><id:subsystemCode>NPD</id:subsystemCode><id:serviceCode>Op</id:serviceCode></xrd:service>`;
const idBlock = `<xrd:id ${XRD}>m-1</xrd:id>`;
const pv = `<xrd:protocolVersion ${XRD}>4.0</xrd:protocolVersion>`;
const read = (blocks: string | undefined) =>
  readXRoadHeader(
    parseSoapEnvelope(soapEnvelope('<m:Op xmlns:m="urn:m"/>', blocks), LIMITS).header,
  );

describe('identifiers', () => {
  it('round-trip in the INSTANCE/CLASS/MEMBER[/SUBSYSTEM] form, member codes being organisation ids', () => {
    expect(formatClientId(parseClientId('VN/GOV/000.00.00.H57'))).toBe('VN/GOV/000.00.00.H57');
    const s = parseServiceId('VN/GOV/000.00.00.G10/NPD/TraCuuThongTinCongDan/v1');
    expect(s).toMatchObject({
      memberCode: '000.00.00.G10',
      subsystemCode: 'NPD',
      serviceCode: 'TraCuuThongTinCongDan',
      serviceVersion: 'v1',
    });
    expect(formatServiceId(s)).toBe('VN/GOV/000.00.00.G10/NPD/TraCuuThongTinCongDan/v1');
  });

  it('refuse characters X-Road does not allow, too few or too many parts', () => {
    for (const bad of ['VN/GOV', 'VN/GOV/H57/A/B', 'VN/GOV/H 57', 'VN/GOV/<x>', 'VN//H57'])
      expect(gatewayError(() => parseClientId(bad)).code).toBe('LT_XROAD_HEADER_INVALID');
    expect(gatewayError(() => parseServiceId('VN/GOV/H57/Op')).code).toBe(
      'LT_XROAD_HEADER_INVALID',
    );
    expect(gatewayError(() => parseClientId('VN', 'LT_CONFIG_INVALID')).code).toBe(
      'LT_CONFIG_INVALID',
    );
  });

  it('the consumer configuration needs a provider subsystem and a usable service code', () => {
    expect(
      gatewayError(() => xroadParties({ client: 'VN/GOV/A/B', service: 'VN/GOV/C' }, 'e')).code,
    ).toBe('LT_CONFIG_INVALID');
    const p = xroadParties({ client: 'VN/GOV/A/B', service: 'VN/GOV/C/D' }, 'e');
    expect(gatewayError(() => p.service('has space')).code).toBe('LT_CONFIG_INVALID');
    expect(p.header('Op', 'x-1', 'officer')).toMatchObject({
      id: 'x-1',
      userId: 'officer',
      protocolVersion: '4.0',
    });
    const v = xroadParties(
      { client: 'VN/GOV/A/B', service: 'VN/GOV/C/D', serviceVersion: 'v3' },
      'e',
    );
    expect(formatServiceId(v.service('Op'))).toBe('VN/GOV/C/D/Op/v3');
  });
});

describe('SOAP headers', () => {
  it('are written escaped and read back the same', () => {
    const got = read(writeXRoadHeader(header));
    expect(got).toEqual(header);
    expect(writeXRoadHeader(header)).toContain('canbo01 &amp; co');
  });

  it('a missing mandatory header is LT_XROAD_HEADER_MISSING naming it', () => {
    expect(gatewayError(() => read(undefined)).code).toBe('LT_XROAD_HEADER_MISSING');
    expect(gatewayError(() => read('')).data?.header).toBe('client');
    const cases: [string, string][] = [
      [service + idBlock + pv, 'client'],
      [client + idBlock + pv, 'service'],
      [client + service + pv, 'id'],
      [client + service + idBlock, 'protocolVersion'],
    ];
    for (const [blocks, name] of cases) {
      const err = gatewayError(() => read(blocks));
      expect([err.code, err.data?.header]).toEqual(['LT_XROAD_HEADER_MISSING', name]);
    }
  });

  it('a malformed header is LT_XROAD_HEADER_INVALID', () => {
    const bad = [
      client + service + idBlock + `<xrd:protocolVersion ${XRD}>3.1</xrd:protocolVersion>`,
      client + client + service + idBlock + pv,
      client.replace('SUBSYSTEM', 'SERVICE') + service + idBlock + pv,
      client.replace('SUBSYSTEM', 'MEMBER') + service + idBlock + pv,
      client.replace('000.00.00.H57', '000 H57') + service + idBlock + pv,
      client + service.replace('<id:serviceCode>Op</id:serviceCode>', '') + idBlock + pv,
      client + service + `<xrd:id ${XRD}></xrd:id>` + pv,
      client.replace(
        '<id:memberClass>GOV</id:memberClass>',
        '<id:memberClass>GOV</id:memberClass><id:memberClass>X</id:memberClass>',
      ) +
        service +
        idBlock +
        pv,
    ];
    for (const blocks of bad)
      expect(gatewayError(() => read(blocks)).code).toBe('LT_XROAD_HEADER_INVALID');
  });

  it('headers of other namespaces are left alone, and copied back in the order received', () => {
    const other =
      '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:op</wsa:Action>';
    const blocks = other + pv + idBlock + service + client;
    expect(read(blocks).id).toBe('m-1');
    const env = parseSoapEnvelope(soapEnvelope('<m:Op xmlns:m="urn:m"/>', blocks), LIMITS);
    const copied = copiedHeaders(env.header);
    const names = parseSoapEnvelope(soapEnvelope('<x/>', copied), LIMITS).header!.children.map(
      (k) => k.name,
    );
    expect(names).toEqual(['Action', 'protocolVersion', 'id', 'service', 'client']);
  });

  it('requestHash is the base64 SHA-512 of the message bytes; an unknown algorithm is refused', () => {
    const msg = Buffer.from(soapEnvelope('<x/>', ''));
    expect(requestHashOf(msg)).toBe(createHash('sha512').update(msg).digest('base64'));
    expect(requestHashOf(msg, 'http://www.w3.org/2001/04/xmlenc#sha256')).toBe(
      createHash('sha256').update(msg).digest('base64'),
    );
    expect(gatewayError(() => requestHashOf(msg, 'urn:md5')).code).toBe('LT_XROAD_HEADER_INVALID');
  });

  it('header blocks go into the gateway\u2019s own empty Header only', () => {
    const filled = withHeaderBlocks(Buffer.from(soapEnvelope('<x/>', '')), pv);
    expect(parseSoapEnvelope(filled, LIMITS).header!.children[0].name).toBe('protocolVersion');
    expect(gatewayError(() => withHeaderBlocks(Buffer.from(soapEnvelope('<x/>')), pv)).code).toBe(
      'LT_INTERNAL',
    );
  });
});

describe('REST profile', () => {
  it('paths carry the service id, and parse back with the service\u2019s own path', () => {
    const s = parseServiceId('VN/GOV/000.00.00.G10/NPD/lookup');
    expect(restPath(s, '/citizens')).toBe('/r1/VN/GOV/000.00.00.G10/NPD/lookup/citizens');
    const back = parseRestPath('/r1/VN/GOV/000.00.00.G10/NPD/lookup/citizens?x=1');
    expect(formatServiceId(back.service)).toBe('VN/GOV/000.00.00.G10/NPD/lookup');
    expect(back.rest).toBe('/citizens?x=1');
    expect(gatewayError(() => parseRestPath('/r1/VN/GOV')).code).toBe('LT_XROAD_HEADER_INVALID');
    for (const bad of ['/x/..', '/x/%2e%2e/y', '/a%2Fb', '/a b', '/a\r\nb'])
      expect(gatewayError(() => parseRestPath(`/r1/VN/GOV/M/S/code${bad}`)).code).toBe(
        'LT_XROAD_HEADER_INVALID',
      );
    expect(gatewayError(() => parseRestPath('/r1/VN/GOV/%E0%A4%A/NPD/x')).code).toBe(
      'LT_XROAD_HEADER_INVALID',
    );
  });

  it('X-Road-Client is mandatory and must be a client id', () => {
    expect(gatewayError(() => restClientOf({})).code).toBe('LT_XROAD_HEADER_MISSING');
    expect(gatewayError(() => restClientOf({ 'x-road-client': 'nope' })).code).toBe(
      'LT_XROAD_HEADER_INVALID',
    );
    expect(restClientOf({ 'x-road-client': 'VN/GOV/A/B' }).subsystemCode).toBe('B');
  });
});

describe('X-Road faults', () => {
  it('keep their source and map to codes blamed on the provider (the breaker counts them)', () => {
    const cases: [string, string, string][] = [
      ['Server.ServerProxy.AccessDenied', 'LT_XROAD_ACCESS_DENIED', 'Server.ServerProxy'],
      ['Server.ServerProxy.UnknownService', 'LT_XROAD_UNKNOWN_MEMBER', 'Server.ServerProxy'],
      ['Server.ClientProxy.UnknownMember', 'LT_XROAD_UNKNOWN_MEMBER', 'Server.ClientProxy'],
      ['Server.ClientProxy.NetworkError', 'LT_XROAD_UNREACHABLE', 'Server.ClientProxy'],
      ['Client.InvalidSoap', 'LT_XROAD_FAULT', 'Client'],
      ['Server.ServerProxy.ServiceFailed.InternalError', 'LT_XROAD_FAULT', 'Server.ServerProxy'],
    ];
    for (const [type, code, source] of cases) {
      const err = xroadFaultError('ss', type, 'words of the server', 500);
      expect([err.code, err.data?.source, err.data?.xroadFault]).toEqual([code, source, type]);
      expect(ERRORS[err.code].blame).toBe('provider');
      expect(err.detail).not.toContain('words of the server');
    }
  });

  it('a provider\u2019s own faultcode is not an X-Road fault', () => {
    for (const code of ['soap:Server', 'Server', 'Client', 'soapenv:Client.Auth', 'Server.Other.X'])
      expect(xroadFaultSource(code)).toBeUndefined();
  });
});
