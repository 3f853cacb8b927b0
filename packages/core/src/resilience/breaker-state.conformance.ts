import { describe, expect, it } from 'vitest';
import { type BreakerState, type BreakerStateStore, closedState } from './breaker-state.js';

const T0 = 1_700_000_000_000;

function state(target: string, overrides: Partial<BreakerState> = {}): BreakerState {
  return { ...closedState(target, T0), ...overrides };
}

/** What every BreakerStateStore does (store tables, Redis); `get` returns one with no states. */
export function describeBreakerStateConformance(getStates: () => BreakerStateStore): void {
  describe('breaker states', () => {
    it('starts empty, writes a first version, and reads it back', async () => {
      const states = getStates();
      expect(await states.get('a.test')).toBeUndefined();
      expect(await states.put(state('a.test', { failures: 2 }), 0)).toBe(true);
      expect(await states.get('a.test')).toEqual({ state: state('a.test', { failures: 2 }), version: 1 });
    });

    it('writes compare-and-set: a stale version loses, the current one wins', async () => {
      const states = getStates();
      await states.put(state('b.test'), 0);
      expect(await states.put(state('b.test', { failures: 9 }), 0)).toBe(false);
      expect(await states.put(state('b.test', { status: 'open', openUntil: T0 + 5 }), 1)).toBe(true);
      expect(await states.put(state('b.test', { failures: 1 }), 1)).toBe(false);
      const read = await states.get('b.test');
      expect(read?.version).toBe(2);
      expect(read?.state).toMatchObject({ status: 'open', openUntil: T0 + 5 });
    });

    it('lists every state by target and deletes one (closed again)', async () => {
      const states = getStates();
      await states.put(state('z.test'), 0);
      await states.put(state('m.test', { status: 'half_open', trials: 1 }), 0);
      expect((await states.list()).map((s) => s.target)).toEqual(['m.test', 'z.test']);
      expect(await states.delete('m.test')).toBe(true);
      expect(await states.delete('m.test')).toBe(false);
      expect(await states.get('m.test')).toBeUndefined();
      // After a reset, a writer that read the old version cannot bring it back.
      expect(await states.put(state('m.test', { failures: 3 }), 1)).toBe(false);
      expect(await states.put(state('m.test'), 0)).toBe(true);
    });
  });
}
