import { createHmac } from 'node:crypto';
import { bodyKind } from '../message/media-type.js';
import type { Message } from '../message/index.js';
import { isXmlElement, type XmlElement } from '../xml/index.js';

/**
 * Citizen ids in the log are keyed digests (HMAC-SHA-256 under
 * `audit.subjectKey`), not the ids: a search by citizen computes the same
 * digest, while someone reading a copy of the log without the key cannot
 * list who was looked up, and the 12-digit ids (a small space) cannot be
 * found by trying them all without the key. Where a connection requires
 * the shared content (`audit.content`), the id is in the content anyway.
 */
export function subjectDigest(key: string, citizenId: string): string {
  return createHmac('sha256', key).update(citizenId.trim()).digest('base64url');
}

const segments = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));

/**
 * The values at request fields (`audit.subjects`, `audit.officer`): JSON pointers on a JSON
 * body, child element names of the SOAP operation element on an XML one.
 * Never throws: a request of another shape has no subject to record (its
 * refusal is the validating stages' business).
 */
export function fieldValues(msg: Message, pointers: readonly string[]): string[] {
  const out: string[] = [];
  const xml = bodyKind(msg.contentType) === 'xml';
  for (const ptr of pointers) {
    const parts = segments(ptr);
    if (xml) {
      if (!isXmlElement(msg.body)) continue;
      const root = msg.body;
      let level: XmlElement[] = [root];
      for (const p of parts)
        level = level.flatMap((el) => el.children.filter((k) => k.name === p && k.ns === root.ns));
      for (const el of level) if (!el.children.length && el.text.trim()) out.push(el.text.trim());
    } else {
      let cur: unknown = msg.body;
      for (const p of parts)
        cur =
          cur !== null && typeof cur === 'object' && !Array.isArray(cur)
            ? (cur as Record<string, unknown>)[p]
            : undefined;
      if (typeof cur === 'string' && cur.trim()) out.push(cur.trim());
    }
  }
  return out;
}
