import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, testServer, waitForRunEnd } from './support.js';

let server: TestServer;
beforeEach(async () => {
  server = await testServer();
});
afterEach(async () => server?.close());

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  server.app.inject({ method, url, ...(payload ? { payload } : {}) });

const GREET = `name: greet
description: Greets someone
parameters:
  who: { type: string, required: true }
  times: { type: integer, default: 1 }
workflow:
  steps:
    - id: hi
      type: skill
      skill: echo
      inputs: { text: "hello {{ who }}", times: "{{ times }}" }
  output: \${ steps.hi.output }
`;

describe('templates over the API', () => {
  it('pushes, lists (with built-ins), gets, lists versions, instantiates and runs, deletes', async () => {
    const pushed = await call('POST', '/api/v1/templates', { source: GREET, message: 'first' });
    expect(pushed.statusCode).toBe(201);
    expect(pushed.json()).toMatchObject({ name: 'greet', version: 1, status: 'active', created: true });
    expect((await call('POST', '/api/v1/templates', { source: GREET })).statusCode).toBe(200);

    const list = (await call('GET', '/api/v1/templates')).json().templates as {
      name: string;
      builtin: boolean;
    }[];
    expect(list.find((t) => t.name === 'greet')).toMatchObject({
      builtin: false,
      active: 1,
      parameters: ['who', 'times'],
    });
    expect(list.filter((t) => t.builtin)).toHaveLength(6);

    const got = await call('GET', '/api/v1/templates/greet');
    expect(got.json()).toMatchObject({
      name: 'greet',
      version: 1,
      builtin: false,
      parameters: { who: { type: 'string', required: true }, times: { type: 'integer', default: 1 } },
      source: GREET,
    });
    const builtin = await call('GET', '/api/v1/templates/saga-with-compensations');
    expect(builtin.json()).toMatchObject({ builtin: true, version: null });
    expect((await call('GET', '/api/v1/templates/greet/versions')).json().versions).toMatchObject([
      { name: 'greet', version: 1, status: 'active', summary: 'first' },
    ]);

    const made = await call('POST', '/api/v1/templates/greet/instantiate', {
      workflow: 'greet-ada',
      parameters: { who: 'ada', times: '2' },
      run: true,
    });
    expect(made.statusCode).toBe(201);
    const body = made.json();
    expect(body).toMatchObject({
      push: { name: 'greet-ada', version: 1, created: true },
      origin: { template: 'greet', version: 1, parameters: { who: 'ada', times: 2 } },
    });
    expect(body.source).toContain('name: greet-ada');
    expect(await waitForRunEnd(server.engine, body.run_id)).toBe('completed');
    expect((await server.engine.store.getRun(body.run_id))?.output).toEqual({ text: 'hello ada', times: 2 });
    const workflow = await call('GET', '/api/v1/workflows/greet-ada');
    expect(workflow.json()).toMatchObject({ origin: { template: 'greet', version: 1 } });

    expect((await call('DELETE', '/api/v1/templates/greet')).json()).toEqual({ deleted: 1 });
    expect((await call('GET', '/api/v1/templates/greet')).statusCode).toBe(404);
    const refused = await call('DELETE', '/api/v1/templates/http-health-check');
    expect(refused.statusCode).toBe(409);
  });

  it('answers 400 with every parameter problem, and with placed problems for a bad template', async () => {
    await call('POST', '/api/v1/templates', { source: GREET });
    const bad = await call('POST', '/api/v1/templates/greet/instantiate', {
      workflow: 'x',
      parameters: { times: 'two', whom: 'ada' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'invalid_input',
      details: {
        template: 'greet',
        problems: [
          { parameter: 'whom', message: expect.stringContaining('unknown parameter') },
          { parameter: 'who', message: 'required, and not given (string)' },
          { parameter: 'times', message: "expected an integer, got string 'two'" },
        ],
      },
    });
    const invalid = await call('POST', '/api/v1/templates', {
      source:
        'name: t\nworkflow: { steps: [{ id: a, type: skill, skill: echo, inputs: { v: "{{ nope }}" } }] }\n',
      file: 't.yaml',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({
      code: 'invalid_document',
      details: {
        problems: [
          {
            file: 't.yaml',
            line: 2,
            path: 'workflow.steps[0].inputs.v',
            message: "unknown parameter 'nope' in {{ }}; none are declared",
          },
        ],
      },
    });
    const missing = await call('GET', '/api/v1/templates/gret');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toContain("no template 'gret' (did you mean 'greet'?)");
  });

  it('applies the shell policy to runs of instantiated templates', async () => {
    const made = await call('POST', '/api/v1/templates/approval-gated-deploy/instantiate', {
      workflow: 'deploy-api',
      parameters: { service: 'api', deploy_command: 'echo deployed' },
      run: true,
      input: { version: '1.0.0' },
    });
    expect(made.statusCode).toBe(403);
    expect(made.json().error.message).toContain('uses the shell skill');
  });
});
