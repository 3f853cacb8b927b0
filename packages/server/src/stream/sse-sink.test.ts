import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SseSink } from './sse-sink.js';

/** A response whose client never reads: everything written stays buffered. */
class StuckResponse extends EventEmitter {
  written = '';
  writableLength = 0;
  ended = false;
  writeHead(): this {
    return this;
  }
  write(text: string): boolean {
    this.written += text;
    this.writableLength += Buffer.byteLength(text);
    return false;
  }
  end(text: string): void {
    this.written += text;
    this.ended = true;
  }
  destroy(): void {}
}

const event = (seq: number) => ({
  cursor: `r:${seq}`,
  workflow: 'w',
  run_id: 'r',
  seq,
  type: 'step.log',
  time: new Date(0).toISOString(),
  step_key: null,
  data: { message: 'x'.repeat(100) },
});

describe('SseSink', () => {
  it('writes id and data lines, and drops a client that lets too much pile up, saying why', () => {
    const raw = new StuckResponse();
    const sink = new SseSink(
      raw as unknown as ServerResponse,
      { maxBufferBytes: 1000, heartbeatMs: 60_000, drainTimeoutMs: 1000 },
      {},
    );
    sink.send(event(1));
    expect(raw.written).toContain('id: r:1\ndata: {"cursor":"r:1"');
    for (let seq = 2; seq < 20 && !sink.closed; seq++) sink.send(event(seq));
    expect(sink.closed).toBe(true);
    expect(raw.ended).toBe(true);
    expect(raw.written).toMatch(
      /event: close\ndata: \{"reason":"slow_consumer","message":"more than 1000 bytes/,
    );
  });

  it('waits for a client to read during a replay, and drops it when it does not', async () => {
    const raw = new StuckResponse();
    const sink = new SseSink(
      raw as unknown as ServerResponse,
      { maxBufferBytes: 400, heartbeatMs: 60_000, drainTimeoutMs: 50 },
      {},
    );
    raw.writableLength = 300;
    const started = Date.now();
    await sink.drained();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(sink.closed).toBe(true);
    expect(raw.written).toContain('read nothing for 50 ms');
  });
});
