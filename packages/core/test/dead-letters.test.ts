import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { WeftError } from '../src/errors.js';
import { defineSkill } from '../src/skills/types.js';
import { openStore } from '../src/store/open-store.js';
import { stepStates } from './support/step-engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

interface Call {
  id: string;
  input: Record<string, unknown>;
  key: string;
  attempt: number;
}

/**
 * An engine whose `work` skill logs each call and fails while its `id` is in `broken` (or its
 * input says `fail: true`); `slow` waits until cancelled.
 */
async function dlqEngine(
  dir = mkdtempSync(join(tmpdir(), 'weft-dlq-')),
  options: { retentionMs?: number } = {},
) {
  const calls: Call[] = [];
  const broken = new Set<string>();
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    secrets: { TOKEN: 's3cr3t-token' },
    dlqRetentionMs: options.retentionMs,
    skills: [
      defineSkill<{ id: string; fail?: boolean }>({
        name: 'work',
        run(input, ctx) {
          calls.push({ id: input.id, input, key: ctx.idempotencyKey, attempt: ctx.attempt });
          if (broken.has(input.id) || input.fail === true)
            throw new WeftError('skill_error', `${input.id} failed`);
          return { id: input.id };
        },
      }),
      defineSkill({
        name: 'slow',
        run: (_input, ctx) =>
          new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          ),
      }),
    ],
  });
  engines.push(engine);
  return { engine, calls, broken, dir };
}

const PIPELINE = `name: pipeline
steps:
  - { id: a, type: skill, skill: work, inputs: { id: a } }
  - { id: b, type: skill, skill: work, inputs: { id: b, token: "\${ secrets.TOKEN }" }, retry: { max_attempts: 2, backoff: immediate } }
  - { id: c, type: skill, skill: work, inputs: { id: c } }
output: \${ steps.c.output }
`;

