import { z } from 'zod';

const typeFrom = z
  .string()
  .regex(/^(subject|field:.+)$/, "expected 'subject' or 'field:<name>'")
  .default('subject') as z.ZodType<'subject' | `field:${string}`, string | undefined>;
const names = z.array(z.string().min(1)).min(1);

const nats = z.strictObject({
  type: z.literal('nats'),
  url: z.string().min(1).default('nats://127.0.0.1:4222'),
  subjects: names,
  /** JetStream durable consumer name; the stream is the one holding the subjects unless `stream` is given. */
  durable: z.string().min(1).optional(),
  stream: z.string().min(1).optional(),
  type_from: typeFrom,
});

const mqtt = z.strictObject({
  type: z.literal('mqtt'),
  url: z.string().min(1).default('mqtt://127.0.0.1:1883'),
  topics: names,
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
  type_from: typeFrom,
});

const redis = z
  .strictObject({
    type: z.literal('redis'),
    url: z.string().min(1).default('redis://127.0.0.1:6379'),
    channels: names.optional(),
    streams: names.optional(),
    /** Consumer group for streams (created at `$` when missing). */
    group: z.string().min(1).default('weft'),
    consumer: z.string().min(1).optional(),
    type_from: typeFrom,
  })
  .refine((value) => value.channels !== undefined || value.streams !== undefined, {
    message: 'expected channels or streams',
  });

const amqp = z.strictObject({
  type: z.literal('amqp'),
  url: z.string().min(1).default('amqp://guest:guest@127.0.0.1:5672'),
  queues: names,
  type_from: typeFrom,
});

/** `event_sources:` in weft.config.yaml: brokers whose messages become events (docs/events.md). */
export const eventSourcesSetting = z.array(z.discriminatedUnion('type', [nats, mqtt, redis, amqp]));

export type EventSourceSettings = z.output<typeof eventSourcesSetting>[number];
export type NatsSourceSettings = z.output<typeof nats>;
export type MqttSourceSettings = z.output<typeof mqtt>;
export type RedisSourceSettings = z.output<typeof redis>;
export type AmqpSourceSettings = z.output<typeof amqp>;
