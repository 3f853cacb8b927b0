import { afterEach, describe, expect, it } from 'vitest';
import { readSse, slowFlow, type TestServer, testServer, waitForRunEnd } from './support.js';
import { WsClient } from './ws-client.js';

let server: TestServer;
let base: string;
afterEach(async () => server?.close());

async function listening(options: Parameters<typeof testServer>[0] = {}): Promise<void> {
  server = await testServer(options);
  const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = address.replace('localhost', '127.0.0.1');
}

async function startRun(source: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function storedSeqs(runId: string): Promise<number[]> {
  return (await server.engine.store.getEvents(runId)).map((e) => e.seq);
}

const isEnd = (type: string | undefined) => type === 'run.completed' || type === 'run.failed';

describe('SSE', () => {
  it('streams a run, and a reconnect with Last-Event-ID goes on with no gap and no repeat', async () => {
    await listening();
    const runId = await startRun(slowFlow(12, 25));
    const first = await readSse(`${base}/api/v1/stream?run=${runId}`, {}, (m) => m.length >= 10);
    const last = first.at(-1)?.id;
    expect(last).toBe(`${runId}:10`);
    const rest = await readSse(
      `${base}/api/v1/stream?run=${runId}`,
      { headers: { 'last-event-id': last ?? '' } },
      (m) => isEnd(JSON.parse(m.at(-1)?.data ?? '{}').type),
    );
    const seqs = [...first, ...rest].map((m) => JSON.parse(m.data).seq);
    expect(seqs).toEqual(await storedSeqs(runId));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const event = JSON.parse(rest[0]?.data ?? '{}');
    expect(event).toMatchObject({ run_id: runId, workflow: 'slow', seq: 11, cursor: `${runId}:11` });
  });

  it('replays a finished run from `after` and follows a workflow from a cursor', async () => {
    await listening();
    const runId = await startRun(slowFlow(2, 1, 'quick'));
    await waitForRunEnd(server.engine, runId);
    const total = (await storedSeqs(runId)).length;
    const replay = await readSse(
      `${base}/api/v1/stream?run=${runId}&after=3`,
      {},
      (m) => m.length === total - 3,
    );
    expect(replay.map((m) => JSON.parse(m.data).seq)).toEqual(
      Array.from({ length: total - 3 }, (_, i) => i + 4),
    );
    let opened: () => void = () => {};
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const followed = readSse(
      `${base}/api/v1/stream?workflow=quick`,
      {},
      (m) => isEnd(JSON.parse(m.at(-1)?.data ?? '{}').type),
      { onOpen: opened },
    );
    await open;
    const second = await startRun(slowFlow(2, 1, 'quick'));
    await startRun(slowFlow(1, 1, 'other'));
    const live = await followed;
    expect(live.every((m) => JSON.parse(m.data).run_id === second)).toBe(true);
    expect(live.map((m) => JSON.parse(m.data).seq)).toEqual(await storedSeqs(second));
  });

  it('answers errors as JSON before the stream starts', async () => {
    await listening();
    const unknown = await fetch(`${base}/api/v1/stream?run=nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const both = await fetch(`${base}/api/v1/stream?run=a&workflow=b`);
    expect(both.status).toBe(400);
    const runId = await startRun(slowFlow(1, 1));
    const wrong = await fetch(`${base}/api/v1/stream?run=${runId}`, {
      headers: { 'last-event-id': 'other-run:3' },
    });
    expect(wrong.status).toBe(400);
  });

  it('sends heartbeats, says reset for a cursor it cannot resume, and close with a reason on shutdown', async () => {
    await listening({ stream: { heartbeatMs: 30 } });
    const res = await fetch(`${base}/api/v1/stream?after=0123abcd.7`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: reset');
    expect(text).toContain('"reason":"unknown_cursor"');
    const closing = server.app.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    expect(text).toMatch(/event: close\ndata: \{"reason":"shutting_down"/);
  });
});

describe('WebSocket', () => {
  it('streams a run, and a resubscription with `after` goes on with no gap and no repeat', async () => {
    await listening();
    const ws = base.replace('http:', 'ws:');
    const runId = await startRun(slowFlow(12, 25));
    const a = new WsClient(`${ws}/api/v1/stream`);
    await a.opened;
    a.send({ type: 'subscribe', id: 'r', run: runId });
    await a.until((c) => c.events('r').length >= 8);
    await a.close();
    const seen = a.events('r');
    const b = new WsClient(`${ws}/api/v1/stream?run=${runId}&after=${seen.at(-1)?.seq}`);
    await b.until((c) => isEnd(c.events().at(-1)?.type));
    await b.close();
    const seqs = [...seen, ...b.events()].map((e) => e.seq);
    expect(seqs).toEqual(await storedSeqs(runId));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('follows a workflow, resumes from a cursor after reconnecting, and reports errors', async () => {
    await listening({ stream: { heartbeatMs: 100 } });
    const ws = base.replace('http:', 'ws:');
    const a = new WsClient(`${ws}/api/v1/stream`);
    await a.opened;
    a.send({ type: 'subscribe', id: 'w', workflow: 'slow' });
    await a.until((c) => c.messages.some((m) => m.type === 'subscribed'));
    const runId = await startRun(slowFlow(10, 25));
    await a.until((c) => c.events('w').length >= 6);
    await a.close();
    const cursor = a.events('w').at(-1)?.cursor;
    const b = new WsClient(`${ws}/api/v1/stream`);
    await b.opened;
    b.send({ type: 'subscribe', id: 'w', workflow: 'slow', after: cursor });
    b.send({ type: 'subscribe', id: 'x', run: 'no-such-run' });
    b.send({ type: 'hello' });
    await b.until((c) => isEnd(c.events('w').at(-1)?.type) && c.messages.some((m) => m.type === 'heartbeat'));
    const seqs = [...a.events('w'), ...b.events('w')].map((e) => e.seq);
    expect(seqs).toEqual(await storedSeqs(runId));
    expect(b.messages.find((m) => m.type === 'error' && m.id === 'x')?.error?.code).toBe('not_found');
    expect(b.messages.find((m) => m.type === 'error' && m.id === 'default')?.error?.code).toBe(
      'invalid_request',
    );
    b.send({ type: 'unsubscribe', id: 'w' });
    await b.until((c) => c.messages.some((m) => m.type === 'unsubscribed'));
    const closing = b.closed;
    await server.app.close();
    await closing;
    expect(b.closeCode).toBe(1001);
    expect(b.closeReason).toContain('shutting_down');
  });

  it('refuses a subscription in the URL with an error message, then closes with 1008', async () => {
    await listening();
    const client = new WsClient(`${base.replace('http:', 'ws:')}/api/v1/stream?run=no-such-run`);
    await client.closed;
    expect(client.messages[0]).toMatchObject({ type: 'error', id: 'default', error: { code: 'not_found' } });
    expect(client.closeCode).toBe(1008);
    expect(client.closeReason).toContain('refused');
  });

  it('needs a token when tokens are configured (header or access_token)', async () => {
    const token = 'stream-token-0123456789';
    await listening({ auth: { tokens: [{ token, scope: 'read' }] } });
    const ws = base.replace('http:', 'ws:');
    await expect(new WsClient(`${ws}/api/v1/stream`).opened).rejects.toThrow(/401/);
    const byHeader = new WsClient(`${ws}/api/v1/stream`, { authorization: `Bearer ${token}` });
    await byHeader.opened;
    await byHeader.close();
    const byQuery = new WsClient(`${ws}/api/v1/stream?access_token=${token}`);
    await byQuery.opened;
    await byQuery.close();
  });
});
