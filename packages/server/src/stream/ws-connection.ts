import type { Engine } from '@weft/core';
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { apiError, toApiError } from '../errors/api-error.js';
import type { EventHub } from './event-hub.js';
import type { SinkLimits } from './sse-sink.js';
import { resolveTarget, type StreamQuery } from './stream-target.js';
import { type StreamTarget, Subscription } from './subscription.js';
import { closeSocket, sendJson, WsSink } from './ws-sink.js';

export interface WsContext {
  engine: Engine;
  hub: EventHub;
  limits: SinkLimits;
  maxQueue: number;
  log: FastifyBaseLogger;
}

const MAX_SUBSCRIPTIONS = 32;
const MAX_MESSAGE_BYTES = 16 * 1024;

interface ClientMessage extends StreamQuery {
  type?: unknown;
  id?: unknown;
}

/**
 * One WebSocket client: `{"type":"subscribe","id":"a","run":"<id>","after":12}` (or `workflow`,
 * or neither for every run), `{"type":"unsubscribe","id":"a"}`. The server answers `subscribed`,
 * `event`, `reset`, `error` and `heartbeat` messages; a query string subscribes at once as `default`.
 */
export function handleWsConnection(
  socket: WebSocket,
  initial: StreamQuery | undefined,
  ctx: WsContext,
): void {
  const subscriptions = new Map<string, Subscription>();
  const send = (message: object): void => sendJson(socket, message, ctx.limits.maxBufferBytes);
  let lastPong = Date.now();
  const heartbeat = setInterval(() => {
    // A client that has not answered pings for three heartbeats is gone (or hopelessly behind).
    if (Date.now() - lastPong > 3 * ctx.limits.heartbeatMs) return socket.terminate();
    socket.ping();
    send({ type: 'heartbeat', time: new Date().toISOString() });
  }, ctx.limits.heartbeatMs);
  heartbeat.unref();
  socket.on('pong', () => {
    lastPong = Date.now();
  });
  socket.on('close', () => {
    clearInterval(heartbeat);
    for (const sub of subscriptions.values()) sub.stop();
    subscriptions.clear();
  });

  const subscribe = async (id: string, query: StreamQuery): Promise<void> => {
    if (subscriptions.has(id))
      throw apiError('conflict', `subscription '${id}' exists; unsubscribe it first`);
    if (subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw apiError('rate_limited', `expected at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`);
    }
    const target = await resolveTarget(ctx.engine, query);
    if (socket.readyState !== socket.OPEN || subscriptions.has(id)) return;
    const sub = new Subscription(ctx.engine, ctx.hub, target, new WsSink(socket, id, ctx.limits), {
      maxQueue: ctx.maxQueue,
    });
    subscriptions.set(id, sub);
    send({ type: 'subscribed', id, target: describe(target) });
    sub.start();
  };

  const fail = (id: string | undefined, error: unknown): void => {
    const { body, internal } = toApiError(error, 'ws');
    if (internal) ctx.log.error({ err: error }, 'websocket message failed');
    send({ type: 'error', ...(id === undefined ? {} : { id }), error: body.error });
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    const message = parseMessage(data, isBinary);
    if (typeof message === 'string') return fail(undefined, apiError('invalid_request', message));
    const id = typeof message.id === 'string' && message.id !== '' ? message.id.slice(0, 100) : 'default';
    if (message.type === 'unsubscribe') {
      subscriptions.get(id)?.stop();
      subscriptions.delete(id);
      return send({ type: 'unsubscribed', id });
    }
    if (message.type !== 'subscribe') {
      const got = JSON.stringify(message.type);
      return fail(id, apiError('invalid_request', `expected type subscribe or unsubscribe, got ${got}`));
    }
    const query = queryOf(message);
    if (typeof query === 'string') return fail(id, apiError('invalid_request', query));
    subscribe(id, query).catch((error: unknown) => fail(id, error));
  });

  if (initial)
    subscribe('default', initial).catch((error: unknown) => {
      fail('default', error);
      closeSocket(socket, 'refused', 'the subscription in the URL was refused');
    });
}

function describe(target: StreamTarget): Record<string, string> {
  if (target.kind === 'run') return { run: target.run.id };
  return target.kind === 'workflow' ? { workflow: target.workflow } : {};
}

function parseMessage(data: RawData, isBinary: boolean): ClientMessage | string {
  if (isBinary) return 'expected text messages holding JSON';
  const text = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
  if (text.length > MAX_MESSAGE_BYTES) return `expected a message of at most ${MAX_MESSAGE_BYTES} bytes`;
  try {
    const value: unknown = JSON.parse(text.toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as ClientMessage;
    return 'expected a JSON object';
  } catch {
    return 'expected a JSON object';
  }
}

function queryOf(message: ClientMessage): StreamQuery | string {
  const query: StreamQuery = {};
  for (const field of ['run', 'workflow'] as const) {
    const value: unknown = message[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '' || value.length > 200)
      return `${field}: expected a non-empty string`;
    query[field] = value;
  }
  const after: unknown = message.after;
  if (
    after !== undefined &&
    typeof after !== 'string' &&
    !(typeof after === 'number' && Number.isSafeInteger(after) && after >= 0)
  ) {
    return 'after: expected a sequence number or a cursor string';
  }
  if (after !== undefined) query.after = after as string | number;
  return query;
}
