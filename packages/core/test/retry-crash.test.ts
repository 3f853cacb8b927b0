import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import type { Store, WaitRecord } from '../src/store/types.js';
import { FlakyServer } from './support/flaky-server.js';

// Real processes running the built engine (`npm run build` first), sharing one SQLite file.
const WORKER = join(import.meta.dirname, 'fixtures', 'wait-worker.mjs');
const server = new FlakyServer();
beforeAll(() => server.start());
afterAll(() => server.close());

function worker(args: string[]) {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = async (prefix: string): Promise<string> => {
    for (;;) {
      const found = out.split('\n').find((l) => l.startsWith(`${prefix} `));
      if (found !== undefined) return found.slice(prefix.length + 1);
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`worker exited without '${prefix}': ${err}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { child, exited, line };
}

async function waitRow(store: Store, runId: string, key: string): Promise<WaitRecord> {
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    const wait = await store.getWait(runId, key);
    if (wait) return wait;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no wait ${key} for run ${runId}`);
}

describe('a retry delay is a durable timer', () => {
  it('survives a SIGKILL during the delay: the resumed run retries at the original time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-retry-crash-'));
    const url = `sqlite:${join(dir, 'weft.db')}`;
    const target = server.script('/crash', [500, 200]);
    const flow = join(dir, 'flow.yaml');
    writeFileSync(
      flow,
      `name: retry-crash
steps:
  - id: fetch
    type: skill
    skill: http
    inputs: { url: "${target}" }
    retry: { max_attempts: 2, backoff: fixed, delay: 3s }
`,
    );
    const store = await openStore(url);
    try {
      const first = worker(['start', url, flow]);
      const runId = await first.line('run');
      const wait = await waitRow(store, runId, 'fetch#retry1');
      const failedAt = server.seen.find((s) => s.path === '/crash')!.at;
      expect(wait.until! - failedAt).toBeGreaterThanOrEqual(2900);
      expect(wait.until! - failedAt).toBeLessThan(3500);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      first.child.kill('SIGKILL');
      await first.exited;
      expect(server.times('/crash')).toHaveLength(1);

      const resumedAt = Date.now();
      const second = worker(['resume', url, runId]);
      expect(JSON.parse(await second.line('result'))).toMatchObject({ status: 'completed' });
      const retriedAt = server.seen.filter((s) => s.path === '/crash')[1]!.at;
      // At the stored time, not a full delay after the resume.
      expect(retriedAt).toBeGreaterThanOrEqual(wait.until! - 50);
      expect(retriedAt - wait.until!).toBeLessThan(800);
      expect(retriedAt - resumedAt).toBeLessThan(2500);
      const steps = await store.getSteps(runId);
      expect(steps.map((s) => [s.attempt, s.status])).toEqual([
        [1, 'failed'],
        [2, 'completed'],
      ]);
    } finally {
      await store.close();
    }
  });
});
