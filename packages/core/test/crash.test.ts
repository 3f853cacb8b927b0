import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'crash-worker.mjs');
const STEPS = 50;
const KILLS = 20;

function workflow(): string {
  const steps = Array.from(
    { length: STEPS },
    (_, i) => `  - { id: s${i}, type: skill, skill: mark, inputs: { n: ${i}, ms: ${1 + (i % 4)} } }`,
  );
  return `name: crashy\nsteps:\n${steps.join('\n')}\noutput: "\${ steps.s${STEPS - 1}.output.n + steps.s0.output.n }"\n`;
}

function markerLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

function spawnWorker(args: string[]): {
  child: ChildProcess;
  runId: Promise<string>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const runId = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /run (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`worker exited before starting a run: ${err}`)));
  });
  runId.catch(() => {});
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, runId, exited };
}

/** Resolves once the marker file has at least `count` lines (or the child exits). */
async function waitForMarkers(path: string, count: number, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!done && markerLines(path).length < count) await new Promise((r) => setTimeout(r, 1));
}

describe('crash recovery (SIGKILL a real process)', () => {
  it(`kills a ${STEPS}-step run ${KILLS} times; it completes with nothing recorded done executed twice`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-crash-'));
    const db = join(dir, 'weft.db');
    const markers = join(dir, 'markers.txt');
    const flow = join(dir, 'crashy.yaml');
    writeFileSync(flow, workflow());

    let worker = spawnWorker(['start', db, markers, flow]);
    const runId = await worker.runId;
    const snapshots: { doneBefore: Set<string>; markersAt: number }[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      // Kill points spread over the run: after 1..~48 executions, at varied sub-step moments.
      const target = Math.min(STEPS - 2, Math.floor(((kill + 1) * (STEPS - 2)) / KILLS));
      await waitForMarkers(markers, target, worker.exited);
      await new Promise((r) => setTimeout(r, kill % 4));
      worker.child.kill('SIGKILL');
      await worker.exited;

      const store = await openStore(`sqlite:${db}`);
      const steps = await store.getSteps(runId);
      await store.close();
      snapshots.push({
        doneBefore: new Set(steps.filter((s) => s.status === 'completed').map((s) => s.stepKey)),
        markersAt: markerLines(markers).length,
      });
      worker = spawnWorker(['resume', db, markers, runId]);
      await worker.runId;
    }
    expect(await worker.exited).toBe(0);

    const store = await openStore(`sqlite:${db}`);
    const run = await store.getRun(runId);
    const steps = await store.getSteps(runId);
    await store.close();
    expect(run?.status).toBe('completed');
    expect(run?.output).toBe(STEPS - 1);

    const completed = steps.filter((s) => s.status === 'completed').map((s) => s.stepKey);
    expect(completed.sort()).toEqual(Array.from({ length: STEPS }, (_, i) => `s${i}`).sort());

    const lines = markerLines(markers);
    for (const { doneBefore, markersAt } of snapshots) {
      const executedAfter = lines.slice(markersAt);
      expect(executedAfter.filter((key) => doneBefore.has(key))).toEqual([]);
    }
    // Every step ran at least once; re-runs only for steps that were in flight at a kill.
    for (let i = 0; i < STEPS; i++) expect(lines).toContain(`s${i}`);
    expect(lines.length - STEPS).toBeLessThanOrEqual(KILLS);
    expect(
      snapshots.filter((s) => s.doneBefore.size > 0 && s.doneBefore.size < STEPS).length,
    ).toBeGreaterThan(KILLS / 2);
  });
});
