import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import type { EngineOptions } from '../src/engine/types.js';
import type { WeftError } from '../src/errors.js';
import { Occupancy, tempDir, until } from './support/resilience.js';

const pgUrl = process.env.WEFT_TEST_POSTGRES_URL;
if (!pgUrl) console.warn('Skipped the PostgreSQL concurrency tests: set WEFT_TEST_POSTGRES_URL to run them.');
const schemas: string[] = [];

afterAll(async () => {
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

const backends: [string, () => string][] = [['sqlite', () => `sqlite:${join(tempDir('slots'), 'weft.db')}`]];
if (pgUrl) {
  backends.push([
    'postgres',
    () => {
      const schema = `weft_slots_${randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      return `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
    },
  ]);
}

let open: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(open.map((engine) => engine.close()));
  open = [];
});

async function engineOn(
  store: string,
  occupancy: Occupancy,
  options: Partial<EngineOptions> = {},
): Promise<WeftEngine> {
  const engine = await createEngine({ store, skills: [occupancy.skill()], slotPollMs: 20, ...options });
  open.push(engine);
  return engine;
}

const stepLimited = (limit: number, ms = 30) => `name: limited
steps:
  - id: work
    type: skill
    skill: busy
    inputs: { id: "\${ inputs.id }", ms: ${ms} }
    concurrency: { key: "tenant-\${ inputs.tenant }", limit: ${limit} }
`;

