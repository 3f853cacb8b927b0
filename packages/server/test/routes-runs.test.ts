import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HELLO, type TestServer, testServer, waitForRunEnd } from './support.js';

let server: TestServer;
afterEach(async () => server?.close());

const start = (payload: object, headers: Record<string, string> = {}) =>
  server.app.inject({ method: 'POST', url: '/api/v1/runs', payload, headers });

describe('POST /api/v1/runs', () => {
  it('starts a run from document text and answers 201 with the run and its location', async () => {
    server = await testServer();
    const res = await start({ source: HELLO, input: { name: 'Ada' } });
    expect(res.statusCode).toBe(201);
    const run = res.json();
    expect(run).toMatchObject({
      workflow: 'hello',
      status: 'running',
      input: { name: 'Ada' },
      parent_run_id: null,
    });
    expect(res.headers.location).toBe(`/api/v1/runs/${run.id}`);
    expect(await waitForRunEnd(server.engine, run.id)).toBe('completed');
  });

  it('starts a run from a file under the workflows directory', async () => {
    server = await testServer();
    writeFileSync(join(server.dir, 'hello.yaml'), HELLO);
    const res = await start({ path: 'hello.yaml', input: { name: 'Bo' } });
    expect(res.statusCode).toBe(201);
    expect(await waitForRunEnd(server.engine, res.json().id)).toBe('completed');
  });

  it('returns the same run for a repeated Idempotency-Key (200), and 409 when the key named another workflow', async () => {
    server = await testServer();
    const first = await start({ source: HELLO, input: { name: 'A' } }, { 'idempotency-key': 'order-42' });
    const again = await start({ source: HELLO, input: { name: 'A' } }, { 'idempotency-key': 'order-42' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const [a, b] = await Promise.all([
      start({ source: HELLO, input: { name: 'B' } }, { 'idempotency-key': 'same-time' }),
      start({ source: HELLO, input: { name: 'B' } }, { 'idempotency-key': 'same-time' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect(a.json().id).toBe(b.json().id);
    const other = await start(
      { source: HELLO.replace('name: hello', 'name: other'), input: { name: 'A' } },
      { 'idempotency-key': 'order-42' },
    );
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({ code: 'conflict', details: { run_id: first.json().id } });
    const runs = await server.engine.listRuns({});
    expect(runs).toHaveLength(2);
  });

  it('refuses an invalid document with 400 and every problem as file:line:column facts', async () => {
    server = await testServer();
    const res = await start({
      source: 'name: bad\nsteps:\n  - { id: a, type: skill, skill: nope }\n',
      file: 'bad.yaml',
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('invalid_document');
    expect(error.details.problems[0]).toMatchObject({ file: 'bad.yaml', line: 3, path: 'steps[0].skill' });
    expect(error.message).toMatch(/^bad\.yaml:3:\d+: steps\[0\]\.skill: /);
  });

  it('refuses an input that does not match the inputs schema with 400 invalid_input', async () => {
    server = await testServer();
    const res = await start({ source: HELLO, input: { name: 5 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_input');
  });

  it('refuses shell steps unless the server allows them (403 naming the step)', async () => {
    server = await testServer();
    const doc =
      'name: sh\nsteps:\n  - id: s\n    type: skill\n    skill: shell\n    inputs: { command: "echo hi" }\n';
    const res = await start({ source: doc });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden', details: { uses: ['steps[0]'] } });
    expect(res.json().error.message).toContain('--allow-shell');
    writeFileSync(join(server.dir, 'child.yaml'), doc);
    const parent = await start({
      source: 'name: parent\nsteps:\n  - { id: c, type: workflow, workflow: child.yaml }\n',
    });
    expect(parent.statusCode).toBe(403);
    expect(parent.json().error.details.uses).toEqual(['child.yaml: steps[0]']);
    await server.close();
    server = await testServer({ allowShell: true });
    const allowed = await start({ source: doc });
    expect(allowed.statusCode).toBe(201);
    expect(await waitForRunEnd(server.engine, allowed.json().id)).toBe('completed');
  });

  it.each([
    [{ input: {} }, 400, 'invalid_request'],
    [{ source: HELLO, path: 'hello.yaml' }, 400, 'invalid_request'],
    [{ source: HELLO, unexpected: true }, 400, 'invalid_request'],
    [{ source: 42 }, 400, 'invalid_request'],
    [{ path: '../outside.yaml' }, 403, 'forbidden'],
    [{ path: '/etc/passwd' }, 403, 'forbidden'],
    [{ path: 'notes.txt' }, 400, 'invalid_request'],
    [{ path: 'missing.yaml' }, 404, 'not_found'],
  ])('answers %j with %i %s', async (payload, status, code) => {
    server = await testServer();
    const res = await start(payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('names the field of a schema failure', async () => {
    server = await testServer();
    const res = await start({ source: HELLO, unexpected: true });
    expect(res.json().error).toMatchObject({
      message: 'body.unexpected: must NOT have additional properties',
      details: { issues: [{ path: 'body.unexpected' }] },
    });
  });
});

describe('GET /api/v1/runs/:id and its events and logs', () => {
  it('gets a run with its steps and their attempts', async () => {
    server = await testServer();
    const id = (await start({ source: HELLO, input: { name: 'Ada' } })).json().id;
    await waitForRunEnd(server.engine, id);
    const res = await server.app.inject({ url: `/api/v1/runs/${id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.run).toMatchObject({ id, status: 'completed', output: null });
    expect(body.steps.map((s: { key: string; status: string }) => [s.key, s.status])).toEqual([
      ['greet', 'completed'],
      ['note', 'completed'],
    ]);
    expect(body.steps[0].attempts[0]).toMatchObject({ attempt: 1, output: { greeting: 'hello Ada' } });
  });

  it('pages through events by sequence number and lists log lines', async () => {
    server = await testServer();
    const id = (await start({ source: HELLO, input: { name: 'Ada' } })).json().id;
    await waitForRunEnd(server.engine, id);
    const first = (await server.app.inject({ url: `/api/v1/runs/${id}/events?limit=2` })).json();
    expect(first.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(first).toMatchObject({ next_after: 2, has_more: true });
    expect(first.events[0]).toMatchObject({ run_id: id, type: 'run.started', step_key: null });
    const rest = (await server.app.inject({ url: `/api/v1/runs/${id}/events?after=2&limit=100` })).json();
    expect(rest.events[0].seq).toBe(3);
    expect(rest.has_more).toBe(false);
    expect(rest.events.at(-1).type).toBe('run.completed');
    const logs = (await server.app.inject({ url: `/api/v1/runs/${id}/logs` })).json();
    expect(logs.logs).toEqual([
      expect.objectContaining({ level: 'info', message: 'greeted Ada', step_key: 'note' }),
    ]);
    expect(logs.has_more).toBe(false);
  });

  it.each(['', '/events', '/logs'])('answers 404 for an unknown run (%s)', async (suffix) => {
    server = await testServer();
    const res = await server.app.inject({ url: `/api/v1/runs/no-such-run${suffix}` });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'not_found', details: { run_id: 'no-such-run' } });
  });

  it.each(['/events?after=-1', '/events?limit=0', '/logs?limit=5000', '/events?after=x'])(
    'answers 400 for %s',
    async (q) => {
      server = await testServer();
      const res = await server.app.inject({ url: `/api/v1/runs/some-run${q}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.issues[0].path).toMatch(/^querystring\./);
    },
  );
});
