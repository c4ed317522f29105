import { Type, type Static } from '@sinclair/typebox';
import type { BindingGroup, InboundBinding, InboundContext } from '../../src/adapter/spec.js';
import { GatewayError } from '../../src/message/errors.js';
import { deliveryOf, edxmlOfStatus, receivedRecord } from './documents.js';
import type { ParsedEdxml, Signer } from './edxml/index.js';
import { edxmlReader, readableOrNot, SIGNATURE_OPTIONS } from './reading.js';
import { isVdxpOutbound, type VdxpOutbound } from './outbound.js';
import type { ReceivedItem } from './axis/client.js';

/**
 * The mailbox poller: a background inbound that, per agency (an axis
 * endpoint), lists new documents or status messages every `intervalMs`,
 * fetches each, parses and validates it with the edXML codec (and verifies
 * its XML signature when configured), routes it through the pipeline
 * (`ctx.settle`), and only after the route succeeded acknowledges it with
 * updateStatus `done`.
 *
 * Once and only once, across instances: a `done` marker in the store is
 * written before the acknowledgement (an item listed again after a lost ack
 * is acknowledged, not delivered again), and each attempt at an item is
 * leased with `rememberOnce` (two instances polling the same mailbox: one
 * wins the lease, the other skips it). A refusal for good (the error table's
 * `retry: false`) and an item that still fails after `maxAttempts` are
 * acknowledged `fail`, and a document's sender gets a status 02 (rejected)
 * naming the code and reason.
 */

export const VdxpPollSchema = Type.Object(
  {
    adapter: Type.Literal('vdxp', { description: 'The VDXP mailbox poller' }),
    endpoint: Type.String({
      description: "The vdxp endpoint whose mailbox is polled (its agency's credentials)",
    }),
    messageType: Type.Union([Type.Literal('edoc'), Type.Literal('status')], {
      default: 'edoc',
      description: 'edoc: documents; status: status messages about documents sent',
    }),
    intervalMs: Type.Integer({ minimum: 50, default: 5000, description: 'Pause between polls' }),
    batchSize: Type.Integer({
      minimum: 1,
      maximum: 500,
      default: 20,
      description: 'Items handled per poll',
    }),
    leaseMs: Type.Integer({
      minimum: 1000,
      default: 120_000,
      description: 'How long one instance holds an item it is handling',
    }),
    maxAttempts: Type.Integer({
      minimum: 1,
      default: 5,
      description: 'Deliveries tried before the item is acknowledged fail',
    }),
    ...SIGNATURE_OPTIONS,
    attachments: Type.Union([Type.Literal('inline'), Type.Literal('links')], {
      default: 'inline',
      description:
        'inline: base64 in the JSON delivered; links: kept in the store for attachmentTtlMs and delivered as {linkBase}/{docId}/{index}',
    }),
    linkBase: Type.String({
      pattern: '^/',
      default: '/v1/vdxp/attachments',
      description: 'Path of the vdxp-http route (operation attachment) that serves the links',
    }),
    attachmentTtlMs: Type.Integer({
      minimum: 60_000,
      default: 7 * 24 * 3600_000,
      description: 'How long linked attachments are kept',
    }),
    rejectWithStatus: Type.Boolean({
      default: true,
      description: "Tell a refused document's sender with a status 02 message carrying the reason",
    }),
  },
  { additionalProperties: false },
);
export type VdxpPoll = Static<typeof VdxpPollSchema>;

const DONE = 'vdxp-done';
const ATTEMPTS = 'vdxp-attempts';
const LEASE = 'vdxp-lease';
/** How long a done marker outlives the item on the axis (a re-listing after that is delivered again). */
const DONE_TTL_MS = 30 * 24 * 3600_000;

export interface PollerCounts {
  polls: number;
  delivered: number;
  failed: number;
  retried: number;
  skipped: number;
  lastError?: string;
}

