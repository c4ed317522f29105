// The bare baseline of the queue scenario: amqplib alone, consume → publish with
// confirms → ack after the confirm; persistent, mandatory. No validation, no signature.
import amqp from 'amqplib';

const url = process.env.SHOVEL_URL!;
const from = process.env.SHOVEL_FROM!;
const to = process.env.SHOVEL_TO!;
const prefetch = Number(process.env.SHOVEL_PREFETCH ?? 32);
const conn = await amqp.connect(url);
const ch = await conn.createConfirmChannel();
await ch.prefetch(prefetch);
await ch.consume(from, (m) => {
  if (!m) return;
  ch.publish(
    '',
    to,
    m.content,
    {
      persistent: true,
      mandatory: true,
      messageId: m.properties.messageId,
      contentType: m.properties.contentType,
    },
    (err) => (err ? ch.nack(m) : ch.ack(m)),
  );
});
process.stderr.write(`READY ${url.replace(/\/\/.*@/, '//')}\n`);
process.on('SIGTERM', () => void conn.close().then(() => process.exit(0)));
