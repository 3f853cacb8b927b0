import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

beforeAll(assertBuilt);

const GREET = `name: greet
description: Greets someone
parameters:
  who: { type: string, required: true, pattern: '[a-z]+' }
  times: { type: integer, default: 1 }
  loud: { type: boolean, default: false }
workflow:
  inputs:
    type: object
    properties: { suffix: { type: string, default: "" } }
  steps:
    - id: hi
      type: skill
      skill: echo
      inputs: { text: "hello {{ who }}\${ inputs.suffix }", times: "{{ times }}", loud: "{{ loud }}" }
  output: \${ steps.hi.output }
`;

const BAD = `name: broken
parameters:
  n: { type: integr }
workflow:
  steps:
    - { id: a, type: skill, skill: echo, inputs: { v: "{{ m }}" } }
`;

const json = (text: string) => JSON.parse(text) as Record<string, unknown> & Record<string, unknown>[];

describe('weft templates', () => {
  it('push, list, show, versions, instantiate --run, delete', async () => {
    const cwd = workspace({ 'greet.yaml': GREET });
    const pushed = await weft(['templates', 'push', 'greet.yaml', '--message', 'first'], { cwd });
    expect(pushed).toMatchObject({ code: 0, stdout: "template 'greet': created version 1, active\n" });
    const again = await weft(['templates', 'push', 'greet.yaml', '--json'], { cwd });
    expect(json(again.stdout)).toEqual([
      expect.objectContaining({
        name: 'greet',
        version: 1,
        created: false,
        message: expect.stringContaining('unchanged'),
      }),
    ]);

    const list = await weft(['templates', 'list', '--json'], { cwd });
    expect(list.code).toBe(0);
    const names = (json(list.stdout) as unknown as { name: string; builtin: boolean }[]).map(
      (t) => `${t.name}:${t.builtin}`,
    );
    expect(names).toEqual([
      'agent-review-loop:true',
      'approval-gated-deploy:true',
      'etl-with-validation:true',
      'fan-out-fan-in:true',
      'greet:false',
      'http-health-check:true',
      'saga-with-compensations:true',
    ]);
    const table = await weft(['templates', 'list'], { cwd });
    expect(table.stdout).toMatch(/^greet\s+registered\s+1\s+1\s+who, times, loud\s+Greets someone$/m);

    const show = await weft(['templates', 'show', 'greet', '--json'], { cwd });
    expect(json(show.stdout)).toMatchObject({
      name: 'greet',
      version: 1,
      builtin: false,
      parameters: { who: { type: 'string', required: true, pattern: '[a-z]+' } },
      source: GREET,
    });
    const versions = await weft(['templates', 'versions', 'greet', '--json'], { cwd });
    expect(json(versions.stdout)).toEqual([
      expect.objectContaining({ version: 1, status: 'active', summary: 'first' }),
    ]);

    const made = await weft(
      [
        'templates',
        'instantiate',
        'greet',
        '--name',
        'greet-ada',
        '--param',
        'who=ada',
        '--param',
        'times=2',
        '--json',
      ],
      { cwd },
    );
    expect(made.code).toBe(0);
    expect(json(made.stdout)).toMatchObject({
      name: 'greet-ada',
      version: 1,
      created: true,
      status: 'active',
    });

    const ran = await weft(
      [
        'templates',
        'instantiate',
        'greet',
        '--name',
        'greet-bob',
        '--param',
        'who=bob',
        '--param',
        'loud=true',
        '--run',
        '--set',
        'suffix=!',
        '--json',
      ],
      { cwd },
    );
    expect(ran.code).toBe(0);
    expect(json(ran.stdout)).toMatchObject({
      status: 'completed',
      output: { text: 'hello bob!', times: 1, loud: true },
      error: null,
    });
    expect(ran.stderr).toContain("workflow 'greet-bob': created version 1, active");

    const deleted = await weft(['templates', 'delete', 'greet'], { cwd });
    expect(deleted).toMatchObject({ code: 0, stdout: "template 'greet': deleted 1 version\n" });
    const gone = await weft(['templates', 'show', 'greet'], { cwd });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("no template 'greet'");
    const builtin = await weft(['templates', 'delete', 'http-health-check'], { cwd });
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toContain('is built in (it ships with Weft) and cannot be deleted');
  });

  it('exits 2 with every parameter problem, and with file:line:column lines for a bad template', async () => {
    const cwd = workspace({ 'greet.yaml': GREET, 'bad.yaml': BAD });
    await weft(['templates', 'push', 'greet.yaml'], { cwd });
    const bad = await weft(
      [
        'templates',
        'instantiate',
        'greet',
        '--name',
        'g',
        '--param',
        'who=Ada',
        '--param',
        'times=many',
        '--param',
        'lound=true',
      ],
      { cwd },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      [
        "weft: cannot instantiate template 'greet' (3 problems):",
        "  parameter 'lound': unknown parameter (did you mean 'loud'?); template 'greet' does not declare it (it has who, times, loud)",
        "  parameter 'who': expected a value matching /[a-z]+/, got string 'Ada'",
        "  parameter 'times': expected an integer, got string 'many'",
        '',
      ].join('\n'),
    );
    const asJson = await weft(['templates', 'instantiate', 'greet', '--name', 'g', '--json'], { cwd });
    expect(asJson.code).toBe(2);
    expect(json(asJson.stdout)).toMatchObject({
      error: {
        code: 'invalid_input',
        problems: [{ parameter: 'who', message: 'required, and not given (string)' }],
      },
    });

    const refused = await weft(['templates', 'push', 'bad.yaml'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^bad\.yaml:3:14: parameters\.n\.type: unknown parameter type string 'integr' \(did you mean 'integer'\?\)/,
      ),
      expect.stringMatching(
        /^bad\.yaml:6:55: workflow\.steps\[0\]\.inputs\.v: unknown parameter 'm' in \{\{ \}\}; declared: n$/,
      ),
    ]);
  });

  it('instantiates and runs a built-in template (etl-with-validation) from the command line', async () => {
    const cwd = workspace({ 'in.json': JSON.stringify([{ id: 1 }, { id: 2 }, { id: 3 }]) });
    const result = await weft(
      [
        'templates',
        'instantiate',
        'etl-with-validation',
        '--name',
        'nightly-load',
        '--param',
        'source_file=in.json',
        '--param',
        'target_file=out.json',
        '--param',
        'min_records=3',
        '--run',
        '--json',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ status: 'completed', output: { loaded: 3, valid: true } });
    const loaded = JSON.parse(readFileSync(join(cwd, 'out.json'), 'utf8')) as { id: string }[];
    expect(loaded.map((r) => r.id)).toEqual(['1', '2', '3']);

    const few = await weft(
      [
        'templates',
        'instantiate',
        'etl-with-validation',
        '--name',
        'strict-load',
        '--param',
        'source_file=in.json',
        '--param',
        'target_file=out2.json',
        '--param',
        'min_records=5',
        '--run',
      ],
      { cwd },
    );
    expect(few.code).toBe(1);
    expect(few.stderr).toContain('validation_failed');
  });
});
