import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './support.js';

// The built CLI: `npm test` builds every package before running the tests.
const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));

function weft(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-cli-serve-'));
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

  it('refuses to listen beyond loopback without a token (exit 2)', async () => {
    const serve = weft(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(await serve.exited).toBe(2);
    expect(serve.stderr()).toMatch(/^weft: refusing to listen on 0\.0\.0\.0 without an API token/);
  });
});
