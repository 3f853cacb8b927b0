import { afterEach, describe, expect, it, vi } from 'vitest';
import { atDeadline } from './deadline-timer.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('atDeadline', () => {
  it('fires at a deadline past what one setTimeout can wait (40 days), not before', () => {
    vi.useFakeTimers({ now: 0 });
    const fire = vi.fn();
    const day = 86_400_000;
    atDeadline(40 * day, fire);
    vi.advanceTimersByTime(40 * day - 1);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a deadline that has passed, and never once cancelled', () => {
    vi.useFakeTimers({ now: 1000 });
    const past = vi.fn();
    atDeadline(999, past);
    expect(past).toHaveBeenCalledTimes(1);
    const cancelled = vi.fn();
    const cancel = atDeadline(5000, cancelled);
    cancel();
    vi.advanceTimersByTime(10_000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
