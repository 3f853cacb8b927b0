import type { EventJson } from '../runs/run-json.js';

/** An event as the stream sends it: the REST event shape plus its workflow and resume cursor. */
export interface StreamEventJson extends EventJson {
  cursor: string;
  workflow: string;
}

/** Why the server ended a stream: sent to the client before it closes. */
export type CloseReason = 'slow_consumer' | 'shutting_down' | 'internal_error' | 'refused';

/** Where a subscription writes: an SSE response or one WebSocket subscription. */
export interface StreamSink {
  readonly closed: boolean;
  send(event: StreamEventJson): void;
  /** The resume point given cannot be honoured: the client must reload state, then go on from here. */
  reset(reason: 'cursor_expired' | 'unknown_cursor', message: string, cursor: string): void;
  /** Resolves when the client has read most of what was sent (used while replaying history). */
  drained(): Promise<void>;
  close(reason: CloseReason, message: string): void;
}
