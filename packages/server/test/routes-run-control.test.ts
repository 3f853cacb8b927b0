import { afterEach, describe, expect, it } from 'vitest';
import { slowFlow, type TestServer, testServer, waitFor, waitForRunEnd } from './support.js';

let server: TestServer;
afterEach(async () => server?.close());

const control = (id: string, action: string, payload?: object) =>
  server.app.inject({ method: 'POST', url: `/api/v1/runs/${id}/${action}`, ...(payload ? { payload } : {}) });

async function startSlow(count = 3, ms = 150): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/runs',
    payload: { source: slowFlow(count, ms) },
  });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  await waitFor(async () => (await server.engine.getEvents(id)).some((e) => e.type === 'step.started'));
  return id;
}

const eventTypes = async (id: string) => (await server.engine.getEvents(id)).map((e) => e.type);

describe('POST /api/v1/runs/:id/pause | resume | cancel', () => {
  it('pauses a run (200, status paused), refuses a second pause (409), resumes it to completion', async () => {
    server = await testServer();
    const id = await startSlow();
    const paused = await control(id, 'pause', { by: 'ada', reason: 'maintenance' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toEqual({
      run_id: id,
      action: 'pause',
      applied_by: 'here',
      owner: server.engine.owner,
      status: 'paused',
    });
    const again = await control(id, 'pause');
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already paused'),
    });

    const resumed = await control(id, 'resume', { by: 'bo' });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ action: 'resume', applied_by: 'here', status: 'running' });
    expect(await waitForRunEnd(server.engine, id)).toBe('completed');
    const types = await eventTypes(id);
    expect(types.indexOf('run.paused')).toBeLessThan(types.indexOf('run.resumed'));
    const again2 = await control(id, 'resume');
    expect(again2.statusCode).toBe(409);
  });

  it('cancels a run with reason and by, and refuses a second cancel and a pause of the ended run', async () => {
    server = await testServer();
    const id = await startSlow(3, 5000);
    const res = await control(id, 'cancel', { by: 'ada', reason: 'wrong input' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ action: 'cancel', applied_by: 'here', status: 'cancelled' });
    const run = await server.app.inject({ url: `/api/v1/runs/${id}` });
    expect(run.json().run).toMatchObject({
      status: 'cancelled',
      error: { code: 'cancelled', message: 'cancelled by ada: wrong input' },
    });
    const twice = await control(id, 'cancel');
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toBe(`run ${id} was already cancelled by ada; nothing to cancel`);
    expect((await control(id, 'pause')).statusCode).toBe(409);
  });

  it('takes an empty body, answers 404 for an unknown run and 400 for unknown fields', async () => {
    server = await testServer();
    const id = await startSlow();
    expect((await control(id, 'pause')).statusCode).toBe(200);
    expect((await control('no-such-run', 'cancel')).json().error.code).toBe('not_found');
    const bad = await control(id, 'resume', { reason: 'resume takes no reason' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'invalid_request',
      message: 'body.reason: must NOT have additional properties',
    });
    expect((await control(id, 'cancel', { by: 'ops' })).statusCode).toBe(200);
  });
});
