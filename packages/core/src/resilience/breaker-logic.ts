import type { BreakerPolicy } from './breaker-policy.js';
import { type BreakerBucket, type BreakerState, closedState } from './breaker-state.js';

/**
 * The circuit breaker's rules as pure functions of (state, policy, now): no I/O, no clock, so the
 * state stores stay dumb and tests need no timers. `next` undefined means nothing changed.
 */
export type BreakerTransition = 'opened' | 'half_opened' | 'closed';

export interface Admission {
  allowed: boolean;
  /** The call is a half-open trial: report its outcome with `trial: true`. */
  trial: boolean;
  /** Refused: how long until a call may go through. */
  retryAfterMs: number;
  next: BreakerState | undefined;
  transition: BreakerTransition | undefined;
}

export interface Report {
  next: BreakerState | undefined;
  transition: BreakerTransition | undefined;
}

export type CallOutcome = 'success' | 'failure' | 'none';

const SLICES = 10;
/** A refused call during half-open trials tries again after at most this long. */
const TRIAL_RETRY_MS = 1000;

/** May a call to the target go through now? */
export function admit(
  current: BreakerState | undefined,
  target: string,
  policy: BreakerPolicy,
  now: number,
): Admission {
  const state = current ?? closedState(target, now);
  if (state.status === 'closed') return pass(undefined, false, undefined);
  if (state.status === 'open') {
    const until = state.openUntil ?? now;
    if (now < until) return refuse(until - now);
    const next = {
      ...state,
      status: 'half_open' as const,
      halfOpenedAt: now,
      trials: 1,
      successes: 0,
      updatedAt: now,
    };
    return pass(next, true, 'half_opened');
  }
  // Half-open: trials nobody reported within `open_for` (their process died) are forgotten.
  const stale = now - (state.halfOpenedAt ?? now) >= policy.openForMs;
  const trials = stale ? 0 : state.trials;
  if (trials < policy.halfOpenMaxCalls) {
    const next = {
      ...state,
      trials: trials + 1,
      halfOpenedAt: stale ? now : state.halfOpenedAt,
      updatedAt: now,
    };
    return pass(next, true, undefined);
  }
  return refuse(Math.min(TRIAL_RETRY_MS, (state.halfOpenedAt ?? now) + policy.openForMs - now));
}

/** Records how an admitted call ended; `none` (cancelled) only gives a trial's place back. */
export function report(
  current: BreakerState | undefined,
  options: {
    target: string;
    policy: BreakerPolicy;
    outcome: CallOutcome;
    trial: boolean;
    now: number;
    error?: string;
  },
): Report {
  const { target, policy, outcome, trial, now } = options;
  const state = current ?? closedState(target, now);
  if (trial) {
    // Reset, or already decided by another trial: this one no longer counts.
    if (state.status !== 'half_open') return unchanged();
    if (outcome === 'none')
      return changed({ ...state, trials: Math.max(0, state.trials - 1), updatedAt: now });
    if (outcome === 'failure') {
      return changed(open(state, policy, now, 'a trial call failed', options.error), 'opened');
    }
    const successes = state.successes + 1;
    if (successes >= policy.halfOpenMaxCalls) return changed(closedState(target, now), 'closed');
    return changed({ ...state, successes, trials: Math.max(0, state.trials - 1), updatedAt: now });
  }
  // A call admitted while closed that ends after the circuit opened tells nothing new.
  if (state.status !== 'closed' || outcome === 'none') return unchanged();
  const rated = policy.failureRate !== undefined;
  if (outcome === 'success') {
    if (state.failures === 0 && !rated) return unchanged();
    const next = {
      ...state,
      failures: 0,
      buckets: rated ? count(state.buckets, policy, now, false) : [],
      updatedAt: now,
    };
    // The call that reaches `min_calls` may be a success: the rate is checked after every call.
    const why = tripReason(next, policy);
    return why ? changed(open(next, policy, now, why), 'opened') : changed(next);
  }
  const failures = state.failures + 1;
  const buckets = rated ? count(state.buckets, policy, now, true) : [];
  const next = { ...state, failures, buckets, lastError: options.error ?? null, updatedAt: now };
  const why = tripReason(next, policy);
  return why ? changed(open(next, policy, now, why, options.error), 'opened') : changed(next);
}

function tripReason(state: BreakerState, policy: BreakerPolicy): string | undefined {
  if (policy.failureThreshold !== undefined && state.failures >= policy.failureThreshold) {
    return `${state.failures} consecutive failures`;
  }
  if (policy.failureRate === undefined) return undefined;
  let calls = 0;
  let failures = 0;
  for (const bucket of state.buckets) {
    calls += bucket.calls;
    failures += bucket.failures;
  }
  if (calls < policy.minCalls || failures / calls < policy.failureRate) return undefined;
  return `${Math.round((failures / calls) * 100)}% of ${calls} calls failed within ${policy.windowMs}ms`;
}

function open(
  state: BreakerState,
  policy: BreakerPolicy,
  now: number,
  reason: string,
  error?: string,
): BreakerState {
  return {
    ...state,
    status: 'open',
    failures: 0,
    buckets: [],
    openedAt: now,
    openUntil: now + policy.openForMs,
    halfOpenedAt: null,
    trials: 0,
    successes: 0,
    reason,
    lastError: error ?? state.lastError,
    updatedAt: now,
  };
}

/** Adds a call to the window's current slice and drops slices older than the window. */
function count(
  buckets: BreakerBucket[],
  policy: BreakerPolicy,
  now: number,
  failed: boolean,
): BreakerBucket[] {
  const width = Math.max(1, Math.floor(policy.windowMs / SLICES));
  const at = now - (now % width);
  const kept = buckets.filter((bucket) => bucket.at > now - policy.windowMs);
  const last = kept[kept.length - 1];
  if (last && last.at === at) {
    kept[kept.length - 1] = { at, calls: last.calls + 1, failures: last.failures + (failed ? 1 : 0) };
  } else {
    kept.push({ at, calls: 1, failures: failed ? 1 : 0 });
  }
  return kept;
}

function pass(
  next: BreakerState | undefined,
  trial: boolean,
  transition: BreakerTransition | undefined,
): Admission {
  return { allowed: true, trial, retryAfterMs: 0, next, transition };
}

function refuse(retryAfterMs: number): Admission {
  return {
    allowed: false,
    trial: false,
    retryAfterMs: Math.max(1, retryAfterMs),
    next: undefined,
    transition: undefined,
  };
}

function changed(next: BreakerState, transition?: BreakerTransition): Report {
  return { next, transition };
}

function unchanged(): Report {
  return { next: undefined, transition: undefined };
}
