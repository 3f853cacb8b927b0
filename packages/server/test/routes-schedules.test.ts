import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from '@weft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { serve } from '../src/serve.js';
import { HELLO, type TestServer, testServer, waitFor, waitForRunEnd } from './support.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write-token-0123456789abcdef';
const tokens = [
  { token: READ, scope: 'read' as const },
  { token: WRITE, scope: 'write' as const },
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
    headers: { authorization: `Bearer ${options.token ?? WRITE}` },
  });

describe('schedule routes', () => {
  it('create, list, get, pause, resume, history, delete', async () => {
    server = await testServer({ auth: { tokens } });
    writeFileSync(join(server.dir, 'hello.yaml'), HELLO);
    const created = await call('POST', '/api/v1/schedules', {
      payload: {
        path: 'hello.yaml',
        name: 'greet',
        every: '1s',
        input: { name: '${ schedule.name }' },
        overlap: 'allow',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'greet',
      workflow: join(server.dir, 'hello.yaml'),
      kind: 'every',
      spec: '1s',
      status: 'active',
      overlap: 'allow',
      max_concurrent: 1,
    });
    expect(created.json().next_fires).toHaveLength(5);
    expect(
      (
        await call('POST', '/api/v1/schedules', {
          payload: { path: 'hello.yaml', name: 'greet', every: '1m' },
        })
      ).statusCode,
    ).toBe(409);

    const list = await call('GET', '/api/v1/schedules', { token: READ });
    expect(list.json().schedules.map((s: { name: string }) => s.name)).toEqual(['greet']);
    expect((await call('GET', '/api/v1/schedules/greet', { token: READ })).json().name).toBe('greet');
    expect((await call('POST', '/api/v1/schedules/greet/pause', { token: READ })).statusCode).toBe(403);

    // A scheduler on the same engine fires it; the history shows the fire and its run.
    const scheduler = new Scheduler({ engine: server.engine, pollMs: 100 });
    scheduler.start();
    const fire = await waitFor(async () => {
      const fires = (await call('GET', '/api/v1/schedules/greet/history', { token: READ })).json().fires;
      return fires.find((f: { status: string }) => f.status === 'completed');
    });
    await scheduler.stop();
    expect(fire).toMatchObject({
      status: 'completed',
      run_id: expect.any(String),
      duration_ms: expect.any(Number),
    });
    expect(await waitForRunEnd(server.engine, fire.run_id)).toBe('completed');
    expect((await server.engine.store.getRun(fire.run_id))?.input).toEqual({ name: 'greet' });

    const paused = await call('POST', '/api/v1/schedules/greet/pause', {
      payload: { reason: 'maintenance' },
    });
    expect(paused.json()).toMatchObject({ status: 'paused', pause_reason: 'maintenance', next_fires: [] });
    expect((await call('POST', '/api/v1/schedules/greet/pause')).statusCode).toBe(409);
    expect((await call('POST', '/api/v1/schedules/greet/resume')).json()).toMatchObject({
      status: 'active',
      pause_reason: null,
    });
    expect((await call('DELETE', '/api/v1/schedules/greet')).json()).toEqual({
      name: 'greet',
      deleted: true,
    });
    const missing = await call('GET', '/api/v1/schedules/greet', { token: READ });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'not_found', message: "no schedule named 'greet'" });
  });

  it('answers 400 naming the field for bad cron, zone, duration, timestamp and input', async () => {
    server = await testServer();
    writeFileSync(join(server.dir, 'hello.yaml'), HELLO);
    const bad = async (payload: object) => {
      const res = await call('POST', '/api/v1/schedules', { payload: { path: 'hello.yaml', ...payload } });
      expect(res.statusCode).toBe(400);
      return res.json().error.message as string;
    };
    expect(await bad({ cron: '0 0 31 2-13 *' })).toBe(
      "cron expression '0 0 31 2-13 *': the month field '2-13' is invalid: Invalid value for month: 12",
    );
    expect(await bad({ cron: '0 9 * * *', tz: 'Europe/Pariss' })).toMatch(
      /^time zone 'Europe\/Pariss' is not an IANA time zone \(did you mean 'Europe\/Paris'\?\)/,
    );
    expect(await bad({ every: '10' })).toMatch(/^every '10': expected a duration with a unit/);
    expect(await bad({ at: 'next week' })).toMatch(/^at 'next week': expected an ISO 8601 time with a zone/);
    expect(await bad({ every: '1m', input: { x: '${ 1 + }' } })).toMatch(/^input\.x: invalid expression/);
    expect(await bad({ every: '1m', cron: '* * * * *' })).toBe(
      'expected exactly one of cron, every or at, got cron and every',
    );
    const outside = await call('POST', '/api/v1/schedules', { payload: { path: '../x.yaml', every: '1m' } });
    expect(outside.statusCode).toBe(403);
    const unknown = await call('POST', '/api/v1/schedules', { payload: { workflow: 'nope', every: '1m' } });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses a schedule of a shell workflow unless the server allows shell', async () => {
    server = await testServer();
    writeFileSync(
      join(server.dir, 'sh.yaml'),
      'name: sh\nsteps:\n  - { id: s, type: skill, skill: shell, inputs: { command: "true" } }\n',
    );
    const res = await call('POST', '/api/v1/schedules', { payload: { path: 'sh.yaml', every: '1m' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/uses the shell skill/);
  });

  it('previews a cron expression in a zone', async () => {
    server = await testServer();
    const res = await call(
      'GET',
      `/api/v1/schedules/preview?cron=${encodeURIComponent('30 2 * * *')}&tz=Europe/Berlin&count=2`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ cron: '30 2 * * *', tz: 'Europe/Berlin' });
    expect(res.json().fires).toHaveLength(2);
    const bad = await call('GET', `/api/v1/schedules/preview?cron=${encodeURIComponent('* * *')}`);
    expect(bad.statusCode).toBe(400);
  });
});

describe('weft serve', () => {
  it('runs the scheduler: a schedule created over the API fires in the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-serve-sched-'));
    writeFileSync(join(dir, 'hello.yaml'), HELLO);
    const running = await serve({
      store: `sqlite:${join(dir, 'weft.db')}`,
      cwd: dir,
      port: 0,
      handleSignals: false,
      logger: { level: 'silent' },
      scheduler: { pollMs: 100 },
    });
    try {
      const created = await fetch(`${running.url}/api/v1/schedules`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: 'hello.yaml', name: 'served', every: '1s', input: { name: 'srv' } }),
      });
      expect(created.status).toBe(201);
      const fire = await waitFor(async () => {
        const res = await fetch(`${running.url}/api/v1/schedules/served/history`);
        const { fires } = (await res.json()) as { fires: { status: string; run_id: string }[] };
        return fires.find((f) => f.status === 'completed');
      });
      expect((await running.engine.store.getRun(fire.run_id))?.input).toEqual({ name: 'srv' });
    } finally {
      await running.close();
    }
  });
});
