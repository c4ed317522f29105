import type { Store } from '../../src/store/store.js';
import { STATUS_CODES, type MessageStatus } from './edxml/index.js';
import type { ReceivedRecord } from './documents.js';

/**
 * What the gateway remembers about documents, in the shared store, so every
 * instance answers the same: documents sent (for the status endpoint),
 * documents received (to answer them with a status), and the status messages
 * that came back. Keys are per axis endpoint (one agency's mailbox).
 *
 * Statuses are stored one key per status code: the store has no lists, and a
 * key per code needs no read-modify-write that two instances could race on.
 * A second message with the same code replaces the first (the latest counts).
 */

const SENT = 'vdxp-sent';
const RECEIVED = 'vdxp-received';
const STATUS = 'vdxp-status';
const ATTACHMENT = 'vdxp-attachment';

/** An attachment of a received document kept for its link (content in base64). */
export interface StoredAttachment {
  name: string;
  contentType: string;
  content: string;
}

export interface SentRecord {
  documentId: string;
  docId: string;
  to: string[];
  subject: string;
  sentAt: string;
}

export interface StatusEntry {
  code: string;
  meaning: string;
  description: string;
  timestamp: string;
  from: string;
  staff?: MessageStatus['StaffInfo'];
  docId: string;
}

const key = (...parts: string[]) => parts.join('|');

export class Tracking {
  constructor(
    private readonly store: Store,
    private readonly endpoint: string,
  ) {}

  sent(r: SentRecord): Promise<void> {
    return this.store.kvPut(SENT, key(this.endpoint, r.documentId), JSON.stringify(r));
  }

  async sentRecord(documentId: string): Promise<SentRecord | undefined> {
    const v = await this.store.kvGet(SENT, key(this.endpoint, documentId));
    return v === undefined ? undefined : (JSON.parse(v) as SentRecord);
  }

  received(r: ReceivedRecord): Promise<void> {
    return this.store.kvPut(RECEIVED, key(this.endpoint, r.documentId), JSON.stringify(r));
  }

  async receivedRecord(documentId: string): Promise<ReceivedRecord | undefined> {
    const v = await this.store.kvGet(RECEIVED, key(this.endpoint, documentId));
    return v === undefined ? undefined : (JSON.parse(v) as ReceivedRecord);
  }

  status(documentId: string, s: StatusEntry): Promise<void> {
    return this.store.kvPut(STATUS, key(this.endpoint, documentId, s.code), JSON.stringify(s));
  }

  /** The statuses of a document, in the order of their timestamps (then codes). */
  async statuses(documentId: string): Promise<StatusEntry[]> {
    const found = await Promise.all(
      Object.keys(STATUS_CODES).map((c) =>
        this.store.kvGet(STATUS, key(this.endpoint, documentId, c)),
      ),
    );
    return found
      .filter((v): v is string => v !== undefined)
      .map((v) => JSON.parse(v) as StatusEntry)
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.code.localeCompare(b.code));
  }

  attachment(
    docId: string,
    index: number,
    a: StoredAttachment,
    expiresAtMs: number,
  ): Promise<void> {
    return this.store.kvPut(
      ATTACHMENT,
      key(this.endpoint, docId, String(index)),
      JSON.stringify(a),
      expiresAtMs,
    );
  }

  async storedAttachment(docId: string, index: number): Promise<StoredAttachment | undefined> {
    const v = await this.store.kvGet(ATTACHMENT, key(this.endpoint, docId, String(index)));
    return v === undefined ? undefined : (JSON.parse(v) as StoredAttachment);
  }
}
