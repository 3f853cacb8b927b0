import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { loadConfig } from './load-config.js';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'weft-config-'));
});

function write(name: string, text: string): string {
  const path = join(cwd, name);
  writeFileSync(path, text);
  return path;
}

async function configError(options: Parameters<typeof loadConfig>[0]): Promise<WeftError> {
  const error = await loadConfig(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeftError);
  expect((error as WeftError).code).toBe('invalid_config');
  return error as WeftError;
}

describe('loadConfig', () => {
  it('uses the defaults without a file or variables', async () => {
    expect(await loadConfig({ cwd, env: {} })).toEqual({
      file: null,
      store: 'sqlite:.weft/weft.db',
      skills: [],
      secrets: {},
      leaseMs: 30_000,
      logLevel: 'info',
    });
  });

  it('reads weft.config.yaml in cwd', async () => {
    const file = write(
      'weft.config.yaml',
      'store: postgres://localhost/weft\nskills: [./skills/greet.ts, lib/more.js]\nsecrets: { TOKEN: abc, PIN: 1234 }\nlease: 1m\nlog_level: debug\n',
    );
    expect(await loadConfig({ cwd, env: {} })).toEqual({
      file,
      store: 'postgres://localhost/weft',
      skills: [join(cwd, 'skills/greet.ts'), join(cwd, 'lib/more.js')],
      secrets: { TOKEN: 'abc', PIN: '1234' },
      leaseMs: 60_000,
      logLevel: 'debug',
    });
  });

  it('reads max_pause from the file, WEFT_MAX_PAUSE over it', async () => {
    write('weft.config.yaml', 'max_pause: 2h\n');
    expect((await loadConfig({ cwd, env: {} })).maxPauseMs).toBe(7_200_000);
    expect((await loadConfig({ cwd, env: { WEFT_MAX_PAUSE: '30m' } })).maxPauseMs).toBe(1_800_000);
    const error = await configError({ cwd, env: { WEFT_MAX_PAUSE: '10' } });
    expect(error.message).toMatch(/^WEFT_MAX_PAUSE: expected a duration with a unit/);
  });

  it('falls back to weft.config.yml and treats an empty file as no settings', async () => {
    write('weft.config.yml', '# nothing yet\n');
    const config = await loadConfig({ cwd, env: {} });
    expect(config.file).toBe(join(cwd, 'weft.config.yml'));
    expect(config.store).toBe('sqlite:.weft/weft.db');
  });

  it('resolves relative paths of a given file against its directory', async () => {
    mkdirSync(join(cwd, 'conf'));
    write('conf/weft.yaml', 'store: sqlite:data/w.db\nskills: [lib/s.js]\n');
    const config = await loadConfig({ cwd, env: {}, file: 'conf/weft.yaml' });
    expect(config.store).toBe(`sqlite:${join(cwd, 'conf/data/w.db')}`);
    expect(config.skills).toEqual([join(cwd, 'conf/lib/s.js')]);
  });

  it('refuses a given file that does not exist', async () => {
    const error = await configError({ cwd, env: {}, file: 'missing.yaml' });
    expect(error.message).toBe('cannot read config file missing.yaml: no such file');
  });

  it('lets every variable win over the file', async () => {
    write(
      'weft.config.yaml',
      'store: sqlite:a.db\nlease: 10s\nlog_level: warn\nskills: [a.js]\nsecrets: { A: file, B: file }\n',
    );
    const config = await loadConfig({
      cwd,
      env: {
        WEFT_STORE: 'sqlite:b.db',
        WEFT_LEASE: '5s',
        WEFT_LOG_LEVEL: 'error',
        WEFT_SKILLS: './x.js, lib/y.ts',
        WEFT_SECRET_B: 'env',
        WEFT_SECRET_C: 'env',
        WEFT_OTHER: 'ignored',
      },
    });
    expect(config).toMatchObject({
      store: 'sqlite:b.db',
      leaseMs: 5000,
      logLevel: 'error',
      skills: [join(cwd, 'x.js'), join(cwd, 'lib/y.ts')],
      secrets: { A: 'file', B: 'env', C: 'env' },
    });
  });

  it('ignores empty variables', async () => {
    const config = await loadConfig({ cwd, env: { WEFT_STORE: '', WEFT_SKILLS: ' ' } });
    expect(config.store).toBe('sqlite:.weft/weft.db');
    expect(config.skills).toEqual([]);
  });
});

