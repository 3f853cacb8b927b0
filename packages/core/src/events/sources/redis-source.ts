import { hostname } from 'node:os';
import type { Deliver, EventSource, SourceConnection } from './event-source.js';
import type { RedisSourceSettings } from './source-settings.js';

/** Redis pub/sub channels and streams (XREADGROUP in a consumer group, XACK after delivery). */
export function redisSource(settings: RedisSourceSettings): EventSource {
  return {
    name: `redis ${settings.url.replace(/\/\/[^@/]*@/, '//')}`,
    async connect(deliver: Deliver): Promise<SourceConnection> {
      const { Redis } = await import('ioredis');
      const options = {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        connectTimeout: 2000,
      };
      const clients = [new Redis(settings.url, options)];
      const closed = Promise.race(
        clients.map((client) => new Promise<void>((resolve) => client.once('end', () => resolve()))),
      );
      for (const client of clients) client.on('error', () => {});
      let stopping = false;
      const close = async () => {
        stopping = true;
        for (const client of clients) client.disconnect();
      };
      try {
        const [main] = clients as [InstanceType<typeof Redis>];
        await main.connect();
        if (settings.channels) {
          const sub = main.duplicate();
          sub.on('error', () => {});
          sub.once('end', () => main.disconnect());
          clients.push(sub);
          let chain = Promise.resolve();
          sub.on('message', (channel: string, body: string) => {
            chain = chain.then(() => deliver({ subject: channel, body }));
          });
          await sub.subscribe(...settings.channels);
        }
        if (settings.streams) {
          const reader = main.duplicate();
          reader.on('error', () => {});
          reader.once('end', () => main.disconnect());
          clients.push(reader);
          for (const stream of settings.streams) {
            await main.xgroup('CREATE', stream, settings.group, '$', 'MKSTREAM').catch((error: Error) => {
              if (!error.message.includes('BUSYGROUP')) throw error;
            });
          }
          const consumer = settings.consumer ?? `${hostname()}-${process.pid}`;
          void readStreams({ reader, main, settings, consumer, deliver, stopped: () => stopping }).catch(() =>
            main.disconnect(),
          );
        }
      } catch (error) {
        await close();
        throw error;
      }
      return { closed, close };
    },
  };
}

interface StreamReader {
  reader: import('ioredis').Redis;
  main: import('ioredis').Redis;
  settings: RedisSourceSettings;
  consumer: string;
  deliver: Deliver;
  stopped: () => boolean;
}

async function readStreams({ reader, main, settings, consumer, deliver, stopped }: StreamReader) {
  const streams = settings.streams ?? [];
  while (!stopped()) {
    const reply = (await reader.xreadgroup(
      'GROUP',
      settings.group,
      consumer,
      'COUNT',
      16,
      'BLOCK',
      1000,
      'STREAMS',
      ...streams,
      ...streams.map(() => '>'),
    )) as [string, [string, string[]][]][] | null;
    for (const [stream, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        await deliver({ subject: stream, body: payloadOf(fields) });
        await main.xack(stream, settings.group, id);
      }
    }
  }
}

/** An entry's `data` (or `payload`) field is the JSON payload; other entries are read as one object. */
function payloadOf(fields: string[]): string {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return record.data ?? record.payload ?? JSON.stringify(record);
}
