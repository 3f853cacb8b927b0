import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';
import { WeftError } from '../errors.js';
import { Templates } from './templates.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'weft-templates-'));
  const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir });
  engines.push(engine);
  engine.registerAgent('reviewer', {
    type: 'command',
    command: [process.execPath, '-e', 'console.log("ok")'],
  });
  return { engine, templates: new Templates(engine), dir };
}

const GREET = `name: greet
description: Greets someone a few times
parameters:
  who: { type: string, required: true, pattern: '[a-z]+' }
  times: { type: integer, default: 2 }
  loud: { type: boolean, default: false }
  pause: { type: duration, default: 10ms }
  mood: { type: enum, values: [glad, calm], default: calm }
  helper: { type: agent }
  child: { type: workflow }
  tool: { type: skill, default: echo }
  ratio: { type: number }
workflow:
  steps:
    - { id: nap, type: wait, duration: "{{ pause }}" }
    - id: hi
      type: skill
      skill: "{{ tool }}"
      inputs: { text: "hello {{ who }} (\${ inputs.suffix })", times: "{{ times }}", loud: "{{ loud }}", mood: "{{ mood }}", ratio: "{{ ratio }}" }
  output: \${ steps.hi.output }
`;

async function rejection(promise: Promise<unknown>): Promise<WeftError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeftError);
  return error as WeftError;
}

