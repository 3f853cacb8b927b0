import { beforeEach, describe, expect, it } from 'vitest';
import { makeRun } from './store.conformance.js';
import type { NewRunCommand, RunRecord, Store } from './types.js';

const T0 = 1_700_000_000_000;
const OWNER = 'host-a:100';

/** A run of the shared fixture (store.conformance.ts) with no input. */
function run(id: string, status: RunRecord['status'] = 'running'): RunRecord {
  return makeRun({ id, status, input: null });
}

function command(runId: string, kind: NewRunCommand['kind'], at = T0): NewRunCommand {
  return { runId, kind, by: 'ada', reason: kind === 'cancel' ? 'not needed' : null, createdAt: at };
}

/** Run-control commands; `store` is migrated and holds runs r1, r2 (running) and done (completed). */
export function describeCommandsConformance(getStore: () => Store): void {
  describe('run commands', () => {
    let store: Store;
    beforeEach(async () => {
      store = getStore();
      await store.migrate();
      const runs = [run('r1'), run('r2'), run('done', 'completed')];
      await store.commit({ owner: OWNER, newRuns: runs, runPatches: [], steps: [], events: [] });
    });

    it('adds a command after the newest one only, and never to a run that ended or is unknown', async () => {
      expect(await store.lastRunCommand('r1')).toBeUndefined();
      const pause = await store.addRunCommand(command('r1', 'pause'), 0);
      expect(pause).toEqual({ ...command('r1', 'pause'), id: expect.any(Number), appliedAt: null });
      // Another process decided on the same state: refused, nothing stored.
      expect(await store.addRunCommand(command('r1', 'cancel'), 0)).toBeUndefined();
      const resume = await store.addRunCommand(command('r1', 'resume', T0 + 1), pause!.id);
      expect(resume?.id).toBeGreaterThan(pause!.id);
      expect(await store.addRunCommand(command('r1', 'pause'), pause!.id)).toBeUndefined();
      expect(await store.lastRunCommand('r1')).toEqual(resume);
      expect(await store.addRunCommand(command('done', 'cancel'), 0)).toBeUndefined();
      expect(await store.addRunCommand(command('missing', 'cancel'), 0)).toBeUndefined();
      expect(await store.lastRunCommand('done')).toBeUndefined();
    });

    it('lets one of many concurrent commands after the same one through', async () => {
      const added = await Promise.all(
        ['pause', 'cancel', 'pause', 'cancel'].map((kind) =>
          store.addRunCommand(command('r2', kind as NewRunCommand['kind']), 0),
        ),
      );
      expect(added.filter(Boolean)).toHaveLength(1);
    });

    it('lists pending commands of the given runs, oldest first, until they are marked applied', async () => {
      const a = await store.addRunCommand(command('r1', 'pause'), 0);
      const b = await store.addRunCommand(command('r1', 'resume'), a!.id);
      const c = await store.addRunCommand(command('r2', 'cancel'), 0);
      expect((await store.listPendingCommands(['r1', 'r2'])).map((x) => x.id)).toEqual([a!.id, b!.id, c!.id]);
      expect(await store.listPendingCommands(['r2'])).toEqual([c]);
      expect(await store.listPendingCommands([])).toEqual([]);
      await store.markCommandsApplied('r1', a!.id, T0 + 5);
      expect((await store.listPendingCommands(['r1', 'r2'])).map((x) => x.id)).toEqual([b!.id, c!.id]);
      await store.markCommandsApplied('r1', b!.id, T0 + 9);
      expect(await store.lastRunCommand('r1')).toEqual({ ...b, appliedAt: T0 + 9 });
      expect(await store.listPendingCommands(['r1'])).toEqual([]);
    });
  });
}