export function bindPoller(
  [{ binding, route }]: BindingGroup<VdxpPoll>,
  ctx: InboundContext,
): InboundBinding {
  const name = `vdxp poll ${binding.endpoint} ${binding.messageType}`;
  const log = ctx.log.child({ inbound: name });
  const read = edxmlReader(binding);
  const counts: PollerCounts = { polls: 0, delivered: 0, failed: 0, retried: 0, skipped: 0 };
  let cancel: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let axisOk = true;

  const outbound = (): VdxpOutbound => {
    const ep = ctx.endpoint(binding.endpoint).outbound;
    if (!isVdxpOutbound(ep))
      throw new GatewayError('LT_CONFIG_INVALID', `${binding.endpoint} is not a vdxp endpoint`);
    return ep;
  };
  outbound(); // a poller of an endpoint that is not a vdxp one stops the start-up, not each poll
  const itemKey = (docId: string) => `${binding.endpoint}|${docId}`;

  /** Acknowledges fail and, for a document, tells its sender why. */
  async function refuse(
    ep: VdxpOutbound,
    item: ReceivedItem,
    parsed: ParsedEdxml | undefined,
    err: GatewayError,
  ) {
    const reason = `${err.code}: ${err.detail ?? err.spec.en}`.slice(0, 500);
    if (binding.rejectWithStatus && parsed?.kind === 'document') {
      try {
        const about = receivedRecord(item.docId, parsed);
        const file = edxmlOfStatus(
          { documentId: about.documentId, statusCode: '02', description: reason },
          about,
          ep.self,
        );
        await ep.axis.sendEdoc(
          ep.signed(file),
          [{ OrganId: about.from, OrganName: about.fromName }],
          'status',
          ctx.shutdown,
        );
      } catch (e) {
        log.warn({ err: e, docId: item.docId }, 'the rejection status could not be sent');
      }
    }
    await ctx.store.kvPut(DONE, itemKey(item.docId), `fail ${err.code}`, Date.now() + DONE_TTL_MS);
    await ep.axis.updateStatus(item.docId, 'fail', ctx.shutdown);
    counts.failed++;
    log.warn({ docId: item.docId, code: err.code, reason }, 'axis item refused');
  }

  async function handle(ep: VdxpOutbound, item: ReceivedItem): Promise<void> {
    const key = itemKey(item.docId);
    const done = await ctx.store.kvGet(DONE, key);
    if (done !== undefined) {
      // Handled before and listed again: the acknowledgement was lost. Send it again only.
      counts.skipped++;
      await ep.axis.updateStatus(item.docId, done === 'done' ? 'done' : 'fail', ctx.shutdown);
      return;
    }
    const attempt = Number((await ctx.store.kvGet(ATTEMPTS, key)) ?? '0') + 1;
    // One lease per attempt: two instances reading the same attempt race for one key.
    if (!(await ctx.store.rememberOnce(LEASE, `${key}#${attempt}`, Date.now() + binding.leaseMs))) {
      counts.skipped++;
      return;
    }
    let file: Buffer | undefined;
    let parsed: ParsedEdxml | undefined;
    let signer: Signer | undefined;
    try {
      file = await ep.axis.getEdoc(item.docId, ctx.shutdown);
      ({ parsed, signer } = read(file));
    } catch (err) {
      if (err instanceof GatewayError && err.spec.blame === 'caller')
        return refuse(ep, item, file && readableOrNot(file), err);
      // The axis failed: the next poll tries again, as a new attempt.
      await ctx.store.kvPut(ATTEMPTS, key, String(attempt), Date.now() + DONE_TTL_MS);
      throw err;
    }
    if (parsed.kind !== (binding.messageType === 'edoc' ? 'document' : 'status'))
      return refuse(
        ep,
        item,
        parsed,
        new GatewayError('LT_EDXML_INVALID', `a ${parsed.kind} listed as ${binding.messageType}`),
      );
    if (parsed.kind === 'document') await ep.tracking.received(receivedRecord(item.docId, parsed));
    let linkOf: ((i: number) => string) | undefined;
    if (binding.attachments === 'links' && parsed.kind === 'document') {
      const until = Date.now() + binding.attachmentTtlMs;
      for (const [i, a] of parsed.attachments.entries())
        await ep.tracking.attachment(
          item.docId,
          i,
          {
            name: a.info.AttachmentName ?? '',
            contentType: a.info.ContentType ?? 'application/octet-stream',
            content: a.bytes().toString('base64'),
          },
          until,
        );
      linkOf = (i) => `${binding.linkBase}/${encodeURIComponent(item.docId)}/${i}`;
    }
    const body = deliveryOf(item.docId, parsed, signer, linkOf);
    const result = await ctx.settle({
      request: {
        body,
        raw: Buffer.from(JSON.stringify(body)),
        contentType: 'application/json',
        headers: { 'x-vdxp-doc-id': item.docId, 'x-vdxp-from': item.from },
      },
      channel: 'vdxp',
      routeId: route.id,
    });
    if (result.kind === 'done') {
      await ctx.store.kvPut(DONE, key, 'done', Date.now() + DONE_TTL_MS);
      await ep.axis.updateStatus(item.docId, 'done', ctx.shutdown);
      counts.delivered++;
      return;
    }
    if (result.kind === 'reject' || attempt >= binding.maxAttempts)
      return refuse(ep, item, parsed, result.error);
    await ctx.store.kvPut(ATTEMPTS, key, String(attempt), Date.now() + DONE_TTL_MS);
    counts.retried++;
    log.info({ docId: item.docId, code: result.code, attempt }, 'axis item left for a retry');
  }

  async function poll(): Promise<void> {
    counts.polls++;
    const ep = outbound();
    let items: ReceivedItem[];
    try {
      items = await ep.axis.getReceivedEdocList(binding.messageType, ctx.shutdown);
      axisOk = true;
    } catch (err) {
      axisOk = false;
      counts.lastError = (err as GatewayError).code ?? String(err);
      log.warn({ err }, 'mailbox could not be listed');
      return;
    }
    for (const item of items.slice(0, binding.batchSize)) {
      if (ctx.shutdown.aborted) return;
      try {
        await handle(ep, item);
      } catch (err) {
        counts.lastError = (err as GatewayError).code ?? String(err);
        log.warn({ err, docId: item.docId }, 'axis item left for the next poll');
      }
    }
  }

  return {
    name,
    async start() {
      cancel = ctx.scheduler.every(binding.intervalMs, () => {
        running = poll().finally(() => (running = undefined));
        return running;
      });
    },
    async stop(deadline) {
      cancel?.();
      if (running)
        await Promise.race([
          running,
          new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref()),
        ]);
    },
    // Ready whatever the axis does: every instance sees the same axis, and taking them all
    // out of the load balancer would stop the routes that do not use it (as for breakers).
    health: () => ({ ok: true, detail: { axisAnswered: axisOk, ...counts } }),
  };
}