describe('loadConfig errors', () => {
  it('names file, line, column and setting of a wrong type', async () => {
    write('weft.config.yaml', '# settings\nlog_level: info\nstore: 42\n');
    const error = await configError({ cwd, env: {} });
    expect(error.message).toBe('weft.config.yaml:3:8: store: expected a string, got number 42');
    expect(error.details.problems).toEqual([
      {
        file: 'weft.config.yaml',
        line: 3,
        column: 8,
        path: 'store',
        message: 'expected a string, got number 42',
      },
    ]);
  });

  it('points at an unknown setting and suggests the right one', async () => {
    write('weft.config.yaml', 'lease: 30s\nstorr: sqlite:x.db\n');
    const error = await configError({ cwd, env: {} });
    expect(error.message).toBe(
      "weft.config.yaml:2:1: storr: unknown setting 'storr' (did you mean 'store'?)",
    );
  });

  it('explains a bare number where a duration is expected', async () => {
    write('weft.config.yaml', 'lease: 30\n');
    const error = await configError({ cwd, env: {} });
    expect(error.message).toMatch(/^weft\.config\.yaml:1:8: lease: expected a duration string such as '30s'/);
  });

  it('reports every problem, nested ones at the nested value', async () => {
    write('weft.config.yaml', 'skills:\n  - ok.js\n  - 7\nlog_level: verbose\nsecrets:\n  TOKEN: [a]\n');
    const lines = (await configError({ cwd, env: {} })).message.split('\n');
    expect(lines).toEqual([
      'weft.config.yaml:3:5: skills[1]: expected a string, got number 7',
      "weft.config.yaml:4:12: log_level: expected one of trace, debug, info, warn, error, fatal, silent, got 'verbose'",
      'weft.config.yaml:6:10: secrets.TOKEN: expected a string, got a list',
    ]);
  });

  it('reports YAML syntax errors with their position', async () => {
    write('weft.config.yaml', 'store: sqlite:a.db\nstore: sqlite:b.db\n');
    const error = await configError({ cwd, env: {} });
    expect(error.message).toMatch(/^weft\.config\.yaml:2:1: Map keys must be unique/);
  });

  it('refuses a document that is not a mapping', async () => {
    write('weft.config.yaml', '- store\n');
    expect((await configError({ cwd, env: {} })).message).toBe(
      'weft.config.yaml:1:1: expected a mapping of settings',
    );
  });

  it('names the variable of a bad environment setting', async () => {
    const error = await configError({ cwd, env: { WEFT_LEASE: 'soon', WEFT_LOG_LEVEL: 'debg' } });
    expect(error.message.split('\n')).toEqual([
      "WEFT_LEASE: expected a duration such as '250ms', '30s', '5m', '2h', '1d', '1h30m' or 'PT30S', got 'soon'",
      "WEFT_LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got 'debg' (did you mean 'debug'?)",
    ]);
  });

  it('refuses a lease too short to renew', async () => {
    const error = await configError({ cwd, env: { WEFT_LEASE: '10ms' } });
    expect(error.message).toBe("WEFT_LEASE: expected at least 100ms, got '10ms'");
  });
});

describe('loadConfig secrets', () => {
  it('refuses a secret name that cannot be written as secrets.NAME', async () => {
    write('weft.config.yaml', 'secrets:\n  bad-name: x\n');
    expect((await configError({ cwd, env: {} })).message).toBe(
      'weft.config.yaml:2:3: secrets.bad-name: expected a name like API_KEY',
    );
  });
});
