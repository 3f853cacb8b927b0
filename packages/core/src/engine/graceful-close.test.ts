import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSkill } from '../skills/types.js';
import { createEngine } from './create-engine.js';
import type { WeftEngine } from './engine.js';

const open: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((engine) => engine.close()));
});

const FLOW = `name: graceful
steps:
  - { id: slow, type: skill, skill: slow, inputs: { ms: "\${ inputs.ms }" } }
  - { id: next, type: skill, skill: count }
`;

/** An engine whose `slow` skill sleeps and whose `count` skill counts its calls. */
async function engineOn(dir: string, calls: { slow: number; count: number }) {
  const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir });
  engine.registerSkill(
    defineSkill({
      name: 'slow',
      async run({ ms }: { ms: number }) {
        calls.slow++;
        await new Promise((resolve) => setTimeout(resolve, ms));
        return 'slept';
      },
    }),
  );
  engine.registerSkill(defineSkill({ name: 'count', run: () => ++calls.count }));
  open.push(engine);
  return engine;
}

async function started(engine: WeftEngine, stepKey: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const off = engine.on('step.started', (event) => {
      if (event.stepKey === stepKey) {
        off();
        resolve();
      }
    });
  });
}

describe('engine.close({ graceMs })', () => {
  it('lets a running step finish, starts no new step, and leaves the run to be resumed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-graceful-'));
    const calls = { slow: 0, count: 0 };
    const first = await engineOn(dir, calls);
    const handle = await first.start({ source: FLOW }, { ms: 150 });
    await started(first, 'slow');
    await first.close({ graceMs: 5_000 });

    const second = await engineOn(dir, calls);
    const before = await second.getRun(handle.runId);
    expect(before?.run.status).toBe('running');
    expect(before?.steps.map((s) => [s.stepKey, s.status])).toEqual([['slow', 'completed']]);
    expect(calls).toEqual({ slow: 1, count: 0 });

    const resumed = await second.resume(handle.runId);
    expect(await resumed.result()).toMatchObject({ status: 'completed', output: 1 });
    expect(calls).toEqual({ slow: 1, count: 1 });
  });

  it('interrupts a step that outlasts the grace period; it runs again where the run resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-graceful-'));
    const calls = { slow: 0, count: 0 };
    const first = await engineOn(dir, calls);
    const handle = await first.start({ source: FLOW }, { ms: 400 });
    await started(first, 'slow');
    await first.close({ graceMs: 50 });

    const second = await engineOn(dir, calls);
    const resumed = await second.resume(handle.runId);
    expect(await resumed.result()).toMatchObject({ status: 'completed' });
    expect(calls).toEqual({ slow: 2, count: 1 });
  });
});
