import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEngine, defineSkill, WeftError } from '@weft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../src/create-server.js';
import { HELLO, slowFlow, type TestServer, testServer, waitForRunEnd } from './support.js';

let server: TestServer;
const httpServers: Server[] = [];
afterEach(async () => {
  await server?.close();
  for (const s of httpServers.splice(0)) s.close();
});

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const tokens = [
  { token: READ, scope: 'read' as const },
  { token: WRITE, scope: 'write' as const },
  { token: ADMIN, scope: 'admin' as const },
];

const call = (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { payload?: object; token?: string } = {},
) =>
  server.app.inject({
    method,
    url,
    ...(options.payload ? { payload: options.payload } : {}),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });

const FAILING = `name: billing
steps:
  - { id: prepare, type: skill, skill: echo, inputs: { ok: true } }
  - { id: charge, type: skill, skill: charge, inputs: { amount: 5 } }
`;

/** A server whose engine has a `charge` skill that fails unless its input says `ok: true`. */
async function dlqServer(): Promise<{ runId: string; entryId: string }> {
  server = await testServer();
  server.engine.registerSkill(
    defineSkill<{ ok?: boolean }>({
      name: 'charge',
      run(input) {
        if (input.ok !== true) throw new WeftError('skill_error', 'card declined');
        return { charged: true };
      },
    }),
  );
  const result = await (await server.engine.start({ source: FAILING })).result();
  expect(result.status).toBe('failed');
  const [entry] = await server.engine.dlq.list();
  return { runId: result.runId, entryId: entry!.id };
}

