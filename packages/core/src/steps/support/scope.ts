import type { Evaluable, Scope } from '../../expr/index.js';

/** A scope for nested steps: the parent's names (live getters such as `now` kept) plus `extra`. */
export function extendScope(scope: Scope, extra: Scope): Scope {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(scope)) as Scope;
  return Object.assign(out, extra);
}

/**
 * `value` evaluated in `scope` instead of the step's own: pass it to `ctx.evaluate`, so a failure
 * still becomes an `expression_error` that names the step.
 */
export function within<T>(value: Evaluable<T>, scope: Scope): Evaluable<T> {
  return { refs: value.refs, isStatic: value.isStatic, evaluate: () => value.evaluate(scope) };
}

/** `a list`, `an object`, `null`, `a string`: for messages that say what came. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}
