import type { Command } from 'commander';
import { Value } from '@sinclair/typebox/value';
import type { RouteDef } from '../../src/config/schema.js';
import { GatewayError } from '../../src/message/errors.js';
import { dlqOf } from '../../src/queue/schema.js';
import { safeUrl } from './connection.js';
import { listDeadLetters, purgeDeadLetters, replayDeadLetters, showDeadLetter } from './dlq.js';
import { AmqpInboundSchema } from './index.js';

/**
 * `lienthong dlq list|show|replay|purge <route>`: the dead-letter queue of a
 * route fed from RabbitMQ, found from the configuration (the route's broker
 * URL and queue). Output is JSON, one document; replay also prints one
 * `replayed` line per message to stderr, for the operator's record.
 */
export function dlqCommands(program: Command, routes: () => readonly RouteDef[]): void {
  const dlq = program.command('dlq').description('Dead-letter queues of RabbitMQ-fed routes');
  const target = (routeId: string) => {
    const route = routes().find((r) => r.id === routeId);
    if (!route || route.from.adapter !== 'amqp') {
      throw new GatewayError('LT_CONFIG_INVALID', `no route "${routeId}" fed from an amqp queue`);
    }
    const b = Value.Default(AmqpInboundSchema, structuredClone(route.from)) as {
      urls: string[];
      queue: string;
      deadLetterQueue?: string;
    };
    return { url: b.urls[0], queue: b.queue, dlq: dlqOf(b) };
  };
  const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));

  dlq
    .command('list <route>')
    .description('The dead letters (id, code, reason, attempts), left in place')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (routeId: string, o: { limit: string }) => {
      const t = target(routeId);
      print({
        queue: t.dlq,
        broker: safeUrl(t.url),
        items: await listDeadLetters(t.url, t.dlq, Number(o.limit)),
      });
    });
  dlq
    .command('show <route> <id>')
    .description('One dead letter with its headers and body')
    .action(async (routeId: string, id: string) => {
      const t = target(routeId);
      const m = await showDeadLetter(t.url, t.dlq, id);
      if (!m)
        throw new GatewayError('LT_ROUTE_NOT_FOUND', `no dead letter with id ${id} in ${t.dlq}`);
      print(m);
    });
  dlq
    .command('replay <route> [id]')
    .description(
      'Send dead letters (one id, or all) back through their route; attempts reset, history kept',
    )
    .action(async (routeId: string, id: string | undefined) => {
      const t = target(routeId);
      const done = await replayDeadLetters(t.url, t.dlq, { id, toQueue: t.queue });
      for (const d of done) {
        console.error(
          JSON.stringify({
            replayed: d.id,
            route: routeId,
            code: d.code,
            at: new Date().toISOString(),
          }),
        );
      }
      print({ queue: t.dlq, replayed: done.length });
    });
  dlq
    .command('purge <route>')
    .description('Delete every dead letter of the route')
    .action(async (routeId: string) => {
      const t = target(routeId);
      print({ queue: t.dlq, purged: await purgeDeadLetters(t.url, t.dlq) });
    });
}
