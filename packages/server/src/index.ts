/**
 * @weft/server — Weft's HTTP API: REST under /api/v1, OpenAPI, live events over SSE and
 * WebSocket, bearer tokens, Prometheus metrics, health checks.
 * @example
 * import { serve } from '@weft/server';
 * const server = await serve({ store: 'sqlite:.weft/weft.db' });
 * console.log(server.url); // http://127.0.0.1:7420
 */
export { isLoopbackHost } from './auth/loopback.js';
export { type ApiToken, parseApiTokens, type Scope } from './auth/tokens.js';
export { createServer, type ServerOptions } from './create-server.js';
export type { ApiErrorBody } from './errors/api-error.js';
export { type ApiErrorCode, HTTP_STATUS_BY_CODE } from './errors/http-status.js';
export type { EventJson, RunJson, RunSummaryJson, StepJson } from './runs/run-json.js';
export { type RunningServer, type ServeOptions, serve } from './serve.js';
export type { StreamEventJson } from './stream/stream-sink.js';
