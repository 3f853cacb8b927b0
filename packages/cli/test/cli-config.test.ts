import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, WORKFLOWS, weft, workspace } from './cli-harness.js';

beforeAll(() => {
  assertBuilt();
});

describe('config and store selection', () => {
  it('uses WEFT_STORE, and --store over it', async () => {
    const cwd = workspace(WORKFLOWS);
    await weft(['run', 'hello.yaml', '--set', 'name=a', '--json'], {
      cwd,
      env: { WEFT_STORE: 'sqlite:env.db' },
    });
    const fromEnv = await weft(['runs', 'list', '--json'], { cwd, env: { WEFT_STORE: 'sqlite:env.db' } });
    expect(JSON.parse(fromEnv.stdout)).toHaveLength(1);
    const fromFlag = await weft(['runs', 'list', '--json', '--store', 'sqlite:other.db'], {
      cwd,
      env: { WEFT_STORE: 'sqlite:env.db' },
    });
    expect(JSON.parse(fromFlag.stdout)).toHaveLength(0);
  });

  it('reads the store from weft.config.yaml', async () => {
    const cwd = workspace({ ...WORKFLOWS, 'weft.config.yaml': 'store: sqlite:conf.db\n' });
    await weft(['run', 'hello.yaml', '--set', 'name=a'], { cwd });
    const listed = await weft(['runs', 'list', '--json', '--store', 'sqlite:conf.db'], { cwd });
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  });

  it('exits 2 with the position of a bad setting', async () => {
    const cwd = workspace({ ...WORKFLOWS, 'weft.config.yaml': 'lease: 30\nstor: x\n' });
    const result = await weft(['runs', 'list'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "weft: weft.config.yaml:1:8: lease: expected a duration string such as '30s' or '30ms', got the bare number 30\n" +
        "  weft.config.yaml:2:1: stor: unknown setting 'stor' (did you mean 'store'?)\n",
    );
  });

  it('exits 2 when --config names a missing file', async () => {
    const result = await weft(['runs', 'list', '--config', 'nope.yaml'], { cwd: workspace() });
    expect(result).toMatchObject({
      code: 2,
      stderr: 'weft: cannot read config file nope.yaml: no such file\n',
    });
  });

  it('prints a stack trace only with --debug', async () => {
    const cwd = workspace();
    const plain = await weft(['runs', 'list', '--store', 'mysql://x'], { cwd });
    expect(plain.stderr).not.toContain('    at ');
    const debug = await weft(['runs', 'list', '--store', 'mysql://x', '--debug'], { cwd });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('    at ');
  });
});
