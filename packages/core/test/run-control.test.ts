import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/types.js';

// Real processes: the built CLI (`npm run build` first), one `weft run` and the commands that
// control it from other processes, on one store.
const BIN = join(import.meta.dirname, '..', '..', 'cli', 'dist', 'bin.js');
const pgUrl = process.env.WEFT_TEST_POSTGRES_URL;
if (!pgUrl) console.warn('run-control.test.ts: the PostgreSQL cases are skipped; set WEFT_TEST_POSTGRES_URL');

const FLOW = `name: controlled
steps:
  - { id: first, type: skill, skill: log, inputs: { message: "first" } }
  - { id: nap, type: skill, skill: sleep, inputs: { duration: 1500ms } }
  - { id: second, type: skill, skill: log, inputs: { message: "second" } }
  - { id: third, type: skill, skill: echo, inputs: { ok: true } }
`;

const SHELL = `name: shelly
steps:
  - id: sh
    type: skill
    skill: shell
    inputs: { command: "sleep 60 & echo $! > child.pid; echo $$ > sh.pid; wait" }
  - { id: after, type: skill, skill: echo, inputs: { never: true } }
`;

interface Spawned {
  child: ChildProcess;
  runId: Promise<string>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function spawnWeft(args: readonly string[], cwd: string, store: string): Spawned {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NO_COLOR: '1',
    WEFT_STORE: store,
  };
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let found: (id: string) => void = () => {};
  const runId = new Promise<string>((resolve) => {
    found = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const match = /run ([0-9a-f-]{36})/.exec(stderr);
    if (match) found(match[1]!);
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, runId, exited };
}

const weft = (args: readonly string[], cwd: string, store: string) => spawnWeft(args, cwd, store).exited;

async function until<T>(probe: () => Promise<T | undefined | false>, ms = 15_000, every = 5): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

const stepStarted = async (store: Store, runId: string, key: string) =>
  (await store.getEvents(runId)).some((e) => e.type === 'step.started' && e.stepKey === key);

/** A pid that is gone, or a zombie nobody reaped yet. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The same cases on each store: `open` gives a fresh store URL (and the directory to work in). */
function describeRunControl(name: string, freshStore: (dir: string) => string) {
  describe(`run control across processes (${name})`, () => {
    let dir: string;
    let url: string;
    let store: Store;
    beforeAll(async () => {
      if (!existsSync(BIN))
        throw new Error(`${BIN} is missing: run \`npm run build\` at the repo root first`);
      dir = mkdtempSync(join(tmpdir(), 'weft-control-'));
      writeFileSync(join(dir, 'flow.yaml'), FLOW);
      writeFileSync(join(dir, 'shell.yaml'), SHELL);
      url = freshStore(dir);
      const migrated = await weft(['db', 'migrate'], dir, url);
      expect(migrated.code).toBe(0);
      store = await openStore(url, { cwd: dir });
    });
    afterAll(async () => {
      await store?.close();
    });

    it('pauses a `weft run` from another process within a second, then resumes it', async () => {
      const running = spawnWeft(['run', 'flow.yaml', '--json'], dir, url);
      const runId = await running.runId;
      await until(() => stepStarted(store, runId, 'nap'));

      const asked = Date.now();
      const paused = await weft(['runs', 'pause', runId, '--by', 'tester', '--reason', 'lunch'], dir, url);
      const exitedAt = Date.now();
      expect(paused.code).toBe(0);
      expect(paused.stdout).toContain(`pausing run ${runId}:`);
      const event = await until(
        async () => {
          const run = await store.getRun(runId);
          const recorded = (await store.getEvents(runId)).find((e) => e.type === 'run.paused');
          return run?.status === 'paused' && recorded;
        },
        5000,
        2,
      );
      const latency = Date.now() - exitedAt;
      console.info(
        `[${name}] \`weft runs pause\` took ${exitedAt - asked} ms (a new process: start, open the store, write the command)`,
      );
      console.info(
        `[${name}] pause latency: ${latency} ms from \`weft runs pause\` exiting to run.paused in the store`,
      );
      expect(latency).toBeLessThan(1000);
      expect(event.data).toEqual({ by: 'tester', reason: 'lunch' });

      // The running step finishes; the next one does not start while paused.
      await until(async () =>
        (await store.getSteps(runId)).some((s) => s.stepKey === 'nap' && s.status === 'completed'),
      );
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await stepStarted(store, runId, 'second')).toBe(false);
      expect((await store.getRun(runId))?.status).toBe('paused');

      const resumed = await weft(['runs', 'resume', runId], dir, url);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(new RegExp(`resumed run ${runId}: it continues in \\S+`));
      const first = await running.exited;
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({
        run_id: runId,
        status: 'completed',
        output: { ok: true },
      });
      const types = (await store.getEvents(runId)).map((e) => e.type);
      expect(types.filter((t) => t.startsWith('run.'))).toEqual([
        'run.started',
        'run.paused',
        'run.resumed',
        'run.completed',
      ]);
    });

    it('cancels runs by filter (refused without --yes off a terminal), killing a shell step in another process', async () => {
      const running = spawnWeft(['run', 'shell.yaml', '--json'], dir, url);
      const runId = await running.runId;
      const pids = await until(async () => {
        const files = ['sh.pid', 'child.pid'].map((f) => join(dir, f));
        if (!files.every(existsSync)) return undefined;
        const values = files.map((f) => Number(readFileSync(f, 'utf8')));
        return values.every((v) => v > 0) ? values : undefined;
      });
      expect(pids.some(gone)).toBe(false);

      const refused = await weft(['runs', 'cancel', '--workflow', 'shelly'], dir, url);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('refusing to cancel 1 run without confirmation: add --yes');
      expect((await store.getRun(runId))?.status).toBe('running');
      expect(await store.lastRunCommand(runId)).toBeUndefined();

      const cancelled = await weft(
        ['runs', 'cancel', '--workflow', 'shelly', '--yes', '--reason', 'test over', '--by', 'tester'],
        dir,
        url,
      );
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toContain(`cancelling run ${runId}:`);
      const first = await running.exited;
      expect(first.code).toBe(1);
      expect(JSON.parse(first.stdout)).toMatchObject({ run_id: runId, status: 'cancelled' });
      await until(async () => pids.every(gone), 5000, 20);
      const steps = Object.fromEntries((await store.getSteps(runId)).map((s) => [s.stepKey, s.status]));
      expect(steps.after).toBe('cancelled');
      const events = await store.getEvents(runId);
      expect(events.find((e) => e.type === 'run.cancelled')?.data).toMatchObject({
        reason: 'test over',
        by: 'tester',
      });

      const twice = await weft(['runs', 'cancel', runId], dir, url);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain(`weft: run ${runId} was already cancelled by tester; nothing to cancel`);
    });

    it('keeps a paused run paused through a SIGKILL and `weft recover`, and `weft runs resume` finishes it', async () => {
      const running = spawnWeft(['run', 'flow.yaml'], dir, url);
      const runId = await running.runId;
      await until(() => stepStarted(store, runId, 'nap'));
      expect((await weft(['runs', 'pause', runId], dir, url)).code).toBe(0);
      await until(async () => (await store.getRun(runId))?.status === 'paused');
      running.child.kill('SIGKILL');
      await running.exited;

      const recovered = await weft(['recover', '--json'], dir, url);
      expect(recovered.code).toBe(0);
      expect(JSON.parse(recovered.stdout)).toEqual([]);
      expect((await store.getRun(runId))?.status).toBe('paused');
      expect(await stepStarted(store, runId, 'second')).toBe(false);

      const resumed = await weft(['runs', 'resume', runId, '--json'], dir, url);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain(`resumed run ${runId}: it continues here`);
      expect(JSON.parse(resumed.stdout)).toMatchObject({
        run_id: runId,
        status: 'completed',
        output: { ok: true },
      });
    });
  });
}

describeRunControl('SQLite', (dir) => `sqlite:${join(dir, 'weft.db')}`);

const schemas: string[] = [];
afterAll(async () => {
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

if (pgUrl) {
  describeRunControl('PostgreSQL', () => {
    const schema = `weft_control_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  });
} else {
  describe.skip('run control across processes (PostgreSQL): set WEFT_TEST_POSTGRES_URL', () => {
    it('is skipped', () => {});
  });
}