describe('Templates', () => {
  it('instantiates: typed substitution, the --name, a workflow version with its origin, and it runs', async () => {
    const { engine, templates } = await setup();
    expect((await templates.push(GREET, { message: 'first' })).message).toBe(
      "template 'greet': created version 1, active",
    );
    const made = await templates.instantiate(
      'greet',
      { who: 'ada', times: '3', loud: 'true', ratio: '0.5' },
      { workflow: 'greet-ada' },
    );
    expect(made.push).toMatchObject({ name: 'greet-ada', created: true });
    expect(made.source).toContain('name: greet-ada');
    const version = await engine.workflows.show('greet-ada');
    expect(version.origin).toEqual({
      template: 'greet',
      version: 1,
      parameters: { who: 'ada', times: 3, loud: true, pause: '10ms', mood: 'calm', tool: 'echo', ratio: 0.5 },
    });
    const result = await (await engine.start({ name: 'greet-ada' }, { suffix: '!' })).result();
    expect(result).toMatchObject({
      status: 'completed',
      output: { text: 'hello ada (!)', times: 3, loud: true, mood: 'calm', ratio: 0.5 },
    });
  });

  it('reports every parameter problem at once, each naming its parameter', async () => {
    const { templates } = await setup();
    await templates.push(GREET);
    const error = await rejection(
      templates.instantiate(
        'greet',
        {
          who: 'Ada!',
          times: 'three',
          loud: 'yes',
          pause: '10',
          mood: 'happy',
          helper: 'reviwer',
          child: 'nope',
          tool: 'ech',
          ratio: 'x',
          extra: 1,
        },
        { workflow: 'Not Valid' },
      ),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.details.problems).toEqual([
      {
        parameter: null,
        message: "the workflow name (--name) must match ^[a-z0-9][a-z0-9._-]{0,127}$, got 'Not Valid'",
      },
      {
        parameter: 'extra',
        message:
          "unknown parameter; template 'greet' does not declare it (it has who, times, loud, pause, mood, helper, child, tool, ratio)",
      },
      { parameter: 'who', message: "expected a value matching /[a-z]+/, got string 'Ada!'" },
      { parameter: 'times', message: "expected an integer, got string 'three'" },
      { parameter: 'loud', message: "expected true or false, got string 'yes'" },
      {
        parameter: 'pause',
        message: "expected a duration with a unit, got '10' (did you mean '10s' or '10ms'?)",
      },
      { parameter: 'mood', message: "expected one of 'glad', 'calm', got string 'happy'" },
      { parameter: 'helper', message: "no agent 'reviwer' (did you mean 'reviewer'?); known: reviewer" },
      {
        parameter: 'child',
        message: "no registered workflow 'nope'; there are none (add one with `weft workflows push <file>`)",
      },
      {
        parameter: 'tool',
        message: expect.stringMatching(/^no skill 'ech' \(did you mean 'echo'\?\); known: .*echo/),
      },
      { parameter: 'ratio', message: "expected a number, got string 'x'" },
    ]);
    expect(error.message.split('\n')[0]).toBe("cannot instantiate template 'greet' (11 problems):");
    expect(error.message).toContain("\nparameter 'times': expected an integer, got string 'three'");

    const missing = await rejection(templates.instantiate('greet', {}, { workflow: 'x' }));
    expect(missing.details.problems).toEqual([
      { parameter: 'who', message: 'required, and not given (string)' },
    ]);
    const typed = await rejection(
      templates.instantiate('greet', { who: 5, times: 2.5, loud: 1 }, { workflow: 'x' }),
    );
    expect(typed.details.problems).toEqual([
      { parameter: 'who', message: 'expected a string, got number 5' },
      { parameter: 'times', message: 'expected an integer, got number 2.5' },
      { parameter: 'loud', message: 'expected true or false, got number 1' },
    ]);
  });

  it('places problems of the instantiated workflow in the template, saying which workflow they are in', async () => {
    const { templates } = await setup();
    await templates.push(`name: retrying
parameters:
  attempts: { type: integer, default: 3 }
workflow:
  steps:
    - id: call
      type: skill
      skill: echo
      retry: { max_attempts: "{{ attempts }}" }
`);
    const error = await rejection(templates.instantiate('retrying', { attempts: '0' }, { workflow: 'r0' }));
    expect(error.code).toBe('invalid_document');
    expect(error.message).toMatch(
      /^template:retrying@1:9:30: workflow\.steps\[0\]\.retry\.max_attempts: .* \(in workflow 'r0', instantiated from this template\)$/,
    );
    expect(await templates.registry.list()).toHaveLength(1);
    await expect(templates.instantiate('retrying', {}, { workflow: 'r3' })).resolves.toMatchObject({
      push: { name: 'r3', created: true },
    });
  });

  it('lists registered and built-in templates; a registered one wins over a built-in of its name', async () => {
    const { templates } = await setup();
    const builtins = await templates.list();
    expect(builtins.filter((t) => t.builtin).map((t) => t.name)).toEqual([
      'agent-review-loop',
      'approval-gated-deploy',
      'etl-with-validation',
      'fan-out-fan-in',
      'http-health-check',
      'saga-with-compensations',
    ]);
    const builtin = await templates.get('http-health-check');
    expect(builtin).toMatchObject({ builtin: true, version: null, file: 'template:http-health-check' });
    await expect(templates.versions('http-health-check')).rejects.toThrow(/is built in .* has no versions/);
    await expect(templates.remove('http-health-check')).rejects.toThrow(/cannot be deleted/);
    await expect(templates.get('http-health-check', 2)).rejects.toThrow(/has no versions/);

    const own = `name: http-health-check
description: our own
parameters: { url: { type: string, required: true } }
workflow: { steps: [{ id: get, type: skill, skill: http, inputs: { url: "{{ url }}" } }] }
`;
    await templates.push(own);
    await templates.push(own.replace('our own', 'our own, v2'), { status: 'draft' });
    const list = await templates.list();
    expect(list.filter((t) => t.name === 'http-health-check')).toEqual([
      expect.objectContaining({ builtin: false, description: 'our own', latest: 2, active: 1, versions: 2 }),
      expect.objectContaining({ builtin: true, shadowed: true }),
    ]);
    expect(await templates.get('http-health-check')).toMatchObject({ builtin: false, version: 1 });
    expect(await templates.get('http-health-check', 2)).toMatchObject({
      version: 2,
      template: { description: 'our own, v2' },
    });
    expect((await templates.versions('http-health-check')).map((v) => [v.version, v.status])).toEqual([
      [1, 'active'],
      [2, 'draft'],
    ]);
    expect(await templates.remove('http-health-check')).toBe(2);
    expect(await templates.get('http-health-check')).toMatchObject({ builtin: true });
    await expect(templates.get('http-helth-check')).rejects.toThrow(
      "no template 'http-helth-check' (did you mean 'http-health-check'?)",
    );
  });

  it('pushPath checks every file first and refuses them all with every problem', async () => {
    const { templates, dir } = await setup();
    writeFileSync(join(dir, 'a.yaml'), GREET);
    writeFileSync(
      join(dir, 'b.yaml'),
      'name: b\nparameters: { n: { type: integr } }\nworkflow: { steps: [] }\n',
    );
    const error = await rejection(templates.pushPath('.', { cwd: dir }));
    expect(error.code).toBe('invalid_document');
    expect(error.message).toContain("b.yaml:2:26: parameters.n.type: unknown parameter type string 'integr'");
    expect(await templates.registry.list()).toEqual([]);
  });
});
