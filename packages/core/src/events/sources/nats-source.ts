import type { Deliver, EventSource, SourceConnection } from './event-source.js';
import type { NatsSourceSettings } from './source-settings.js';

/** NATS subjects; with `durable`, a JetStream durable consumer with explicit acks. */
export function natsSource(settings: NatsSourceSettings): EventSource {
  return {
    name: `nats ${settings.url}`,
    async connect(deliver: Deliver): Promise<SourceConnection> {
      const nats = await import('nats');
      // Reconnects are the source manager's job, so every outage is reported the same way.
      const nc = await nats.connect({ servers: settings.url, reconnect: false, timeout: 2000 });
      const pumps: Promise<void>[] = [];
      if (settings.durable === undefined) {
        for (const subject of settings.subjects) {
          const sub = nc.subscribe(subject);
          pumps.push(
            (async () => {
              for await (const msg of sub) await deliver({ subject: msg.subject, body: msg.data });
            })(),
          );
        }
      } else {
        const jsm = await nc.jetstreamManager();
        const first = settings.subjects[0] ?? '';
        const stream = settings.stream ?? (await jsm.streams.find(first));
        const filter =
          settings.subjects.length === 1 ? { filter_subject: first } : { filter_subjects: settings.subjects };
        await jsm.consumers.add(stream, {
          durable_name: settings.durable,
          ack_policy: nats.AckPolicy.Explicit,
          ...filter,
        });
        const consumer = await nc.jetstream().consumers.get(stream, settings.durable);
        const messages = await consumer.consume();
        pumps.push(
          (async () => {
            for await (const msg of messages) {
              await deliver({ subject: msg.subject, body: msg.data });
              msg.ack();
            }
          })(),
        );
      }
      // The server has our subscriptions once the flush returns: nothing published after is missed.
      await nc.flush();
      void Promise.all(pumps).catch(() => nc.close());
      return { closed: nc.closed(), close: () => nc.close() };
    },
  };
}
