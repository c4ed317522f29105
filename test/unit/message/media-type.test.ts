import { describe, expect, it } from '@jest/globals';
import {
  bodyKind,
  mediaTypeCacheSize,
  isJsonType,
  isXmlType,
  mediaTypeAcceptor,
  parseMediaType,
} from '../../../src/message/media-type.js';

describe('parseMediaType (RFC 9110 §8.3.1)', () => {
  it('lower-cases type, subtype and parameter names, keeps values, unquotes quoted-strings', () => {
    expect(parseMediaType('Text/XML ; Charset=UTF-8; action="urn:a;b\\"c"')).toEqual({
      essence: 'text/xml',
      type: 'text',
      subtype: 'xml',
      suffix: undefined,
      params: expect.objectContaining({ charset: 'UTF-8', action: 'urn:a;b"c' }),
    });
  });

  it('reads the structured syntax suffix', () => {
    expect(parseMediaType('application/problem+json')?.suffix).toBe('json');
    expect(parseMediaType('application/soap+xml')?.suffix).toBe('xml');
    expect(parseMediaType('application/+json')?.suffix).toBeUndefined();
  });

  it.each([
    undefined,
    '',
    'json',
    '/json',
    'application/',
    'appli cation/json',
    'application/json; charset',
    'application/json; =x',
    'application/json; a="unterminated',
    'application/json; a="',
    'application/json; a=b c',
    `application/json; x=${'a'.repeat(600)}`,
  ])('refuses %p', (v) => {
    expect(parseMediaType(v)).toBeUndefined();
  });

  it('ignores empty parameter slots (a trailing ";")', () => {
    expect(parseMediaType('application/json;')?.essence).toBe('application/json');
  });
});

describe('bodyKind: the one decision on what a body is written in', () => {
  it.each([
    ['application/json', 'json'],
    ['APPLICATION/JSON; charset=utf-8', 'json'],
    ['application/problem+json', 'json'],
    ['application/json; profile="text/xml"', 'json'],
    ['text/xml', 'xml'],
    ['Text/Xml; charset=utf-8', 'xml'],
    ['application/xml', 'xml'],
    ['application/soap+xml', 'xml'],
    ['text/plain; x=xml', 'other'],
    ['application/jsonx', 'other'],
    ['text/xmlx', 'other'],
    ['application/jose', 'jose'],
    ['application/x-www-form-urlencoded', 'form'],
    ['not a type', 'other'],
    [undefined, 'other'],
  ])('%p is %s', (ct, kind) => {
    expect(bodyKind(ct)).toBe(kind);
    // Asked again (the answer may now come from the cache): the same.
    expect(bodyKind(ct)).toBe(kind);
    expect(isJsonType(ct)).toBe(kind === 'json');
    expect(isXmlType(ct)).toBe(kind === 'xml');
  });

  it('answers the same for values past the cache size, which stays bounded', () => {
    for (let i = 0; i < 100; i++) expect(bodyKind(`application/x${i}+json`)).toBe('json');
    expect(bodyKind('text/xml; n=1000')).toBe('xml');
    expect(mediaTypeCacheSize()).toBe(64);
  });
});

describe('mediaTypeAcceptor', () => {
  const json = mediaTypeAcceptor(['application/json', '+json']);
  const soap = mediaTypeAcceptor(['Text/XML']);
  it.each([
    [json, 'application/json', true],
    [json, 'Application/Json; charset=utf-8', true],
    [json, 'application/merge-patch+json', true],
    [json, 'text/xml', false],
    [json, 'application/jsonx', false],
    [json, 'text/json', false],
    [json, undefined, false],
    [json, 'garbage', false],
    [soap, 'text/xml; charset=utf-8', true],
    [soap, 'TEXT/XML', true],
    [soap, 'application/soap+xml', false],
    [soap, 'application/xml', false],
  ])('%#: %p → %p', (accept, ct, ok) => {
    expect(accept(ct as string | undefined)).toBe(ok);
    expect(accept(ct as string | undefined)).toBe(ok);
  });

  it('answers the same once the remembered parses are full', () => {
    const a = mediaTypeAcceptor(['+json']);
    for (let i = 0; i < 100; i++) expect(a(`text/x${i}`)).toBe(false);
    expect(a('application/a+json')).toBe(true);
    expect(a('text/xml')).toBe(false);
    expect(mediaTypeCacheSize()).toBe(64);
  });
});