describe.each(backends)('concurrency slots shared by two engines on one store (%s)', (_name, storeUrl) => {
  it('lets at most `limit` steps with one key run at once, across both engines', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy);
    const b = await engineOn(url, occupancy);
    const handles = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).start({ source: stepLimited(2) }, { id: `r${i}`, tenant: 7 }),
      ),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('completed'));
    expect(occupancy.calls).toBe(10);
    expect(occupancy.peak).toBe(2);
  });

  it('starts queued steps in arrival order; they wait as pending with the reason', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy);
    const b = await engineOn(url, occupancy);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const engine = i % 2 ? b : a;
      const handle = await engine.start({ source: stepLimited(1, 100) }, { id: `r${i}`, tenant: 1 });
      ids.push(handle.runId);
      // The next one arrives once this one is running or queued.
      await until(async () =>
        ['running', 'pending'].includes((await engine.getRun(handle.runId))?.steps[0]?.status ?? ''),
      );
    }
    // The last one has four runs before it: it is surely still waiting.
    const queued = await a.getRun(ids[4]!);
    expect(queued?.steps[0]).toMatchObject({
      status: 'pending',
      meta: { reason: expect.stringMatching(/^waiting for a concurrency slot of 'step:tenant-1' \(limit 1/) },
    });
    const events = await a.getEvents(ids[4]!);
    expect(events.find((e) => e.type === 'step.waiting')?.data).toMatchObject({ stepId: 'work' });
    await until(async () => (await a.getRun(ids[4]!))?.run.status === 'completed', 10_000);
    expect(occupancy.started).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(occupancy.peak).toBe(1);
  });

  it('holds limits.running_steps and per-skill limits across both engines', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy, { limits: { runningSteps: 3, skills: { busy: 2 } } });
    const b = await engineOn(url, occupancy, { limits: { runningSteps: 3, skills: { busy: 2 } } });
    const doc = `name: many\nsteps:\n  - { id: w, type: skill, skill: busy, inputs: { ms: 25 } }\n`;
    const handles = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).start({ source: doc })),
    );
    await Promise.all(handles.map((handle) => handle.result()));
    expect(occupancy.peak).toBe(2);
  });

  it('queues runs of a workflow over its concurrency limit: pending, then started in order', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy);
    const b = await engineOn(url, occupancy);
    const doc = `name: per-customer
concurrency: { key: "\${ inputs.customer }", limit: 1 }
steps:
  - { id: w, type: skill, skill: busy, inputs: { id: "\${ inputs.id }", ms: 80 } }
`;
    const first = await a.start({ source: doc }, { customer: 'acme', id: 'first' });
    const second = await b.start({ source: doc }, { customer: 'acme', id: 'second' });
    const other = await b.start({ source: doc }, { customer: 'globex', id: 'other' });
    const waiting = await b.getRun(second.runId);
    expect(waiting?.run).toMatchObject({
      status: 'pending',
      meta: {
        queued: expect.stringMatching(/concurrency slot of 'workflow:per-customer:acme'.*stays pending/),
      },
    });
    const results = await Promise.all([first, second, other].map((handle) => handle.result()));
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(occupancy.started.indexOf('second')).toBeGreaterThan(occupancy.started.indexOf('first'));
    const events = (await b.getEvents(second.runId)).map((e) => e.type);
    expect(events.slice(0, 2)).toEqual(['run.queued', 'run.started']);
    const [firstRun, secondRun] = await Promise.all([a.getRun(first.runId), b.getRun(second.runId)]);
    expect(secondRun!.steps[0]!.startedAt!).toBeGreaterThanOrEqual(firstRun!.run.endedAt!);
  });

  it('cancel_new: a run over the limit is recorded cancelled and never starts', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy);
    const b = await engineOn(url, occupancy);
    const doc = `name: singleton
concurrency: { limit: 1, on_conflict: cancel_new }
steps:
  - { id: w, type: skill, skill: busy, inputs: { id: "\${ inputs.id }", ms: 150 } }
`;
    const first = await a.start({ source: doc }, { id: 'first' });
    const refused = await b.start({ source: doc }, { id: 'refused' });
    expect(await refused.result()).toMatchObject({
      status: 'cancelled',
      error: {
        code: 'cancelled',
        message: expect.stringMatching(
          /limit of 1 for 'workflow:singleton' is reached \(on_conflict: cancel_new\)/,
        ),
      },
    });
    expect((await a.getRun(refused.runId))?.run.status).toBe('cancelled');
    expect((await first.result()).status).toBe('completed');
    expect(occupancy.started).toEqual(['first']);
  });

  it('cancel_running: the running run is cancelled to make room for the new one', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy);
    const b = await engineOn(url, occupancy);
    const doc = `name: latest-wins
concurrency: { limit: 1, on_conflict: cancel_running }
steps:
  - { id: w, type: skill, skill: busy, inputs: { id: "\${ inputs.id }", ms: "\${ inputs.ms }" } }
`;
    const old = await a.start({ source: doc }, { id: 'old', ms: 30_000 });
    await until(() => occupancy.started.includes('old'));
    const latest = await b.start({ source: doc }, { id: 'latest', ms: 10 });
    const [oldResult, latestResult] = await Promise.all([old.result(), latest.result()]);
    expect(oldResult).toMatchObject({ status: 'cancelled' });
    expect(JSON.stringify(oldResult.error)).toMatch(/to make room for run .*on_conflict: cancel_running/);
    expect(latestResult.status).toBe('completed');
  });

  it('frees a slot whose holder stopped renewing once its lease expires', async () => {
    const occupancy = new Occupancy();
    const url = storeUrl();
    const a = await engineOn(url, occupancy);
    await a.store.slots.acquire({
      key: 'step:tenant-3',
      holder: 'far-away#1',
      owner: 'far-away:1:gone',
      limit: 1,
      now: Date.now(),
      leaseMs: 400,
      queue: false,
    });
    const started = Date.now();
    const result = await (await a.start({ source: stepLimited(1, 1) }, { id: 'x', tenant: 3 })).result();
    expect(result.status).toBe('completed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('concurrency slots of a dead process', () => {
  it('frees the slot of a SIGKILLed holder on this host at once, not at lease expiry', async () => {
    const occupancy = new Occupancy();
    const url = `sqlite:${join(tempDir('dead'), 'weft.db')}`;
    const holder = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'slot-holder.mjs'), url, 'step:tenant-9'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (chunk: Buffer) =>
        chunk.toString().includes('held') ? resolve() : reject(new Error(chunk.toString())),
      );
      holder.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    });
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const engine = await engineOn(url, occupancy);
    const started = Date.now();
    const result = await (await engine.start({ source: stepLimited(1, 1) }, { id: 'y', tenant: 9 })).result();
    expect(result.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(5000); // its lease was 10 minutes
  });
});

describe('concurrency limits below 1', () => {
  it('refuses them in a document and in engine options', async () => {
    const occupancy = new Occupancy();
    const engine = await engineOn(`sqlite:${join(tempDir('bad'), 'weft.db')}`, occupancy);
    const doc = `name: bad\nconcurrency: { limit: 0 }\nsteps:\n  - { id: w, type: skill, skill: busy, concurrency: { key: k, limit: -1 } }\n`;
    const error = (await engine.start({ source: doc }).catch((e: unknown) => e)) as WeftError;
    expect(error.code).toBe('invalid_document');
    expect(error.message).toMatch(/concurrency\.limit/);
    expect(await engine.listRuns()).toEqual([]);
    await expect(
      createEngine({ store: 'sqlite::memory:', limits: { runningSteps: 0, skills: { http: 1.5 } } }),
    ).rejects.toThrow(
      'limits.runningSteps: expected an integer >= 1, got 0\nlimits.skills.http: expected an integer >= 1, got 1.5',
    );
  });
});
