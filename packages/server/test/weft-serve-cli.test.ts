import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './support.js';

// The built CLI: `npm test` builds every package before running the tests.
const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));

function weft(
  args: string[],
  env: Record<string, string> = {},
  dir = mkdtempSync(join(tmpdir(), 'weft-cli-serve-')),
) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, WEFT_API_TOKENS: '', WEFT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, stderr: () => stderr };
}

describe('weft serve', () => {
  it('listens on loopback, answers, and stops on SIGTERM with exit 0', async () => {
    const serve = weft(['serve', '--port', '0']);
    try {
      const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.stderr())?.[1]);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.stderr()).toContain('weft: stopped');
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('registers the --workflows folder at start, and runs a registered workflow by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-cli-serve-'));
    mkdirSync(join(dir, 'flows'));
    const flow = (text: string) =>
      `name: greet\nsteps:\n  - { id: say, type: skill, skill: echo, inputs: { text: ${text} } }\noutput: \${ steps.say.output.text }\n`;
    writeFileSync(join(dir, 'flows', 'greet.yaml'), flow('hello'));
    const start = async () => {
      const serve = weft(['serve', '--port', '0', '--workflows', 'flows'], {}, dir);
      const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.stderr())?.[1]);
      return { serve, url };
    };
    let { serve, url } = await start();
    try {
      expect(serve.stderr()).toContain("weft: workflow 'greet': created version 1, active");
      serve.child.kill('SIGTERM');
      await serve.exited;
      writeFileSync(join(dir, 'flows', 'greet.yaml'), flow('hi'));
      ({ serve, url } = await start());
      expect(serve.stderr()).toContain(
        "weft: workflow 'greet': created version 2, active (version 1 deprecated)",
      );
      const started = await fetch(`${url}/api/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflow: 'greet' }),
      });
      const run = (await started.json()) as { id: string; version: number };
      expect(run.version).toBe(2);
      const output = await waitFor(async () => {
        const got = (await (await fetch(`${url}/api/v1/runs/${run.id}`)).json()) as {
          run: { status: string; output: unknown };
        };
        return got.run.status === 'completed' ? got.run.output : undefined;
      });
      expect(output).toBe('hi');
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      // An invalid document stops the start, with its problem.
      writeFileSync(join(dir, 'flows', 'broken.yaml'), 'name: broken\nsteps:\n  - { id: a, type: skil }\n');
      const refused = weft(['serve', '--port', '0', '--workflows', 'flows'], {}, dir);
      expect(await refused.exited).toBe(2);
      expect(refused.stderr()).toMatch(/flows\/broken\.yaml:3:\d+: steps\[0\]\.type/);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('refuses to listen beyond loopback without a token (exit 2)', async () => {
    const serve = weft(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(await serve.exited).toBe(2);
    expect(serve.stderr()).toMatch(/^weft: refusing to listen on 0\.0\.0\.0 without an API token/);
  });
});
