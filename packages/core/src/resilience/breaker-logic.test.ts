import { describe, expect, it } from 'vitest';
import { admit, report } from './breaker-logic.js';
import { resolvePolicy } from './breaker-policy.js';
import type { BreakerState } from './breaker-state.js';

const T = 'api.example.test';

/** Runs calls against one state, as the store would keep it; time is whatever the test says. */
function breaker(policy = resolvePolicy({ failureThreshold: 3, openForMs: 1000 })) {
  let state: BreakerState | undefined;
  const transitions: string[] = [];
  const call = (now: number, outcome: 'success' | 'failure' | 'none') => {
    const a = admit(state, T, policy, now);
    if (a.next) state = a.next;
    if (a.transition) transitions.push(a.transition);
    if (!a.allowed) return { refused: a.retryAfterMs };
    const r = report(state, { target: T, policy, outcome, trial: a.trial, now, error: 'http_status: 503' });
    if (r.next) state = r.next;
    if (r.transition) transitions.push(r.transition);
    return { trial: a.trial };
  };
  return { call, transitions, state: () => state };
}

describe('circuit breaker rules', () => {
  it('opens after failure_threshold consecutive failures; a success in between starts over', () => {
    const b = breaker();
    b.call(0, 'failure');
    b.call(1, 'failure');
    b.call(2, 'success');
    b.call(3, 'failure');
    b.call(4, 'failure');
    expect(b.state()?.status).toBe('closed');
    b.call(5, 'failure');
    expect(b.state()).toMatchObject({ status: 'open', openUntil: 1005, reason: '3 consecutive failures' });
    expect(b.call(6, 'success')).toEqual({ refused: 999 });
    expect(b.transitions).toEqual(['opened']);
  });

  it('lets one trial through after open_for; its success closes, its failure opens again', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.call(i, 'failure');
    expect(b.call(1002, 'failure')).toEqual({ trial: true });
    expect(b.state()).toMatchObject({ status: 'open', openUntil: 2002, reason: 'a trial call failed' });
    expect(b.call(2002, 'success')).toEqual({ trial: true });
    expect(b.state()?.status).toBe('closed');
    expect(b.transitions).toEqual(['opened', 'half_opened', 'opened', 'half_opened', 'closed']);
  });

  it('refuses calls beyond half_open_max_calls while trials run, and needs that many successes', () => {
    const policy = resolvePolicy({ failureThreshold: 1, openForMs: 100, halfOpenMaxCalls: 2 });
    let state: BreakerState | undefined = report(undefined, {
      target: T,
      policy,
      outcome: 'failure',
      trial: false,
      now: 0,
    }).next;
    const first = admit(state, T, policy, 100);
    state = first.next;
    const second = admit(state, T, policy, 101);
    state = second.next;
    const third = admit(state, T, policy, 102);
    expect([first.allowed, second.allowed, third.allowed]).toEqual([true, true, false]);
    expect(third.retryAfterMs).toBeGreaterThan(0);
    state = report(state, { target: T, policy, outcome: 'success', trial: true, now: 103 }).next;
    expect(state?.status).toBe('half_open');
    const closing = report(state, { target: T, policy, outcome: 'success', trial: true, now: 104 });
    expect([closing.next?.status, closing.transition]).toEqual(['closed', 'closed']);
  });

  it('forgets trials nobody reported within open_for (their process died)', () => {
    const policy = resolvePolicy({ failureThreshold: 1, openForMs: 100 });
    let state = report(undefined, { target: T, policy, outcome: 'failure', trial: false, now: 0 }).next;
    state = admit(state, T, policy, 100).next; // a trial that never reports
    expect(admit(state, T, policy, 150).allowed).toBe(false);
    expect(admit(state, T, policy, 200)).toMatchObject({ allowed: true, trial: true });
  });

  it('a cancelled trial gives its place back', () => {
    const policy = resolvePolicy({ failureThreshold: 1, openForMs: 100 });
    let state = report(undefined, { target: T, policy, outcome: 'failure', trial: false, now: 0 }).next;
    state = admit(state, T, policy, 100).next;
    state = report(state, { target: T, policy, outcome: 'none', trial: true, now: 101 }).next;
    expect(admit(state, T, policy, 102).allowed).toBe(true);
  });

  it('opens on failure_rate over the window once min_calls were made', () => {
    const b = breaker(resolvePolicy({ failureRate: 0.5, windowMs: 1000, minCalls: 4, openForMs: 500 }));
    b.call(0, 'failure');
    b.call(10, 'failure');
    b.call(20, 'failure'); // no failure_threshold given: 3 in a row do not open it
    expect(b.state()?.status).toBe('closed');
    b.call(30, 'success');
    expect(b.state()).toMatchObject({ status: 'open', reason: '75% of 4 calls failed within 1000ms' });
  });

  it('counts only calls within the window', () => {
    const b = breaker(resolvePolicy({ failureRate: 0.5, windowMs: 1000, minCalls: 4 }));
    b.call(0, 'failure');
    b.call(10, 'failure');
    b.call(1500, 'success');
    b.call(1510, 'success');
    b.call(1520, 'failure');
    b.call(1530, 'success');
    expect(b.state()?.status).toBe('closed');
    expect(b.state()?.buckets.reduce((n, bucket) => n + bucket.calls, 0)).toBe(4);
  });

  it('writes nothing for a success while closed without failures (the cheap path)', () => {
    const policy = resolvePolicy({ failureThreshold: 3 });
    expect(admit(undefined, T, policy, 0).next).toBeUndefined();
    expect(
      report(undefined, { target: T, policy, outcome: 'success', trial: false, now: 0 }).next,
    ).toBeUndefined();
  });
});
