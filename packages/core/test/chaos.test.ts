import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import type { StepRecord } from '../src/store/types.js';
// @ts-expect-error: a plain ESM fixture without types; the worker decides failures with the same rule.
import { failsAt as failsAtUntyped } from './fixtures/chaos-rule.mjs';
import { completedTwice } from './support/crash-harness.js';

// Real processes running the built engine (`npm run build` first), sharing one SQLite file.
const WORKER = join(import.meta.dirname, 'fixtures', 'chaos-worker.mjs');
const failsAt = failsAtUntyped as (seed: number, key: string, attempt: number) => boolean;
const RUNS = 200;
const IN_FLIGHT = 16;
const STEPS = ['a', 'b', 'c', 'd'];
const MAX_ATTEMPTS = 3;
const MAX_KILLS = 40;

const FLOW = `name: chaos
inputs:
  type: object
  properties: { seed: { type: integer } }
  required: [seed]
steps:
${STEPS.map(
  (id) =>
    `  - { id: ${id}, type: skill, skill: flaky, inputs: { seed: "\${ inputs.seed }", ms: 30 }, retry: { max_attempts: ${MAX_ATTEMPTS}, backoff: fixed, delay: 30ms } }`,
).join('\n')}
`;

/** A seeded PRNG (mulberry32) for the kill times, so a failing schedule can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function spawnWorker(dir: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      WORKER,
      join(dir, 'weft.db'),
      join(dir, 'chaos.yaml'),
      join(dir, 'executions.txt'),
      String(RUNS),
      String(IN_FLIGHT),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = (async () => {
    while (!out.includes('ready ') && child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => setTimeout(resolve, 5));
  })();
  return { child, exited, ready, stderr: () => err };
}

/**
 * What a step's attempts imply: attempt n fails when `failsAt` says so, and is retried while
 * n < max_attempts. An attempt a kill interrupted counts as an attempt, but the step always runs
 * again after it (an interruption is never a failure for good), even past max_attempts.
 */
function expectedStep(seed: number, key: string, interrupted: Set<number>) {
  for (let attempt = 1; ; attempt++) {
    if (interrupted.has(attempt)) continue;
    if (!failsAt(seed, key, attempt)) return { ok: true, attempts: attempt };
    if (attempt >= MAX_ATTEMPTS) return { ok: false, attempts: attempt };
  }
}

describe('chaos: random skill failures and retries under SIGKILL', () => {
  it('ends every run in the state its failures imply, loses none, completes and executes no step twice', async () => {
    const began = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'weft-chaos-'));
    writeFileSync(join(dir, 'chaos.yaml'), FLOW);
    const random = prng(20261121);
    let kills = 0;
    let worker = spawnWorker(dir);
    for (;;) {
      await worker.ready;
      const delay = 150 + Math.floor(random() * 250);
      const finished = await Promise.race([
        worker.exited.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), delay)),
      ]);
      if (finished) break;
      if (kills >= MAX_KILLS) {
        await worker.exited;
        break;
      }
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills++;
      worker = spawnWorker(dir);
    }
    const code = await worker.exited;
    expect(code, worker.stderr()).toBe(0);

    const store = await openStore(`sqlite:${join(dir, 'weft.db')}`);
    const runs = await store.listRuns({ limit: 10_000 });
    const steps = new Map<string, StepRecord[]>();
    for (const run of runs) steps.set(run.id, await store.getSteps(run.id));
    const dlq = await store.listDeadLetters({ limit: 10_000 });
    await store.close();
    // The highest attempt of each step that any process executed.
    const executed = new Map<string, number>();
    for (const line of readFileSync(join(dir, 'executions.txt'), 'utf8').split('\n').filter(Boolean)) {
      const [runId, key, attempt] = line.split(' ');
      const id = `${runId} ${key}`;
      executed.set(id, Math.max(executed.get(id) ?? 0, Number(attempt)));
    }

    // No run lost: all present and ended.
    expect(runs.map((r) => r.id).sort()).toEqual(Array.from({ length: RUNS }, (_, i) => `chaos-${i}`).sort());
    expect(runs.filter((r) => r.status !== 'completed' && r.status !== 'failed')).toEqual([]);

    const expectedDlq: string[] = [];
    let interruptedAttempts = 0;
    let failedRuns = 0;
    for (const run of runs) {
      const seed = Number(run.id.slice('chaos-'.length));
      const records = steps.get(run.id)!;
      expect(completedTwice(records), run.id).toEqual([]);
      // Once completed, a step was never executed again, by any process.
      for (const done of records.filter((r) => r.status === 'completed'))
        expect([run.id, done.stepKey, executed.get(`${run.id} ${done.stepKey}`)]).toEqual([
          run.id,
          done.stepKey,
          done.attempt,
        ]);
      let failedStep: string | undefined;
      for (const key of STEPS) {
        const own = records.filter((r) => r.stepKey === key);
        const interrupted = new Set(own.filter((r) => r.error?.code === 'interrupted').map((r) => r.attempt));
        interruptedAttempts += interrupted.size;
        // Every attempt that ran to its end did what the seed says.
        for (const record of own.filter((r) => !interrupted.has(r.attempt)))
          expect([run.id, key, record.attempt, record.status]).toEqual([
            run.id,
            key,
            record.attempt,
            failsAt(seed, key, record.attempt) ? 'failed' : 'completed',
          ]);
        const expected = expectedStep(seed, key, interrupted);
        expect([run.id, key, own.length], JSON.stringify(own)).toEqual([run.id, key, expected.attempts]);
        if (!expected.ok) {
          failedStep = key;
          break;
        }
      }
      // Steps after the one that failed for good never ran: they are recorded blocked, once.
      const reached = STEPS.slice(0, failedStep ? STEPS.indexOf(failedStep) + 1 : STEPS.length);
      const after = records.filter((r) => !reached.includes(r.stepKey));
      expect(after.map((r) => [r.stepKey, r.status, r.attempt])).toEqual(
        STEPS.filter((key) => !reached.includes(key)).map((key) => [key, 'blocked', 0]),
      );
      if (failedStep) {
        failedRuns++;
        expectedDlq.push(`${run.id}/${failedStep}`);
        expect(run, run.id).toMatchObject({ status: 'failed', error: { step: failedStep } });
      } else {
        expect(run.status, run.id).toBe('completed');
      }
    }
    // DLQ entries exactly for the steps that failed for good.
    expect(dlq.map((e) => `${e.runId}/${e.stepKey}`).sort()).toEqual(expectedDlq.sort());

    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    console.log(
      `chaos: ${RUNS} runs (${failedRuns} failed for good), ${kills} kills, ${interruptedAttempts} interrupted attempts, ${seconds} s`,
    );
    expect(kills).toBeGreaterThanOrEqual(8);
    expect(interruptedAttempts).toBeGreaterThan(0);
  }, 120_000);
});
