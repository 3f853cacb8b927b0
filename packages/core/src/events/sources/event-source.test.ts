import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../config/load-config.js';
import { toEventInput } from './event-source.js';

describe('event sources', () => {
  it('maps a message to an event: data is the JSON payload, type the subject or a field', () => {
    const body = Buffer.from(JSON.stringify({ kind: { name: 'order.paid' }, id: 1 }));
    expect(toEventInput({ subject: 'orders.paid', body }, 'subject', 'nats')).toEqual({
      type: 'orders.paid',
      source: 'nats',
      subject: 'orders.paid',
      data: { kind: { name: 'order.paid' }, id: 1 },
    });
    expect(toEventInput({ subject: 'q', body }, 'field:kind.name', 'amqp').type).toBe('order.paid');
    expect(() => toEventInput({ subject: 'q', body: 'nope' }, 'subject', 'amqp')).toThrow(
      /expected a JSON payload on 'q', got "nope"/,
    );
    expect(() => toEventInput({ subject: 'q', body: '{"a":1}' }, 'field:type', 'amqp')).toThrow(
      /expected a string 'type' field .* got nothing/,
    );
  });

  it('reads event_sources from weft.config.yaml with defaults, and rejects bad entries by line', () => {
    const config = parseConfigFile(
      'weft.config.yaml',
      'event_sources:\n  - { type: nats, subjects: [orders.>], durable: weft }\n  - { type: redis, streams: [s] }\n',
    );
    expect(config.event_sources).toEqual([
      {
        type: 'nats',
        url: 'nats://127.0.0.1:4222',
        subjects: ['orders.>'],
        durable: 'weft',
        type_from: 'subject',
      },
      { type: 'redis', url: 'redis://127.0.0.1:6379', streams: ['s'], group: 'weft', type_from: 'subject' },
    ]);
    expect(() =>
      parseConfigFile(
        'weft.config.yaml',
        'event_sources:\n  - { type: mqtt, topics: [a], type_from: body }\n',
      ),
    ).toThrow(/weft.config.yaml:2.*expected 'subject' or 'field:<name>'/);
    expect(() => parseConfigFile('weft.config.yaml', 'event_sources:\n  - { type: redis }\n')).toThrow(
      /expected channels or streams/,
    );
  });

  it('imports no broker client until a source of its type connects', () => {
    const files = ['nats-source', 'mqtt-source', 'amqp-source', 'redis-source', 'source-manager'];
    for (const file of files) {
      const text = readFileSync(new URL(`./${file}.ts`, import.meta.url), 'utf8');
      expect(text).not.toMatch(/^import (?!type).* from '(nats|mqtt|amqplib|ioredis)'/m);
    }
  });
});
