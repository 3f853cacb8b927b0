import type { WebSocket } from 'ws';
import type { SinkLimits } from './sse-sink.js';
import type { CloseReason, StreamEventJson, StreamSink } from './stream-sink.js';

/** WebSocket close codes for the reasons the server ends a connection. */
export const CLOSE_CODES: Record<CloseReason, number> = {
  slow_consumer: 1008,
  shutting_down: 1001,
  internal_error: 1011,
  refused: 1008,
};

/** Sends one JSON message; a client that lets too much pile up is dropped with a reason. */
export function sendJson(socket: WebSocket, message: object, maxBufferBytes: number): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.send(JSON.stringify(message));
  if (socket.bufferedAmount > maxBufferBytes) {
    closeSocket(socket, 'slow_consumer', `more than ${maxBufferBytes} bytes were waiting for the client`);
  }
}

/** Closes with a code and a reason (trimmed to the 123 bytes a close frame holds). */
export function closeSocket(socket: WebSocket, reason: CloseReason, message: string): void {
  if (socket.readyState === socket.CLOSING || socket.readyState === socket.CLOSED) return;
  socket.close(CLOSE_CODES[reason], Buffer.from(`${reason}: ${message}`).subarray(0, 123).toString());
  // A client that does not answer the close handshake is cut off.
  setTimeout(() => socket.terminate(), 5000).unref();
}

/** One subscription of a WebSocket connection: messages carry the subscription's id. */
export class WsSink implements StreamSink {
  constructor(
    private readonly socket: WebSocket,
    private readonly id: string,
    private readonly limits: SinkLimits,
  ) {}

  get closed(): boolean {
    return this.socket.readyState !== this.socket.OPEN;
  }

  send(event: StreamEventJson): void {
    sendJson(this.socket, { type: 'event', subscription: this.id, event }, this.limits.maxBufferBytes);
  }

  reset(reason: string, message: string, cursor: string): void {
    sendJson(
      this.socket,
      { type: 'reset', subscription: this.id, reason, message, cursor },
      this.limits.maxBufferBytes,
    );
  }

  async drained(): Promise<void> {
    const started = Date.now();
    while (!this.closed && this.socket.bufferedAmount > this.limits.maxBufferBytes / 2) {
      if (Date.now() - started > this.limits.drainTimeoutMs) {
        this.close('slow_consumer', `the client read nothing for ${this.limits.drainTimeoutMs} ms`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(reason: CloseReason, message: string): void {
    closeSocket(this.socket, reason, message);
  }
}
