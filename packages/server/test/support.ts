import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { createServer, type ServerOptions } from '../src/create-server.js';

export const HELLO = `name: hello
inputs:
  type: object
  properties: { name: { type: string } }
  required: [name]
steps:
  - id: greet
    type: skill
    skill: echo
    inputs: { greeting: "hello \${ inputs.name }" }
  - id: note
    type: skill
    skill: log
    inputs: { message: "greeted \${ inputs.name }" }
`;

/** A run that takes a while: `count` sleeps of `ms`, each followed by a log line. */
export function slowFlow(count: number, ms: number, name = 'slow'): string {
  const steps = Array.from(
    { length: count },
    (_, i) => `  - { id: s${i}, type: skill, skill: sleep, inputs: { duration: ${ms}ms } }
  - { id: l${i}, type: skill, skill: log, inputs: { message: "tick ${i}" } }`,
  );
  return `name: ${name}\nsteps:\n${steps.join('\n')}\n`;
}

export interface TestServer {
  app: FastifyInstance;
  engine: Engine;
  dir: string;
  close(): Promise<void>;
}

/** An engine on a real SQLite file in a fresh directory, and the API on it (not listening). */
export async function testServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-server-'));
  const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir });
  const app = await createServer({ engine, workflowsDir: dir, processMetrics: false, ...options });
  return {
    app,
    engine,
    dir,
    close: async () => {
      await app.close();
      await engine.close();
    },
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function waitForRunEnd(engine: Engine, runId: string): Promise<string> {
  return waitFor(async () => {
    const run = await engine.store.getRun(runId);
    return run && ['completed', 'failed', 'cancelled'].includes(run.status) ? run.status : undefined;
  });
}

/** One server-sent event as a client sees it. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads server-sent events from a streaming fetch until `stop` says so (or the stream ends).
 * @example const msgs = await readSse(url, { headers }, (m) => m.length === 3)
 */
export async function readSse(
  url: string,
  init: RequestInit,
  stop: (messages: SseMessage[]) => boolean,
  { timeoutMs = 15_000, onOpen }: { timeoutMs?: number; onOpen?: () => void } = {},
): Promise<SseMessage[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('SSE read timed out')), timeoutMs);
  const messages: SseMessage[] = [];
  try {
    const res = await fetch(url, { ...init, signal: abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`SSE answered ${res.status}: ${await res.text()}`);
    // The server subscribes before it sends the headers: from here on nothing is missed.
    onOpen?.();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message = parseBlock(block);
        if (message) messages.push(message);
        if (stop(messages)) return messages;
        end = buffer.indexOf('\n\n');
      }
    }
    return messages;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

function parseBlock(block: string): SseMessage | undefined {
  const message: SseMessage = { event: 'message', data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const at = line.indexOf(':');
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'id') message.id = value;
    else if (field === 'event') message.event = value;
    else if (field === 'data') {
      message.data += hasData ? `\n${value}` : value;
      hasData = true;
    }
  }
  return hasData ? message : undefined;
}