describe('dead-letter queue', () => {
  it('has an entry exactly for each step that failed for good', async () => {
    const { engine, broken } = await dlqEngine();
    broken.add('flaky-once');
    let flakyCalls = 0;
    engine.registerSkill(
      defineSkill({
        name: 'flaky',
        run() {
          if (++flakyCalls === 1) throw new Error('first call fails');
          return 'ok';
        },
      }),
    );
    const tolerated = await (
      await engine.start({
        source: `name: tolerated
steps:
  - { id: flaky, type: skill, skill: flaky, retry: { max_attempts: 2, backoff: immediate } }
  - { id: caught, type: skill, skill: work, inputs: { id: caught, fail: true }, catch: [ { id: handler, type: skill, skill: work, inputs: { id: handler } } ] }
  - { id: skipped, type: skill, skill: work, inputs: { id: skipped, fail: true }, on_error: skip }
  - id: each
    type: loop
    for_each: [1, 2]
    on_error: continue
    steps:
      - { id: item, type: skill, skill: work, inputs: { id: "item-\${ loop.item }", fail: "\${ loop.item == 2 }" } }
`,
      })
    ).result();
    expect(tolerated.status).toBe('completed');
    const failed = await (
      await engine.start({
        source: `name: failing
steps:
  - id: together
    type: fork_join
    branches:
      slow: [ { id: waits, type: skill, skill: slow } ]
      quick: [ { id: breaks, type: skill, skill: work, inputs: { id: breaks, fail: true, token: "\${ secrets.TOKEN }" }, retry: { max_attempts: 3, backoff: immediate } } ]
  - { id: never, type: fail, code: nope, message: not reached }
`,
      })
    ).result();
    expect(failed.status).toBe('failed');
    const entries = await engine.dlq.list();
    expect(entries.map((e) => [e.workflow, e.stepKey, e.attempts]).sort()).toEqual([
      ['failing', 'together.quick.breaks', 3],
      ['tolerated', 'each[1].item', 1],
    ]);
    const breaks = entries.find((e) => e.stepKey === 'together.quick.breaks')!;
    expect(breaks).toMatchObject({
      runId: failed.runId,
      stepId: 'breaks',
      version: null,
      error: { code: 'skill_error', message: 'breaks failed', attempt: 3 },
      input: { id: 'breaks', fail: true },
    });
    expect(JSON.stringify(breaks)).not.toContain('s3cr3t-token');
    expect(await engine.dlq.get(breaks.id)).toEqual(breaks);
    expect((await engine.dlq.list({ workflow: 'tolerated' })).map((e) => e.stepKey)).toEqual([
      'each[1].item',
    ]);
  });

  it('replays a failed run from its step once the cause is fixed; completed work is kept', async () => {
    const { engine, calls, broken } = await dlqEngine();
    broken.add('b');
    const first = await (await engine.start({ source: PIPELINE })).result();
    expect(first).toMatchObject({ status: 'failed', error: { step: 'b' } });
    const [entry] = await engine.dlq.list();
    expect(entry).toMatchObject({ stepKey: 'b', attempts: 2 });
    broken.delete('b');
    calls.length = 0;
    const replayed = await engine.dlq.replay(entry!.id);
    expect(replayed.runId).toBe(first.runId);
    expect(await replayed.result()).toMatchObject({ status: 'completed', output: { id: 'c' } });
    expect(calls.map((c) => [c.id, c.attempt])).toEqual([
      ['b', 3],
      ['c', 1],
    ]);
    // The same logical step keeps its idempotency key.
    expect(calls[0]!.key).toBe(`${first.runId}:b`);
    expect(await engine.dlq.list()).toEqual([]);
    const run = (await engine.getRun(first.runId))!;
    expect(run.run).toMatchObject({ status: 'completed', error: null });
    expect(run.steps.filter((s) => s.stepKey === 'b').map((s) => [s.attempt, s.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'completed'],
    ]);
  });

  it('counts retries afresh in a replay, and writes a new entry when it fails again', async () => {
    const { engine, calls, broken } = await dlqEngine();
    broken.add('b');
    const first = await (await engine.start({ source: PIPELINE })).result();
    const [entry] = await engine.dlq.list();
    const again = await (await engine.dlq.replay(entry!.id)).result();
    expect(again).toMatchObject({ status: 'failed', runId: first.runId });
    expect(calls.filter((c) => c.id === 'b').map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    const entries = await engine.dlq.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ stepKey: 'b', attempts: 4 });
    expect(entries[0]!.id).not.toBe(entry!.id);
  });

  it('replays with an edited input that replaces the resolved inputs of the step', async () => {
    const { engine, calls } = await dlqEngine();
    const doc = `name: edited
steps:
  - { id: a, type: skill, skill: work, inputs: { id: a } }
  - { id: b, type: skill, skill: work, inputs: { id: b, fail: true } }
  - { id: c, type: skill, skill: work, inputs: { id: "c-after-\${ steps.b.output.id }" } }
`;
    const first = await (await engine.start({ source: doc })).result();
    const [entry] = await engine.dlq.list();
    expect(entry!.input).toEqual({ id: 'b', fail: true });
    calls.length = 0;
    const result = await (await engine.dlq.replay(entry!.id, { input: { id: 'b-edited' } })).result();
    expect(result).toMatchObject({ status: 'completed', runId: first.runId });
    expect(calls.map((c) => c.input)).toEqual([{ id: 'b-edited' }, { id: 'c-after-b-edited' }]);
    const b = (await engine.getRun(first.runId))!.steps.filter((s) => s.stepKey === 'b').at(-1)!;
    expect(b).toMatchObject({ attempt: 2, status: 'completed', input: { id: 'b-edited' } });
  });

  it('resumes a failed step inside a loop: completed iterations are kept, blocked steps run', async () => {
    const { engine, calls, broken } = await dlqEngine();
    broken.add('item-2');
    const doc = `name: looping
steps:
  - id: each
    type: loop
    for_each: [1, 2, 3]
    steps:
      - { id: item, type: skill, skill: work, inputs: { id: "item-\${ loop.item }" } }
  - { id: after, type: skill, skill: work, inputs: { id: after } }
`;
    const first = await (await engine.start({ source: doc })).result();
    expect((await stepStates(engine, first.runId)).after).toBe('blocked');
    const [entry] = await engine.dlq.list();
    expect(entry!.stepKey).toBe('each[1].item');
    broken.clear();
    calls.length = 0;
    expect(await (await engine.dlq.replay(entry!.id)).result()).toMatchObject({ status: 'completed' });
    expect(calls.map((c) => c.id)).toEqual(['item-2', 'item-3', 'after']);
  });

  it('refuses bad replays with a clear error and leaves the store unchanged', async () => {
    const { engine, broken, dir } = await dlqEngine();
    await expect(engine.dlq.replay('nope')).rejects.toMatchObject({
      code: 'not_found',
      message: "no dead-letter entry with id 'nope' in this store",
    });
    // An entry of a run that completed (its loop tolerated the failure).
    await (
      await engine.start({
        source: `name: tolerant
steps:
  - { id: each, type: loop, for_each: [1], on_error: continue, steps: [ { id: item, type: skill, skill: work, inputs: { id: x, fail: true } } ] }
`,
      })
    ).result();
    const [tolerated] = await engine.dlq.list();
    await expect(engine.dlq.replay(tolerated!.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is completed; only a failed run can be replayed'),
    });
    // An entry whose run was deleted.
    broken.add('b');
    const gone = await (await engine.start({ source: PIPELINE })).result();
    const entry = (await engine.dlq.list({ runId: gone.runId }))[0]!;
    const db = new Database(join(dir, 'weft.db'));
    db.prepare('DELETE FROM runs WHERE id = ?').run(gone.runId);
    db.close();
    const before = await engine.dlq.list();
    await expect(engine.dlq.replay(entry.id)).rejects.toMatchObject({
      code: 'not_found',
      message: `dead-letter entry ${entry.id} (step 'b'): its run ${gone.runId} no longer exists in this store; delete the entry with \`weft dlq delete ${entry.id}\``,
    });
    expect(await engine.dlq.list()).toEqual(before);
    expect(await engine.getRun(gone.runId)).toBeUndefined();
    // A run that was rolled back.
    const rolled = await (
      await engine.start({
        source: `name: rolled
on_error: rollback
steps:
  - { id: a, type: skill, skill: work, inputs: { id: a }, compensate: [ { id: undo, type: skill, skill: work, inputs: { id: undo } } ] }
  - { id: b, type: skill, skill: work, inputs: { id: b } }
`,
      })
    ).result();
    const rolledEntry = (await engine.dlq.list({ runId: rolled.runId }))[0]!;
    await expect(engine.dlq.replay(rolledEntry.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('was rolled back'),
    });
    expect((await engine.getRun(rolled.runId))!.run.status).toBe('failed');
  });

  it('replays every entry, once per run, and deletes and purges entries', async () => {
    const { engine, broken } = await dlqEngine();
    broken.add('left');
    broken.add('right');
    const doc = `name: two-failures
steps:
  - { id: left, type: skill, skill: work, inputs: { id: left }, needs: [] }
  - { id: right, type: skill, skill: work, inputs: { id: right }, needs: [] }
`;
    const first = await (await engine.start({ source: doc })).result();
    const second = await (await engine.start({ source: doc })).result();
    expect(await engine.dlq.list()).toHaveLength(4);
    broken.clear();
    const replays = await engine.dlq.replayAll({ workflow: 'two-failures' });
    expect(replays).toHaveLength(4);
    const ran = replays.filter((r) => r.run);
    expect(ran.map((r) => r.runId).sort()).toEqual([first.runId, second.runId].sort());
    for (const replay of ran) expect(await replay.run!.result()).toMatchObject({ status: 'completed' });
    expect(replays.filter((r) => r.sameRunAs)).toHaveLength(2);
    expect(await engine.dlq.list()).toEqual([]);

    broken.add('left');
    await (await engine.start({ source: doc })).result();
    const [entry] = await engine.dlq.list();
    expect(await engine.dlq.delete(entry!.id)).toBe(true);
    expect(await engine.dlq.delete(entry!.id)).toBe(false);
    await (await engine.start({ source: doc })).result();
    expect(await engine.dlq.purge({ olderThanMs: 60_000 })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await engine.dlq.purge({ olderThanMs: 0 })).toBe(1);
    await expect(engine.dlq.purge({ olderThanMs: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('removes entries past the retention period when the engine starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-dlq-retention-'));
    const store = await openStore(`sqlite:${join(dir, 'weft.db')}`);
    await store.migrate();
    const now = Date.now();
    const run = {
      id: 'r',
      workflow: 'wf',
      version: null,
      documentHash: 'h',
      status: 'failed' as const,
      input: null,
      output: null,
      error: null,
      parentRunId: null,
      createdAt: now,
      startedAt: now,
      endedAt: now,
      deadlineAt: null,
      owner: 'me',
      leaseExpiresAt: null,
      lastSeq: 0,
      meta: {},
    };
    const entry = (id: string, age: number, stepKey: string) => ({
      id,
      workflow: 'wf',
      version: null,
      runId: 'r',
      stepKey,
      stepId: stepKey,
      attempt: 1,
      input: null,
      error: { code: 'skill_error', message: 'x' },
      attempts: 1,
      createdAt: now - age,
    });
    await store.commit({
      owner: 'me',
      newRuns: [run],
      runPatches: [],
      steps: [],
      events: [],
      deadLetters: [entry('old', 40 * 86_400_000, 'a'), entry('new', 86_400_000, 'b')],
    });
    await store.close();
    const { engine } = await dlqEngine(dir, { retentionMs: 30 * 86_400_000 });
    for (let tries = 0; (await engine.dlq.list()).length > 1 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await engine.dlq.list()).map((e) => e.id)).toEqual(['new']);
  });
});
