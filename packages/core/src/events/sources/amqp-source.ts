import type { Deliver, EventSource, SourceConnection } from './event-source.js';
import type { AmqpSourceSettings } from './source-settings.js';

/** AMQP 0-9-1 queues (RabbitMQ); a message is acked once its event is stored or skipped. */
export function amqpSource(settings: AmqpSourceSettings): EventSource {
  return {
    name: `amqp ${settings.url.replace(/\/\/[^@/]*@/, '//')}`,
    async connect(deliver: Deliver): Promise<SourceConnection> {
      const amqp = await import('amqplib');
      const connection = await amqp.connect(settings.url, { timeout: 2000 });
      const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
      connection.on('error', () => {});
      const channel = await connection.createChannel();
      await channel.prefetch(1);
      for (const queue of settings.queues) {
        await channel.assertQueue(queue, { durable: true });
        await channel.consume(queue, async (msg) => {
          if (!msg) return;
          await deliver({ subject: queue, body: msg.content });
          channel.ack(msg);
        });
      }
      return {
        closed,
        close: async () => {
          await connection.close().catch(() => {});
        },
      };
    },
  };
}