describe('dead-letter queue routes', () => {
  it('lists entries with the workflow and since filters, and gets one', async () => {
    const { runId, entryId } = await dlqServer();
    const list = await call('GET', '/api/v1/dlq');
    expect(list.statusCode).toBe(200);
    expect(list.json().entries).toEqual([
      {
        id: entryId,
        workflow: 'billing',
        version: null,
        run_id: runId,
        step_key: 'charge',
        step_id: 'charge',
        attempt: 1,
        attempts: 1,
        input: { amount: 5 },
        error: expect.objectContaining({ code: 'skill_error', message: 'card declined' }),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect((await call('GET', '/api/v1/dlq?workflow=billing')).json().entries).toHaveLength(1);
    expect((await call('GET', '/api/v1/dlq?workflow=other')).json().entries).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await call('GET', `/api/v1/dlq?since=${future}`)).json().entries).toEqual([]);
    expect((await call('GET', '/api/v1/dlq?since=2000-01-01T00:00:00Z')).json().entries).toHaveLength(1);

    const one = await call('GET', `/api/v1/dlq/${entryId}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(list.json().entries[0]);
  });

  it('answers 400 for bad filters and 404 for an unknown entry', async () => {
    server = await testServer();
    const bad = await call('GET', '/api/v1/dlq?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    expect((await call('GET', '/api/v1/dlq?limit=0')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/dlq?colour=red')).statusCode).toBe(400);
    const missing = await call('GET', '/api/v1/dlq/no-such-entry');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('no-such-entry'),
    });
    expect((await call('POST', '/api/v1/dlq/no-such-entry/replay')).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/dlq/no-such-entry')).statusCode).toBe(404);
  });

  it('replays an entry with an edited input: the run completes, the entry is gone', async () => {
    const { runId, entryId } = await dlqServer();
    const invalid = await call('POST', `/api/v1/dlq/${entryId}/replay`, { payload: { inputs: {} } });
    expect(invalid.statusCode).toBe(400);
    const res = await call('POST', `/api/v1/dlq/${entryId}/replay`, { payload: { input: { ok: true } } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: entryId, run_id: runId });
    expect(await waitForRunEnd(server.engine, runId)).toBe('completed');
    expect((await call('GET', '/api/v1/dlq')).json().entries).toEqual([]);
    expect((await call('POST', `/api/v1/dlq/${entryId}/replay`)).statusCode).toBe(404);
  });

  it('replays without a body (the step fails again), and answers 409 for a rolled-back run', async () => {
    const { runId, entryId } = await dlqServer();
    const replay = await call('POST', `/api/v1/dlq/${entryId}/replay`);
    expect(replay.statusCode).toBe(200);
    expect(await waitForRunEnd(server.engine, runId)).toBe('failed');
    expect((await call('GET', '/api/v1/dlq')).json().entries).toMatchObject([{ run_id: runId, attempts: 2 }]);

    const saga = await (
      await server.engine.start({
        source: `name: billing-saga
on_error: rollback
steps:
  - { id: prepare, type: skill, skill: echo, inputs: { ok: true }, compensate: [ { id: undo, type: skill, skill: echo, inputs: { undo: true } } ] }
  - { id: charge, type: skill, skill: charge, inputs: { amount: 5 } }
`,
      })
    ).result();
    expect(saga.status).toBe('failed');
    const [entry] = (await call('GET', '/api/v1/dlq?workflow=billing-saga')).json().entries;
    const conflict = await call('POST', `/api/v1/dlq/${entry.id}/replay`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('conflict');
  });

  it('deletes an entry, then answers 404', async () => {
    const { entryId } = await dlqServer();
    const res = await call('DELETE', `/api/v1/dlq/${entryId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: entryId, deleted: true });
    expect((await call('GET', `/api/v1/dlq/${entryId}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/v1/dlq/${entryId}`)).statusCode).toBe(404);
  });

  it('needs read to list and write to replay or delete', async () => {
    server = await testServer({ auth: { tokens } });
    expect((await call('GET', '/api/v1/dlq')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/dlq', { token: READ })).statusCode).toBe(200);
    expect((await call('DELETE', '/api/v1/dlq/x', { token: READ })).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/dlq/x/replay', { token: READ })).statusCode).toBe(403);
    expect((await call('DELETE', '/api/v1/dlq/x', { token: WRITE })).statusCode).toBe(404);
  });
});

describe('POST /api/v1/runs/:id/rerun', () => {
  async function endedHello(): Promise<string> {
    const result = await (await server.engine.start({ source: HELLO }, { name: 'ada' })).result();
    expect(result.status).toBe('completed');
    return result.runId;
  }

  it('lists what would run again for a dry run (200), and starts the new run (201)', async () => {
    server = await testServer();
    const id = await endedHello();
    const dry = await call('POST', `/api/v1/runs/${id}/rerun`, { payload: { from: 'note', dry_run: true } });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toEqual({
      source_run_id: id,
      from: 'note',
      dry_run: true,
      execute: ['note'],
      reuse: ['greet'],
      run_id: null,
    });
    const res = await call('POST', `/api/v1/runs/${id}/rerun`, {
      payload: { from: 'greet', input: { name: 'bo' } },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ execute: ['greet', 'note'], reuse: [], dry_run: false });
    expect(body.run_id).not.toBe(id);
    expect(await waitForRunEnd(server.engine, body.run_id)).toBe('completed');
    expect((await server.engine.store.getRun(body.run_id))!.input).toEqual({ name: 'bo' });
  });

  it('answers 400 for a bad body or input, 404 for an unknown run or step, 409 for a running run', async () => {
    server = await testServer();
    const id = await endedHello();
    expect((await call('POST', `/api/v1/runs/${id}/rerun`, { payload: {} })).statusCode).toBe(400);
    expect(
      (await call('POST', `/api/v1/runs/${id}/rerun`, { payload: { from: 'note', extra: 1 } })).statusCode,
    ).toBe(400);
    const badInput = await call('POST', `/api/v1/runs/${id}/rerun`, {
      payload: { from: 'note', input: { name: 42 } },
    });
    expect(badInput.statusCode).toBe(400);
    const unknownStep = await call('POST', `/api/v1/runs/${id}/rerun`, { payload: { from: 'nope' } });
    expect(unknownStep.statusCode).toBe(404);
    expect(unknownStep.json().error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('nope'),
    });
    expect(
      (await call('POST', '/api/v1/runs/no-such-run/rerun', { payload: { from: 'note' } })).statusCode,
    ).toBe(404);
    const running = (await server.engine.start({ source: slowFlow(2, 2000) })).runId;
    const conflict = await call('POST', `/api/v1/runs/${running}/rerun`, { payload: { from: 's0' } });
    expect(conflict.statusCode).toBe(409);
    await server.engine.cancel(running);
  });
});

/** An HTTP server on 127.0.0.1 that always answers 503. */
async function failingHost(): Promise<string> {
  const http = createHttpServer((_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
  httpServers.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** A test server whose engine opens a breaker for `127.0.0.1` after 2 failures. */
async function breakerServer(): Promise<void> {
  const base = await testServer({ auth: { tokens } });
  await base.app.close();
  await base.engine.close();
  const engine = await createEngine({
    store: `sqlite:${join(base.dir, 'weft.db')}`,
    cwd: base.dir,
    circuitBreakers: { targets: { '127.0.0.1': { failureThreshold: 2, openForMs: 60_000 } } },
  });
  const app = await createServer({ engine, workflowsDir: base.dir, processMetrics: false, auth: { tokens } });
  server = {
    app,
    engine,
    dir: base.dir,
    close: async () => {
      await app.close();
      await engine.close();
    },
  };
}

describe('circuit breaker routes', () => {
  it('lists an open breaker, resets it with an admin token, then answers 404', async () => {
    await breakerServer();
    const host = await failingHost();
    const flow = `name: fetch\nsteps:\n  - { id: get, type: skill, skill: http, inputs: { url: "http://${host}/x" } }\n`;
    for (let i = 0; i < 2; i++) await (await server.engine.start({ source: flow })).result();
    expect((await call('GET', '/api/v1/breakers')).statusCode).toBe(401);
    const list = await call('GET', '/api/v1/breakers', { token: READ });
    expect(list.statusCode).toBe(200);
    expect(list.json().breakers).toEqual([
      expect.objectContaining({
        target: host,
        status: 'open',
        reason: '2 consecutive failures',
        opened_at: expect.any(String),
        open_until: expect.any(String),
      }),
    ]);
    const url = `/api/v1/breakers/${encodeURIComponent(host)}/reset`;
    expect((await call('POST', url, { token: WRITE })).statusCode).toBe(403);
    const reset = await call('POST', url, { token: ADMIN });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual({ target: host, reset: true });
    expect((await call('GET', '/api/v1/breakers', { token: READ })).json().breakers).toEqual([]);
    const again = await call('POST', url, { token: ADMIN });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toMatchObject({ code: 'not_found', message: expect.stringContaining(host) });
  });
});

describe('cache routes', () => {
  const cached = (sku: string) => `name: prices
steps:
  - { id: q, type: skill, skill: echo, inputs: { sku: ${sku} }, cache: { ttl: 1h } }
`;

  it('lists entries by prefix (read), clears them by prefix (admin only)', async () => {
    server = await testServer({ auth: { tokens } });
    for (const sku of ['a', 'b']) await (await server.engine.start({ source: cached(sku) })).result();
    const list = await call('GET', '/api/v1/cache', { token: READ });
    expect(list.statusCode).toBe(200);
    const entries = list.json().entries as { key: string; expires_at: string }[];
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      key: expect.stringMatching(/^workflow:prices:/),
      created_at: expect.any(String),
    });
    expect(Date.parse(entries[0]!.expires_at)).toBeGreaterThan(Date.now());
    const prefix = encodeURIComponent(entries[0]!.key);
    expect(
      (await call('GET', `/api/v1/cache?prefix=${prefix}`, { token: READ })).json().entries,
    ).toHaveLength(1);
    expect((await call('GET', '/api/v1/cache?prefix=nothing:', { token: READ })).json().entries).toEqual([]);
    expect((await call('GET', '/api/v1/cache?limit=-1', { token: READ })).statusCode).toBe(400);

    expect((await call('DELETE', '/api/v1/cache', { token: READ })).statusCode).toBe(403);
    expect((await call('DELETE', '/api/v1/cache', { token: WRITE })).statusCode).toBe(403);
    const one = await call('DELETE', `/api/v1/cache?prefix=${prefix}`, { token: ADMIN });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ cleared: 1 });
    expect((await call('DELETE', '/api/v1/cache', { token: ADMIN })).json()).toEqual({ cleared: 1 });
    expect((await call('GET', '/api/v1/cache', { token: READ })).json().entries).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the operations routes', async () => {
    server = await testServer();
    const paths = Object.keys((await call('GET', '/api/v1/openapi.json')).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/dlq',
        '/api/v1/dlq/{id}',
        '/api/v1/dlq/{id}/replay',
        '/api/v1/runs/{id}/rerun',
        '/api/v1/breakers',
        '/api/v1/breakers/{target}/reset',
        '/api/v1/cache',
      ]),
    );
  });
});
