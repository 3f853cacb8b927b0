import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServeProcess, spawnRefused, spawnServe } from './process-support.js';
import { readSse, slowFlow, waitFor } from './support.js';
import { WsClient } from './ws-client.js';

const processes: ServeProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
});

async function serveIn(
  dir: string,
  options: object = {},
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const server = await spawnServe(
    { port: 0, store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir, ...options },
    env,
  );
  processes.push(server);
  return server;
}

async function api(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const TERMINAL = ['completed', 'failed', 'cancelled'];

describe('a real server process', () => {
  it('starts runs over HTTP and streams them over SSE and WebSocket, reconnecting without gap or repeat', async () => {
    const server = await serveIn(mkdtempSync(join(tmpdir(), 'weft-serve-')));
    const started = await api(`${server.url}/api/v1/runs`, {
      method: 'POST',
      body: JSON.stringify({ source: slowFlow(10, 30) }),
    });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;

    const ws = new WsClient(`${server.url.replace('http:', 'ws:')}/api/v1/stream?run=${runId}`);
    const first = await readSse(`${server.url}/api/v1/stream?run=${runId}`, {}, (m) => m.length >= 7);
    const rest = await readSse(
      `${server.url}/api/v1/stream?run=${runId}`,
      { headers: { 'last-event-id': first.at(-1)?.id ?? '' } },
      (m) => JSON.parse(m.at(-1)?.data ?? '{}').type === 'run.completed',
    );
    const sse = [...first, ...rest].map((m) => JSON.parse(m.data).seq as number);
    expect(sse).toEqual(Array.from({ length: sse.length }, (_, i) => i + 1));

    await ws.until((c) => c.events().at(-1)?.type === 'run.completed');
    expect(ws.events().map((e) => e.seq)).toEqual(sse);
    await ws.close();

    const events = await api(`${server.url}/api/v1/runs/${runId}/events?limit=1000`);
    expect((events.body.events as { seq: number }[]).map((e) => e.seq)).toEqual(sse);
  });

  it('resumes a waiting event step through its webhook URL', async () => {
    const server = await serveIn(mkdtempSync(join(tmpdir(), 'weft-serve-')));
    const source = `name: paid
steps:
  - { id: paid, type: event, event: payment.received, timeout: 1m }
  - { id: done, type: skill, skill: echo, inputs: { amount: "\${ steps.paid.output.amount }" } }
`;
    const runId = (
      await api(`${server.url}/api/v1/runs`, { method: 'POST', body: JSON.stringify({ source }) })
    ).body.id;
    const wait = await waitFor(async () => {
      const body = (await api(`${server.url}/api/v1/runs/${runId}`)).body as { waits: { webhook: string }[] };
      return body.waits[0];
    });
    const hook = await api(`${server.url}${wait.webhook}`, {
      method: 'POST',
      body: JSON.stringify({ amount: 12 }),
    });
    expect(hook.status).toBe(202);
    const run = await waitFor(async () => {
      const { body } = await api(`${server.url}/api/v1/runs/${runId}`);
      const r = body.run as { status: string; output: unknown };
      return TERMINAL.includes(r.status) ? r : undefined;
    });
    expect(run).toMatchObject({ status: 'completed', output: { amount: 12 } });
  });

  it('requires tokens when they are set, and then may listen beyond loopback', async () => {
    const token = 'process-token-0123456789';
    const server = await serveIn(
      mkdtempSync(join(tmpdir(), 'weft-serve-')),
      { host: '0.0.0.0' },
      { WEFT_API_TOKENS: `${token}:write` },
    );
    const url = server.url.replace('0.0.0.0', '127.0.0.1');
    expect((await api(`${url}/api/v1/runs`)).status).toBe(401);
    const ok = await api(`${url}/api/v1/runs`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect((await api(`${url}/healthz`)).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-serve-'));
    const { code, stderr } = await spawnRefused(
      { host: '0.0.0.0', port: 0, store: `sqlite:${join(dir, 'weft.db')}` },
      { WEFT_API_TOKENS: '' },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('refusing to listen on 0.0.0.0 without an API token');
    expect(stderr).toContain('WEFT_API_TOKENS');
  });

  it('shuts down on SIGTERM releasing its runs, which the next server recovers at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-serve-'));
    const first = await serveIn(dir);
    const started = await api(`${first.url}/api/v1/runs`, {
      method: 'POST',
      body: JSON.stringify({ source: slowFlow(40, 50) }),
    });
    const runId = started.body.id as string;
    await waitFor(
      async () =>
        ((await api(`${first.url}/api/v1/runs/${runId}`)).body.run as { last_seq: number }).last_seq > 4,
    );
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.stdout()).toContain('closed');

    const second = await serveIn(dir);
    expect(second.recovered).toBe(1);
    const status = await waitFor(async () => {
      const run = (await api(`${second.url}/api/v1/runs/${runId}`)).body.run as { status: string };
      return TERMINAL.includes(run.status) ? run.status : undefined;
    }, 20_000);
    expect(status).toBe('completed');
  });
});
