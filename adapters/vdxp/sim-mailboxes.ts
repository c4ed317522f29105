import { randomUUID } from 'node:crypto';

/**
 * The axis simulator's state: registered agencies and, per receiver, the
 * documents and status messages sent to it. What the SDK's operations read
 * and change; the HTTP side is server.ts.
 */

export interface SimAgency {
  organId: string;
  name: string;
  systemId: string;
  secret: string;
  /** The LGSP variant's application (WSO2 consumer key and secret) for this agency. */
  consumerKey?: string;
  consumerSecret?: string;
}

export type ReceiveStatus = 'initial' | 'processing' | 'done' | 'fail';

/** One copy of a sent file, in one receiver's mailbox. */
export interface MailItem {
  readonly docId: string;
  readonly senderDocId: string;
  readonly from: string;
  readonly to: string;
  readonly messageType: 'edoc' | 'status';
  readonly file: Buffer;
  readonly createdAt: Date;
  status: ReceiveStatus;
  updatedAt: Date;
}

/** `yyyy/MM/dd HH:mm:ss`, the axis's timestamps. */
export function axisTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export class Mailboxes {
  private readonly agencies = new Map<string, SimAgency>();
  private readonly items = new Map<string, MailItem>();
  /** sender + file hash → senderDocId: the JDK re-sends a sendEdoc, the axis answers the same DocId. */
  private readonly sentOnce = new Map<string, string>();

  constructor(agencies: readonly SimAgency[]) {
    for (const a of agencies) this.register(a);
  }

  register(a: SimAgency): void {
    this.agencies.set(a.organId, a);
  }

  agency(organId: string): SimAgency | undefined {
    return this.agencies.get(organId);
  }

  bySystemId(systemId: string): SimAgency | undefined {
    for (const a of this.agencies.values()) if (a.systemId === systemId) return a;
    return undefined;
  }

  byConsumerKey(key: string): SimAgency | undefined {
    for (const a of this.agencies.values()) if (a.consumerKey === key) return a;
    return undefined;
  }

  list(): SimAgency[] {
    return [...this.agencies.values()];
  }

  /** Puts a copy in each receiver's mailbox; the same file from the same sender keeps its DocId. */
  send(
    from: string,
    to: readonly string[],
    messageType: 'edoc' | 'status',
    file: Buffer,
    fileHash: string,
  ): string {
    const onceKey = `${from}|${messageType}|${fileHash}|${[...to].sort().join(',')}`;
    const known = this.sentOnce.get(onceKey);
    if (known) return known;
    const senderDocId = randomUUID();
    const now = new Date();
    for (const receiver of to) {
      const docId = randomUUID();
      this.items.set(docId, {
        docId,
        senderDocId,
        from,
        to: receiver,
        messageType,
        file,
        createdAt: now,
        status: 'initial',
        updatedAt: now,
      });
    }
    this.sentOnce.set(onceKey, senderDocId);
    return senderDocId;
  }

  /** A receiver's pending items (not yet done or failed) of one type, oldest first. */
  received(organId: string, messageType: string): MailItem[] {
    return [...this.items.values()].filter(
      (i) =>
        i.to === organId &&
        i.messageType === messageType &&
        i.status !== 'done' &&
        i.status !== 'fail',
    );
  }

  /** What an agency has sent, one entry per receiver. */
  sent(organId: string): MailItem[] {
    return [...this.items.values()].filter((i) => i.from === organId);
  }

  /** An item its receiver may read and acknowledge. */
  item(organId: string, docId: string): MailItem | undefined {
    const i = this.items.get(docId);
    return i && i.to === organId ? i : undefined;
  }

  all(): MailItem[] {
    return [...this.items.values()];
  }
}
