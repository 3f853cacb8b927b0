import { describe, expect, it } from 'vitest';
import { SimulatedClock } from './simulated-clock.js';

describe('SimulatedClock', () => {
  it('fires timers in time order as it moves, each at its own time, never before', () => {
    const clock = new SimulatedClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 50);
    }, 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 150);
    clock.clearTimeout(cancelled);
    expect(clock.nextAt).toBe(1100);
    clock.increment(99);
    expect(fired).toEqual([]);
    clock.set(1300);
    expect(fired).toEqual(['a@1100', 'c@1150', 'b@1200']);
    expect(clock.now()).toBe(1300);
    expect(clock.pending).toBe(0);
    expect(clock.nextAt).toBeUndefined();
  });
});
