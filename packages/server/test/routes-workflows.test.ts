import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELLO, type TestServer, testServer, waitForRunEnd } from './support.js';

let server: TestServer;
beforeEach(async () => {
  server = await testServer();
});
afterEach(async () => server?.close());

const HI = HELLO.replace('hello ${ inputs.name }', 'hi ${ inputs.name }');

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  server.app.inject({ method, url, ...(payload ? { payload } : {}) });

describe('registered workflows over the API', () => {
  it('pushes versions, lists, shows, diffs, sets status, rolls back and deletes', async () => {
    const first = await call('POST', '/api/v1/workflows', { source: HELLO, message: 'first' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      name: 'hello',
      path: null,
      version: 1,
      status: 'active',
      created: true,
      updated: false,
      deprecated: null,
      message: "workflow 'hello': created version 1, active",
    });
    const same = await call('POST', '/api/v1/workflows', { source: HELLO });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ created: false, version: 1 });
    expect((await call('POST', '/api/v1/workflows', { source: HI, status: 'draft' })).json()).toMatchObject({
      version: 2,
      status: 'draft',
    });

    const list = await call('GET', '/api/v1/workflows');
    expect(list.json().workflows).toMatchObject([{ name: 'hello', latest: 2, active: 1, versions: 2 }]);
    const shown = await call('GET', '/api/v1/workflows/hello');
    expect(shown.json()).toMatchObject({ version: 1, status: 'active', summary: 'first', source: HELLO });
    expect((await call('GET', '/api/v1/workflows/hello/versions/2')).json()).toMatchObject({ source: HI });
    const diff = await call('GET', '/api/v1/workflows/hello/diff?from=1&to=2');
    expect(diff.json().diff).toContain('+    inputs: { greeting: "hi ${ inputs.name }" }');

    const activated = await call('PUT', '/api/v1/workflows/hello/versions/2/status', { status: 'active' });
    expect(activated.json()).toMatchObject({ version: { version: 2, status: 'active' }, deprecated: 1 });
    const refused = await call('PUT', '/api/v1/workflows/hello/versions/2/status', { status: 'draft' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('only drafts are mutable');

    const started = await call('POST', '/api/v1/runs', { workflow: 'hello', input: { name: 'ada' } });
    expect(started.statusCode).toBe(201);
    expect(started.json()).toMatchObject({ workflow: 'hello', version: 2 });
    const pinned = await call('POST', '/api/v1/runs', {
      workflow: 'hello',
      version: 1,
      input: { name: 'bob' },
    });
    expect(await waitForRunEnd(server.engine, pinned.json().id)).toBe('completed');
    const steps = (await server.engine.getRun(pinned.json().id))?.steps ?? [];
    expect(steps[0]?.output).toEqual({ greeting: 'hello bob' });
    await waitForRunEnd(server.engine, started.json().id);
    const versions = (await call('GET', '/api/v1/workflows/hello/versions')).json().versions;
    expect(
      versions.map((v: { version: number; status: string; runs: number }) => [v.version, v.status, v.runs]),
    ).toEqual([
      [1, 'deprecated', 1],
      [2, 'active', 1],
    ]);

    const back = await call('POST', '/api/v1/workflows/hello/rollback', { version: 1 });
    expect(back.statusCode).toBe(201);
    expect(back.json()).toMatchObject({ version: 3, status: 'active', deprecated: 2 });
    expect((await call('DELETE', '/api/v1/workflows/hello')).json()).toEqual({ deleted: 3 });
    expect((await call('GET', '/api/v1/workflows/hello')).statusCode).toBe(404);
  });

  it('answers bad requests with the right status and the problem', async () => {
    const invalid = await call('POST', '/api/v1/workflows', {
      source: 'name: x\nsteps:\n  - id: a\n    type: skil\n',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ code: 'invalid_document' });
    expect(invalid.json().error.details.problems[0]).toMatchObject({ line: 4, path: 'steps[0].type' });

    const unknown = await call('POST', '/api/v1/runs', { workflow: 'nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain("no registered workflow 'nope'");
    const both = await call('POST', '/api/v1/runs', { workflow: 'hello', source: HELLO });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.message).toContain('expected exactly one of body.source');
    const stray = await call('POST', '/api/v1/runs', { source: HELLO, version: 2 });
    expect(stray.statusCode).toBe(400);
    expect(stray.json().error.details.issues[0].path).toBe('body.version');

    await call('POST', '/api/v1/workflows', { source: HELLO });
    await call('PUT', '/api/v1/workflows/hello/versions/1/status', { status: 'archived' });
    const archived = await call('POST', '/api/v1/runs', {
      workflow: 'hello',
      version: 1,
      input: { name: 'x' },
    });
    expect(archived.statusCode).toBe(409);
    expect(archived.json().error.message).toContain('is archived and cannot run');
    expect((await call('GET', '/api/v1/workflows/hello/versions/9')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/workflows/hello/diff?from=1')).statusCode).toBe(400);
    const badStatus = await call('PUT', '/api/v1/workflows/hello/versions/1/status', { status: 'gone' });
    expect(badStatus.statusCode).toBe(400);
  });

  it('refuses to delete a workflow with runs that have not ended, unless forced', async () => {
    await call('POST', '/api/v1/workflows', {
      source: 'name: waits\nsteps:\n  - { id: w, type: approval, prompt: ok? }\n',
    });
    const run = (await call('POST', '/api/v1/runs', { workflow: 'waits' })).json();
    await server.engine.store.listWaits({ runIds: [run.id] });
    const refused = await call('DELETE', '/api/v1/workflows/waits');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details.runs).toEqual([run.id]);
    expect((await call('DELETE', '/api/v1/workflows/waits?force=true')).json()).toEqual({ deleted: 1 });
  });
});
