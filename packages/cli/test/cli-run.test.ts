import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, WORKFLOWS, weft, workspace } from './cli-harness.js';

let cwd: string;

beforeAll(() => {
  assertBuilt();
  cwd = workspace({ ...WORKFLOWS, 'input.json': '{"name": "Grace"}', 'broken.json': '{"name": ' });
});

function parseOne(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('weft run --json', () => {
  it('prints exactly {run_id, status, output, error} and exits 0 when the run completes', async () => {
    const result = await weft(['run', 'hello.yaml', '--input', '{"name": "Ada"}', '--json'], { cwd });
    expect(result.code).toBe(0);
    const json = parseOne(result.stdout);
    expect(Object.keys(json)).toEqual(['run_id', 'status', 'output', 'error']);
    expect(json).toMatchObject({
      status: 'completed',
      output: { greeting: 'hello Ada', times: 1 },
      error: null,
    });
    expect(json.run_id).toEqual(expect.any(String));
  });

  it('exits 1 with the error and its step when the run fails', async () => {
    const result = await weft(['run', 'fail.yaml', '--json'], { cwd });
    expect(result.code).toBe(1);
    const json = parseOne(result.stdout);
    expect(json).toMatchObject({
      status: 'failed',
      output: null,
      error: { code: 'exit_code', step: 'boom' },
    });
    expect(Object.keys(json.error as object)).toEqual(['code', 'message', 'step']);
  });

  it('exits 2 on an invalid document, printing its problems to stderr', async () => {
    const result = await weft(['run', 'bad.yaml', '--json'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "bad.yaml:10:13: steps[1].needs[0]: unknown step 'fecth' (did you mean 'fetch'?)",
    );
    expect(parseOne(result.stdout)).toMatchObject({
      run_id: null,
      status: null,
      error: { code: 'invalid_document' },
    });
  });
});

describe('weft run input', () => {
  it('takes --input @file and --set, values parsed as JSON when they can be', async () => {
    const result = await weft(['run', 'hello.yaml', '--input', '@input.json', '--set', 'times=3', '--json'], {
      cwd,
    });
    expect(result.code).toBe(0);
    expect(parseOne(result.stdout).output).toEqual({ greeting: 'hello Grace', times: 3 });
  });

  it('exits 2 on bad --input JSON, an unreadable @file or a bad --set', async () => {
    const bad = await weft(['run', 'hello.yaml', '--input', '{name: 1}'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^weft: --input: expected JSON or @file\.json: /);
    const missing = await weft(['run', 'hello.yaml', '--input', '@nope.json'], { cwd });
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'weft: --input @nope.json: cannot read nope.json: no such file\n',
    });
    const broken = await weft(['run', 'hello.yaml', '--input', '@broken.json'], { cwd });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^weft: --input @broken\.json: broken\.json is not valid JSON: /);
    const set = await weft(['run', 'hello.yaml', '--set', 'name'], { cwd });
    expect(set).toMatchObject({
      code: 2,
      stderr: "weft: --set 'name': expected key=value, e.g. --set order_id=42\n",
    });
  });

  it('exits 2 listing the schema errors when the input does not match the inputs schema', async () => {
    const result = await weft(['run', 'hello.yaml', '--set', 'times="x"'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('weft: the input does not match the inputs schema of hello.yaml:');
    expect(result.stderr).toContain('name');
    expect(result.stderr).toContain('times');
  });

  it('exits 2 when the file does not exist', async () => {
    const result = await weft(['run', 'nowhere.yaml'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^weft: .*nowhere\.yaml.*no such file/);
  });

  it('exits 2 naming the store when it cannot be used', async () => {
    const scheme = await weft(['run', 'hello.yaml', '--set', 'name=x', '--store', 'mysql://db/weft'], {
      cwd,
    });
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/^weft: .*mysql:\/\/db\/weft.*/);
    const path = await weft(['run', 'hello.yaml', '--set', 'name=x', '--store', 'sqlite:hello.yaml/x.db'], {
      cwd,
    });
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('hello.yaml/x.db');
  });
});

describe('weft run output', () => {
  it('prints progress lines on stderr and the output as JSON on stdout when not on a TTY', async () => {
    const result = await weft(['run', 'hello.yaml', '--set', 'name=Ada'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ greeting: 'hello Ada', times: 1 });
    expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d \[info\] say: saying hello to Ada$/m);
    expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d ✓ greet \d+ms$/m);
    expect(result.stderr).toMatch(/✓ completed hello in /);
  });

  it('names the failed step on stderr and leaves stdout empty', async () => {
    const result = await weft(['run', 'fail.yaml'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d ✗ boom failed: exit_code: /m);
    expect(result.stderr).toMatch(/✗ failed failing in .*boom: exit_code: /);
  });

  it('stops on Ctrl-C, releases the run and says how to resume it (exit 130)', async () => {
    const result = await weft(['run', 'slow.yaml', '--json'], { cwd, interruptWhen: 'going to sleep' });
    expect(result.code).toBe(130);
    const json = parseOne(result.stdout);
    expect(result.stderr).toContain(`weft runs resume ${json.run_id}`);
    const shown = await weft(['runs', 'show', String(json.run_id), '--json'], { cwd });
    const run = (JSON.parse(shown.stdout) as { run: { status: string } }).run;
    expect(run.status).toBe('running');
  });
});
