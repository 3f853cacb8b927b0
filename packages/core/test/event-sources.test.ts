import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WeftEngine } from '../src/engine/engine.js';
import { type EventSources, startEventSources } from '../src/events/sources/source-manager.js';
import { type EventSourceSettings, eventSourcesSetting } from '../src/events/sources/source-settings.js';
import { eventually, stepEngine } from './support/step-engine.js';

/** One broker on this machine: how to configure a source on `name` and publish a raw message to it. */
interface BrokerCase {
  broker: string;
  settings(name: string, port?: number): unknown;
  publisher(name: string): Promise<{ publish(body: string): Promise<void>; close(): Promise<void> }>;
  /** A source has to exist before publishing (pub/sub) or not (queues, streams). */
  closedPort: number;
}

const CASES: BrokerCase[] = [
  {
    broker: 'nats',
    closedPort: 4,
    settings: (name, port = 4222) => ({
      type: 'nats',
      url: `nats://127.0.0.1:${port}`,
      subjects: [name],
      type_from: 'field:type',
    }),
    async publisher(name) {
      const { connect } = await import('nats');
      const nc = await connect({ servers: '127.0.0.1:4222' });
      return { publish: async (body) => nc.publish(name, body), close: () => nc.close() };
    },
  },
  {
    broker: 'nats jetstream (durable)',
    closedPort: 4,
    settings: (name, port = 4222) => ({
      type: 'nats',
      url: `nats://127.0.0.1:${port}`,
      subjects: [`${name}.>`],
      durable: `d-${name}`,
      type_from: 'field:type',
    }),
    async publisher(name) {
      const { connect } = await import('nats');
      const nc = await connect({ servers: '127.0.0.1:4222' });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: `S-${name}`, subjects: [`${name}.>`] });
      const js = nc.jetstream();
      return {
        publish: async (body) => {
          await js.publish(`${name}.in`, body);
        },
        close: async () => {
          await jsm.streams.delete(`S-${name}`);
          await nc.close();
        },
      };
    },
  },
  {
    broker: 'mqtt',
    closedPort: 4,
    settings: (name, port = 1883) => ({
      type: 'mqtt',
      url: `mqtt://127.0.0.1:${port}`,
      topics: [`${name}/#`],
      type_from: 'field:type',
    }),
    async publisher(name) {
      const mqtt = await import('mqtt');
      const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
      return {
        publish: async (body) => {
          await client.publishAsync(`${name}/in`, body, { qos: 1 });
        },
        close: () => client.endAsync(),
      };
    },
  },
  {
    broker: 'redis pub/sub',
    closedPort: 4,
    settings: (name, port = 6379) => ({
      type: 'redis',
      url: `redis://127.0.0.1:${port}`,
      channels: [name],
      type_from: 'field:type',
    }),
    async publisher(name) {
      const { Redis } = await import('ioredis');
      const redis = new Redis('redis://127.0.0.1:6379');
      return {
        publish: async (body) => {
          await redis.publish(name, body);
        },
        close: async () => {
          redis.disconnect();
        },
      };
    },
  },
  {
    broker: 'redis streams',
    closedPort: 4,
    settings: (name, port = 6379) => ({
      type: 'redis',
      url: `redis://127.0.0.1:${port}`,
      streams: [name],
      type_from: 'field:type',
    }),
    async publisher(name) {
      const { Redis } = await import('ioredis');
      const redis = new Redis('redis://127.0.0.1:6379');
      return {
        publish: async (body) => {
          await redis.xadd(name, '*', 'data', body);
        },
        close: async () => {
          await redis.del(name);
          redis.disconnect();
        },
      };
    },
  },
  {
    broker: 'amqp',
    closedPort: 4,
    settings: (name, port = 5672) => ({
      type: 'amqp',
      url: `amqp://guest:guest@127.0.0.1:${port}`,
      queues: [name],
      type_from: 'field:type',
    }),
    async publisher(name) {
      const amqp = await import('amqplib');
      const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
      const channel = await connection.createChannel();
      await channel.assertQueue(name, { durable: true });
      return {
        publish: async (body) => {
          channel.sendToQueue(name, Buffer.from(body));
        },
        close: async () => {
          await channel.deleteQueue(name);
          await connection.close();
        },
      };
    },
  },
];

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const parse = (raw: unknown): EventSourceSettings[] => eventSourcesSetting.parse([raw]);

function start(engine: WeftEngine, settings: EventSourceSettings[], warnings: string[] = []): EventSources {
  const sources = startEventSources(engine, settings, {
    warn: (message) => warnings.push(message),
    backoff: { minMs: 20, maxMs: 100 },
  });
  cleanup.push(() => sources.stop());
  return sources;
}

describe.each(CASES)('event source: $broker', (broker) => {
  it('resumes a waiting run with a message published there, skipping a malformed one', async () => {
    const name = `weft-${randomUUID().slice(0, 8)}`;
    const type = `order.paid.${name}`;
    const { engine } = await stepEngine();
    cleanup.push(() => engine.close());
    const publisher = await broker.publisher(name);
    cleanup.push(() => publisher.close());
    const handle = await engine.start({
      source: `name: pay\nsteps:\n  - { id: paid, type: event, event: ${type}, timeout: 20s }\n`,
    });
    await eventually(async () => (await engine.store.getWait(handle.runId, 'paid'))?.status === 'open');
    const warnings: string[] = [];
    const sources = start(engine, parse(broker.settings(name)), warnings);
    await eventually(async () => sources.status()[0]?.state === 'connected', 10_000);

    await publisher.publish('not json {');
    await publisher.publish(JSON.stringify({ order_id: 'no type here' }));
    await publisher.publish(JSON.stringify({ type, order_id: 'A-1' }));

    expect(await handle.result()).toMatchObject({ status: 'completed', output: { type, order_id: 'A-1' } });
    const [status] = sources.status();
    expect(status).toMatchObject({ state: 'connected', delivered: 1, skipped: 2 });
    expect(warnings.join('\n')).toMatch(/expected a JSON payload/);
    expect(warnings.join('\n')).toMatch(/expected a string 'type' field/);
    const step = (await engine.getRun(handle.runId))?.steps.find((s) => s.stepKey === 'paid');
    expect(step?.meta).toMatchObject({ event: { type, source: parse(broker.settings(name))[0]?.type } });
  });

  it('retries a broker that is down with backoff, reporting it, without crashing', async () => {
    const { engine } = await stepEngine();
    cleanup.push(() => engine.close());
    const warnings: string[] = [];
    const sources = start(engine, parse(broker.settings('weft-down', broker.closedPort)), warnings);
    await eventually(async () => (sources.status()[0]?.failures ?? 0) >= 3, 15_000);
    expect(sources.status()[0]).toMatchObject({ state: 'retrying', lastError: expect.any(String) });
    expect(warnings[0]).toMatch(/is unavailable .*; retrying in 20ms/);
    await sources.stop();
    expect(sources.status()[0]?.state).toBe('stopped');
  });
});
