import { UsageError } from '../errors.js';

export interface Assignment {
  /** `a.b` -> ['a', 'b']. */
  path: string[];
  value: unknown;
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Reads one `--set key=value`. The value is JSON when it parses as JSON (numbers, booleans, null,
 * arrays, objects, quoted strings), else the text as written.
 * @example parseSet('retry.max=3') // { path: ['retry', 'max'], value: 3 }
 */
export function parseSet(text: string): Assignment {
  const eq = text.indexOf('=');
  if (eq < 0) throw new UsageError(`--set '${text}': expected key=value, e.g. --set order_id=42`);
  const key = text.slice(0, eq).trim();
  const path = key.split('.');
  if (key === '' || path.some((segment) => segment === '')) {
    throw new UsageError(
      `--set '${text}': expected a key such as 'name' or 'order.id' before '=', got '${key}'`,
    );
  }
  const bad = path.find((segment) => FORBIDDEN.has(segment));
  if (bad !== undefined) throw new UsageError(`--set '${text}': '${bad}' cannot be used as a key`);
  return { path, value: parseValue(text.slice(eq + 1)) };
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Applies `--set` assignments in order to a copy of `base`, creating nested objects as needed. */
export function applySets(base: unknown, sets: readonly string[]): unknown {
  if (sets.length === 0) return base;
  if (!isObject(base)) {
    throw new UsageError(`--set needs the input to be a JSON object, but --input is ${describe(base)}`);
  }
  const result = structuredClone(base);
  for (const text of sets) {
    const { path, value } = parseSet(text);
    let target: Record<string, unknown> = result;
    for (const [index, segment] of path.slice(0, -1).entries()) {
      const next = target[segment];
      if (next === undefined) {
        target[segment] = {};
      } else if (!isObject(next)) {
        const at = path.slice(0, index + 1).join('.');
        throw new UsageError(`--set '${text}': '${at}' is ${describe(next)}, not an object`);
      }
      target = target[segment] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `${typeof value === 'string' ? 'the string' : `the ${typeof value}`} ${JSON.stringify(value)}`;
}
