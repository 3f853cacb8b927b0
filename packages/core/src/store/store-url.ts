import { isAbsolute, resolve } from 'node:path';
import { WeftError } from '../errors.js';

export type StoreLocation =
  | {
      kind: 'sqlite';
      /** Absolute file path, or `:memory:`. */
      filename: string;
    }
  | { kind: 'postgres'; url: string };

const EXPECTED = 'expected sqlite:<file path>, sqlite::memory: or postgres://user@host:5432/database';

/**
 * Reads a store URL: `sqlite:<path>` (relative to `cwd`), `sqlite::memory:`, `postgres://` or
 * `postgresql://`. Throws `store_error` naming the URL (password masked) and what was expected.
 * @example parseStoreUrl('sqlite:.weft/weft.db', '/app') // { kind: 'sqlite', filename: '/app/.weft/weft.db' }
 */
export function parseStoreUrl(url: string, cwd: string = process.cwd()): StoreLocation {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new WeftError('store_error', `Expected a store URL (${EXPECTED}), got ${JSON.stringify(url)}`);
  }
  const text = url.trim();
  if (/^sqlite:/i.test(text)) {
    let path = text.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === ':memory:') return { kind: 'sqlite', filename: ':memory:' };
    if (path === '') {
      throw new WeftError('store_error', `Store URL "${text}" has no file path; ${EXPECTED}`);
    }
    return { kind: 'sqlite', filename: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch (cause) {
      throw new WeftError('store_error', `Store URL "${maskUrl(text)}" is not a valid URL; ${EXPECTED}`, {
        cause,
      });
    }
    return { kind: 'postgres', url: text };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1];
  const got = scheme ? `unknown scheme "${scheme}:"` : 'no scheme';
  throw new WeftError('store_error', `Store URL "${maskUrl(text)}" has ${got}; ${EXPECTED}`);
}

/**
 * Hides the password of a URL (user info and `password=` parameters) for messages and logs.
 * @example maskUrl('postgres://weft:s3cret@db/weft') // 'postgres://weft:***@db/weft'
 */
export function maskUrl(url: string): string {
  return (
    url
      // Up to the last @: a password written with a raw @ in it is still hidden.
      .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):.*@/i, '$1:***@')
      .replace(/([?&]password=)[^&#]*/gi, '$1***')
  );
}
