/** Where a circuit breaker stands: calls go through, fail at once, or a few go through as trials. */
export type BreakerStatus = 'closed' | 'open' | 'half_open';

/** Calls and failures that ended within one slice of a breaker's `window`. */
export interface BreakerBucket {
  /** Start of the slice, ms since the epoch. */
  at: number;
  calls: number;
  failures: number;
}

/** The shared state of one breaker target (an http host or an agent), as kept in the store or Redis. */
export interface BreakerState {
  target: string;
  status: BreakerStatus;
  /** Consecutive failures while closed. */
  failures: number;
  /** Recent calls, oldest first; only kept when the policy has a `failure_rate`. */
  buckets: BreakerBucket[];
  /** When it last opened; null while it never has since the last close. */
  openedAt: number | null;
  /** Open: when trials may start. */
  openUntil: number | null;
  /** Half-open: when it became half-open, trials started and not reported, and trials that succeeded. */
  halfOpenedAt: number | null;
  trials: number;
  successes: number;
  /** Why it last opened, for people (`5 consecutive failures`, `60% of 20 calls failed`). */
  reason: string | null;
  /** The last failure's error code and message. */
  lastError: string | null;
  updatedAt: number;
}

/** A state with the version it was read at, for compare-and-set. */
export interface VersionedBreakerState {
  state: BreakerState;
  /** Increases by one with every write; 0 means nothing is stored. */
  version: number;
}

/**
 * Keeps breaker states where every engine sharing them sees them: the store (a table) or Redis.
 * Writes are compare-and-set, so engines in different processes never lose each other's updates.
 * @example
 * const current = await states.get('api.example.test');
 * const written = await states.put(next, current?.version ?? 0); // false: read again, decide again
 */
export interface BreakerStateStore {
  get(target: string): Promise<VersionedBreakerState | undefined>;
  /** Writes `state` if the stored version is still `version` (0: none stored); false when another write came first. */
  put(state: BreakerState, version: number): Promise<boolean>;
  /** Every stored state, by target. */
  list(): Promise<BreakerState[]>;
  /** Forgets a target's state (it is closed again); false when there was none. */
  delete(target: string): Promise<boolean>;
}

/** A breaker that has never seen a call. */
export function closedState(target: string, now: number): BreakerState {
  return {
    target,
    status: 'closed',
    failures: 0,
    buckets: [],
    openedAt: null,
    openUntil: null,
    halfOpenedAt: null,
    trials: 0,
    successes: 0,
    reason: null,
    lastError: null,
    updatedAt: now,
  };
}
