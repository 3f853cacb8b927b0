import { WeftError } from '../../errors.js';

/** The most an event's or an approval's `data` may weigh, as JSON text: 256 KiB. */
export const MAX_DATA_BYTES = 256 * 1024;

/**
 * Checks that `value` is plain JSON (null, booleans, finite numbers, strings, arrays, plain objects)
 * of at most MAX_DATA_BYTES, else throws `invalid_input` naming `what`.
 * @example checkJsonPayload({ order_id: 'A-1' }, 'event data')
 */
export function checkJsonPayload(value: unknown, what: string): void {
  const problem = jsonProblem(value, '', new Set());
  if (problem) throw new WeftError('invalid_input', `${what} must be JSON: ${problem}`);
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > MAX_DATA_BYTES) {
    throw new WeftError(
      'invalid_input',
      `${what} is ${bytes} bytes as JSON; expected at most ${MAX_DATA_BYTES} (256 KiB)`,
    );
  }
}

function jsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  const at = path === '' ? '' : ` at ${path}`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `${value} is not a JSON number${at}`;
  if (typeof value !== 'object') return `got a ${typeof value}${at}`;
  if (seen.has(value)) return `got a circular reference${at}`;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return `got a ${value.constructor?.name ?? 'non-plain'} object${at}`;
  }
  seen.add(value);
  const entries = Array.isArray(value)
    ? value.map((item, i) => [String(i), item] as const)
    : Object.entries(value);
  for (const [key, item] of entries) {
    const problem = jsonProblem(item, Array.isArray(value) ? `${path}[${key}]` : `${path}/${key}`, seen);
    if (problem) return problem;
  }
  seen.delete(value);
  return undefined;
}
