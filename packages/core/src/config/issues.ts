import type { z } from 'zod';
import { didYouMean } from '../util/did-you-mean.js';
import { SETTING_NAMES } from './schema.js';

/** One problem in a config source, located by its setting path. */
export interface ConfigIssue {
  path: PropertyKey[];
  message: string;
  /** The problem is the key itself (an unknown setting), not its value. */
  atKey: boolean;
}

/** `store`, `skills[0]`, `secrets.API_KEY`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** Turns zod issues into messages that say what was expected and what came. */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const actual = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = issue.path.length === 0 ? didYouMean(key, SETTING_NAMES) : '';
          const what = issue.path.length === 0 ? 'setting' : 'key';
          result.push({
            path: [...issue.path, key],
            message: `unknown ${what} '${key}'${hint}`,
            atKey: true,
          });
        }
        break;
      case 'invalid_type':
        result.push({
          path: issue.path,
          message: `expected ${article(issue.expected)}, got ${describe(actual)}`,
          atKey: false,
        });
        break;
      case 'invalid_union':
        result.push({
          path: issue.path,
          message: `expected a string, got ${describe(actual)}`,
          atKey: false,
        });
        break;
      case 'invalid_value': {
        const values = issue.values.map(String);
        const hint = typeof actual === 'string' ? didYouMean(actual, values) : '';
        result.push({
          path: issue.path,
          message: `expected one of ${values.join(', ')}, got ${describe(actual)}${hint}`,
          atKey: false,
        });
        break;
      }
      case 'too_small':
        result.push({
          path: issue.path,
          message: `expected a non-empty value, got ${describe(actual)}`,
          atKey: false,
        });
        break;
      case 'invalid_key':
        result.push({ path: issue.path, message: issue.issues[0]?.message ?? issue.message, atKey: true });
        break;
      default:
        result.push({ path: issue.path, message: issue.message, atKey: false });
    }
  }
  return result;
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', record: 'a mapping' };
  return names[type] ?? (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
