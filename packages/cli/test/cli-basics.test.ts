import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, WORKFLOWS, weft, workspace } from './cli-harness.js';

let cwd: string;

beforeAll(() => {
  assertBuilt();
  cwd = workspace(WORKFLOWS);
});

describe('weft --version / --help', () => {
  it('prints the version fast, without loading the engine', async () => {
    const result = await weft(['--version'], { cwd });
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
    // The target is 250 ms on a quiet machine; CI machines run tests in parallel.
    expect(result.ms).toBeLessThan(2000);
  });

  it('lists the commands and the global options', async () => {
    const result = await weft(['--help'], { cwd });
    expect(result.code).toBe(0);
    for (const word of ['run', 'validate', 'runs', 'recover', 'db', '--store', '--config', '--debug']) {
      expect(result.stdout).toContain(word);
    }
  });

  it('has help on every command', async () => {
    const result = await weft(['runs', 'list', '--help'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--status');
    expect(result.stdout).toContain('--store');
  });

  it('exits 2 with commander’s message on an unknown command or option', async () => {
    const unknown = await weft(['rnu', 'x.yaml'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'rnu'");
    expect(unknown.stderr).toContain('(Did you mean run?)');
    const option = await weft(['run', 'hello.yaml', '--jsn'], { cwd });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--jsn'");
    const missing = await weft(['run'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'file|name'");
    const choice = await weft(['runs', 'list', '--status', 'done'], { cwd });
    expect(choice.code).toBe(2);
    expect(choice.stderr).toContain(
      'Allowed choices are pending, running, paused, completed, failed, cancelled',
    );
  });
});

describe('weft validate', () => {
  it('exits 0 on valid documents and keeps stdout clean', async () => {
    const result = await weft(['validate', 'hello.yaml', 'fail.yaml'], { cwd });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: 'ok hello.yaml\nok fail.yaml\n' });
  });

  it('prints one file:line:column: path: message line per problem and exits 2', async () => {
    const result = await weft(['validate', 'hello.yaml', 'bad.yaml'], { cwd });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('ok hello.yaml');
    expect(lines).toContain(
      "bad.yaml:10:13: steps[1].needs[0]: unknown step 'fecth' (did you mean 'fetch'?)",
    );
    for (const line of lines.slice(1)) expect(line).toMatch(/^bad\.yaml:\d+:\d+: \S/);
  });

  it('prints the problems as a JSON array with --json', async () => {
    const result = await weft(['validate', 'bad.yaml', 'missing.yaml', '--json'], { cwd });
    expect(result.code).toBe(2);
    const problems = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(problems).toContainEqual({
      file: 'bad.yaml',
      line: 10,
      column: 13,
      path: 'steps[1].needs[0]',
      message: "unknown step 'fecth' (did you mean 'fetch'?)",
    });
    expect(problems.find((p) => p.file === 'missing.yaml')).toMatchObject({ line: 1, column: 1 });
  });
});
