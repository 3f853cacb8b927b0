import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

let server: Server;
let url: string;

beforeAll(async () => {
  assertBuilt();
  server = createServer((_req, res) => {
    res.writeHead(503);
    res.end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

afterAll(() => {
  server.close();
});

describe('weft breakers', () => {
  it('lists a breaker opened by runs, refuses calls while open, and resets it', async () => {
    const cwd = workspace({
      'weft.config.yaml':
        'circuit_breakers:\n  targets:\n    127.0.0.1: { failure_threshold: 2, open_for: 10m }\n',
      'call.yaml': `name: call\nsteps:\n  - { id: get, type: skill, skill: http, inputs: { url: "${url}" } }\n`,
    });
    for (let i = 0; i < 2; i++) expect((await weft(['run', 'call.yaml', '--json'], { cwd })).code).toBe(1);
    const refused = JSON.parse((await weft(['run', 'call.yaml', '--json'], { cwd })).stdout) as {
      error: { code: string };
    };
    expect(refused.error.code).toBe('circuit_open');
    const host = new URL(url).host;
    const list = await weft(['breakers', 'list'], { cwd });
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^TARGET\s+STATE\s+UNTIL\s+FAILURES\s+REASON\s+LAST ERROR$/);
    expect(list.stdout).toMatch(new RegExp(`${host.replace('.', '\\.')}\\s+open\\s.*2 consecutive failures`));
    const json = JSON.parse((await weft(['breakers', 'list', '--json'], { cwd })).stdout) as {
      status: string;
    }[];
    expect(json.map((s) => s.status)).toEqual(['open']);
    const reset = await weft(['breakers', 'reset', host], { cwd });
    expect(reset.stdout).toBe(`breaker '${host}' reset: closed\n`);
    expect((await weft(['breakers', 'list'], { cwd })).stderr).toBe(
      'no breaker has a state yet (every breaker is closed)\n',
    );
  });

  it('refuses a config with bad breaker numbers, naming the place', async () => {
    const cwd = workspace({ 'weft.config.yaml': 'circuit_breakers:\n  default: { open_for: 0s }\n' });
    const result = await weft(['breakers', 'list'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "weft.config.yaml:2:24: circuit_breakers.default.open_for: expected a duration longer than 0, got '0s'",
    );
  });
});

describe('weft cache', () => {
  it('lists and clears cached step results by prefix', async () => {
    const cwd = workspace({
      'cached.yaml':
        'name: cached\nsteps:\n  - { id: e, type: skill, skill: echo, inputs: { n: "${ inputs.n }" }, cache: { key: "n${ inputs.n }", ttl: 1h } }\n',
    });
    for (const n of ['1', '2']) await weft(['run', 'cached.yaml', '--set', `n=${n}`, '--json'], { cwd });
    const again = await weft(['run', 'cached.yaml', '--set', 'n=1', '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'completed', output: { n: 1 } });
    const list = await weft(['cache', 'list', '--prefix', 'workflow:cached:'], { cwd });
    expect(
      list.stdout
        .split('\n')
        .slice(0, 3)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['KEY', 'workflow:cached:n1', 'workflow:cached:n2']);
    const cleared = await weft(['cache', 'clear', '--prefix', 'workflow:cached:n1'], { cwd });
    expect(cleared.stdout).toBe("cleared 1 cache entry under 'workflow:cached:n1'\n");
    const json = JSON.parse((await weft(['cache', 'list', '--json'], { cwd })).stdout) as { key: string }[];
    expect(json.map((e) => e.key)).toEqual(['workflow:cached:n2']);
  });
});
