import type { ServerResponse } from 'node:http';
import type { CloseReason, StreamEventJson, StreamSink } from './stream-sink.js';

export interface SinkLimits {
  /** Bytes written but not yet taken by the client before it is dropped; default 4 MiB. */
  maxBufferBytes: number;
  /** Comment lines that keep proxies from closing an idle stream; default every 15 s. */
  heartbeatMs: number;
  /** How long a replay waits for a client to read before dropping it; default 30 s. */
  drainTimeoutMs: number;
}

/**
 * Server-sent events on a hijacked response: `id:` is the resume cursor, `data:` the event JSON;
 * `event: reset` and `event: close` are control messages.
 */
export class SseSink implements StreamSink {
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    private readonly raw: ServerResponse,
    private readonly limits: SinkLimits,
    headers: Record<string, string>,
  ) {
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    raw.write(`retry: 2000\n: connected\n\n`);
    this.#heartbeat = setInterval(
      () => this.#write(`: heartbeat ${new Date().toISOString()}\n\n`),
      limits.heartbeatMs,
    );
    this.#heartbeat.unref();
    raw.on('close', () => this.#dispose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(event: StreamEventJson): void {
    this.#write(`id: ${event.cursor}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  reset(reason: string, message: string, cursor: string): void {
    this.#write(`id: ${cursor}\nevent: reset\ndata: ${JSON.stringify({ reason, message, cursor })}\n\n`);
  }

  drained(): Promise<void> {
    if (this.#closed || this.raw.writableLength < this.limits.maxBufferBytes / 2) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.close('slow_consumer', `the client read nothing for ${this.limits.drainTimeoutMs} ms`);
        done();
      }, this.limits.drainTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.raw.off('drain', done).off('close', done);
        resolve();
      };
      this.raw.on('drain', done).on('close', done);
    });
  }

  close(reason: CloseReason, message: string): void {
    if (this.#closed) return;
    // The last message goes after what is buffered: a slow client still learns why it was dropped.
    this.raw.end(`event: close\ndata: ${JSON.stringify({ reason, message })}\n\n`);
    this.#dispose();
    if (reason === 'slow_consumer') setTimeout(() => this.raw.destroy(), 5000).unref();
  }

  #write(text: string): void {
    if (this.#closed) return;
    this.raw.write(text);
    if (this.raw.writableLength > this.limits.maxBufferBytes) {
      this.close(
        'slow_consumer',
        `more than ${this.limits.maxBufferBytes} bytes were waiting for the client`,
      );
    }
  }

  #dispose(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
  }
}
