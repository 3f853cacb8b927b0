import { hash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The default key of a call: a hash of what is called (skill or agent name) and its resolved inputs. */
export function defaultCacheKey(name: string, input: unknown): string {
  return hash('sha256', `${name}\n${canonicalJson(input)}`, 'hex').slice(0, 32);
}

/** A key given by an expression: strings as they are, anything else as canonical JSON. */
export function keyText(value: unknown): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}
