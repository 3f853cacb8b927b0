import { WeftError } from '../errors.js';

/** One breaker's settings as configured; unset fields come from `default`, then from the built-ins. */
export interface BreakerPolicySettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** Fraction of failed calls within `windowMs` (once there were `minCalls`) that opens it: 0 < rate <= 1. */
  failureRate?: number;
  windowMs?: number;
  minCalls?: number;
  /** How long it stays open before trial calls go through. */
  openForMs?: number;
  /** Trial calls at once while half-open; that many successes close it. */
  halfOpenMaxCalls?: number;
}

/**
 * `circuit_breakers:` in weft.config.yaml: `default` applies to every target without an entry of
 * its own in `targets` (an http host such as `api.example.test` or `127.0.0.1:8080`, or an agent
 * name). Without `default`, only the listed targets have breakers.
 */
export interface CircuitBreakerSettings {
  default?: BreakerPolicySettings;
  targets?: Record<string, BreakerPolicySettings>;
}

export interface BreakerPolicy {
  /** undefined: consecutive failures alone do not open it. */
  failureThreshold: number | undefined;
  failureRate: number | undefined;
  windowMs: number;
  minCalls: number;
  openForMs: number;
  halfOpenMaxCalls: number;
}

export const BREAKER_DEFAULTS = {
  failureThreshold: 5,
  windowMs: 60_000,
  minCalls: 10,
  openForMs: 30_000,
  halfOpenMaxCalls: 1,
} as const;

/** The settings with defaults filled in; `failure_threshold` defaults to 5 unless only a rate is given. */
export function resolvePolicy(...layers: (BreakerPolicySettings | undefined)[]): BreakerPolicy {
  const merged: BreakerPolicySettings = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [name, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as Record<string, unknown>)[name] = value;
    }
  }
  const rateOnly = merged.failureRate !== undefined && merged.failureThreshold === undefined;
  return {
    failureThreshold: rateOnly ? undefined : (merged.failureThreshold ?? BREAKER_DEFAULTS.failureThreshold),
    failureRate: merged.failureRate,
    windowMs: merged.windowMs ?? BREAKER_DEFAULTS.windowMs,
    minCalls: merged.minCalls ?? BREAKER_DEFAULTS.minCalls,
    openForMs: merged.openForMs ?? BREAKER_DEFAULTS.openForMs,
    halfOpenMaxCalls: merged.halfOpenMaxCalls ?? BREAKER_DEFAULTS.halfOpenMaxCalls,
  };
}

/** What is wrong with one policy's numbers, as `field: message` (config/ reports them with positions). */
export function policyProblems(policy: BreakerPolicySettings): string[] {
  const problems: string[] = [];
  const integer = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      problems.push(`${name}: expected an integer >= 1, got ${value}`);
  };
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      problems.push(`${name}: expected a duration longer than 0, got ${value}ms`);
  };
  integer('failureThreshold', policy.failureThreshold);
  integer('minCalls', policy.minCalls);
  integer('halfOpenMaxCalls', policy.halfOpenMaxCalls);
  positive('windowMs', policy.windowMs);
  positive('openForMs', policy.openForMs);
  const rate = policy.failureRate;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0 && rate <= 1))
    problems.push(
      `failureRate: expected a fraction of calls above 0 and at most 1 (0.5 is half), got ${rate}`,
    );
  return problems;
}

/** Checks settings given to `createEngine` (weft.config.yaml is checked when it is read). */
export function checkBreakerSettings(settings: CircuitBreakerSettings): void {
  const problems: string[] = [];
  const entries: [string, BreakerPolicySettings | undefined][] = [['default', settings.default]];
  for (const [target, policy] of Object.entries(settings.targets ?? {}))
    entries.push([`targets.${target}`, policy]);
  for (const [where, policy] of entries) {
    if (policy)
      for (const problem of policyProblems(policy)) problems.push(`circuitBreakers.${where}.${problem}`);
  }
  if (problems.length > 0)
    throw new WeftError('invalid_config', problems.join('\n'), { details: { problems } });
}

/** Looks up the policy of a target: its own entry over `default`; undefined: it has no breaker. */
export class BreakerPolicies {
  readonly #default: BreakerPolicySettings | undefined;
  readonly #targets: Map<string, BreakerPolicySettings>;
  readonly #resolved = new Map<string, BreakerPolicy | undefined>();

  constructor(settings: CircuitBreakerSettings) {
    this.#default = settings.default;
    this.#targets = new Map(Object.entries(settings.targets ?? {}));
  }

  /** True when no target can have a breaker: calls skip breakers without any lookup. */
  get empty(): boolean {
    return this.#default === undefined && this.#targets.size === 0;
  }

  /** `host` is tried as written, then without its port (`127.0.0.1:8080`, then `127.0.0.1`). */
  for(target: string): BreakerPolicy | undefined {
    if (this.#resolved.has(target)) return this.#resolved.get(target);
    const own = this.#targets.get(target) ?? this.#targets.get(target.replace(/:\d+$/, ''));
    const policy = own || this.#default ? resolvePolicy(this.#default, own) : undefined;
    if (this.#resolved.size < 10_000) this.#resolved.set(target, policy);
    return policy;
  }
}
