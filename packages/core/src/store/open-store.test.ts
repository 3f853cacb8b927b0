import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { openStore } from './open-store.js';
import { maskUrl } from './store-url.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openError(url: string): Promise<WeftError> {
  const error = await openStore(url, { cwd: dir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeftError);
  expect((error as WeftError).code).toBe('store_error');
  return error as WeftError;
}

describe('openStore', () => {
  it('opens sqlite paths relative to cwd, creating the directory', async () => {
    const store = await openStore('sqlite:data/weft.db', { cwd: dir });
    expect(store.kind).toBe('sqlite');
    expect((await store.migrate()).pending).toEqual([]);
    await store.close();
    const again = await openStore(`sqlite:${join(dir, 'data', 'weft.db')}`);
    expect((await again.migrationStatus()).pending).toEqual([]);
    await again.close();
  });

  it('opens sqlite::memory:', async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    expect(await store.listRuns()).toEqual([]);
    await store.close();
  });

  it('refuses unknown schemes and empty paths, saying what it expected', async () => {
    expect((await openError('mysql://root:hunter2@db/weft')).message).toBe(
      'Store URL "mysql://root:***@db/weft" has unknown scheme "mysql:"; expected sqlite:<file path>, sqlite::memory: or postgres://user@host:5432/database',
    );
    expect((await openError('weft.db')).message).toMatch(
      /Store URL "weft.db" has no scheme; expected sqlite:/,
    );
    expect((await openError('sqlite:')).message).toMatch(/Store URL "sqlite:" has no file path/);
    expect((await openError('')).message).toMatch(/Expected a store URL/);
  });

  it('refuses a directory and a file that is not a database', async () => {
    expect((await openError('sqlite:.')).message).toMatch(
      /^Cannot open store "sqlite:\.": .* is a directory; expected a SQLite database file path$/,
    );
    writeFileSync(join(dir, 'junk.db'), 'x'.repeat(4096));
    expect((await openError('sqlite:junk.db')).message).toMatch(
      /^Cannot open store "sqlite:junk\.db": .*junk\.db is not a SQLite database/,
    );
  });

  it('reports an unreachable PostgreSQL with the password masked', async () => {
    const error = await openError('postgres://weft:s3cret@127.0.0.1:1/weft');
    expect(error.message).toMatch(
      /^Cannot open store "postgres:\/\/weft:\*\*\*@127\.0\.0\.1:1\/weft": Cannot connect to PostgreSQL at postgres:\/\/weft:\*\*\*@127\.0\.0\.1:1\/weft \(.*ECONNREFUSED.*\); expected a PostgreSQL server/,
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('masks passwords in user info and parameters', () => {
    expect(maskUrl('postgresql://u:p%40ss@h:5432/db?sslmode=require')).toBe(
      'postgresql://u:***@h:5432/db?sslmode=require',
    );
    expect(maskUrl('postgres://h/db?user=u&password=pw&x=1')).toBe('postgres://h/db?user=u&password=***&x=1');
    expect(maskUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(maskUrl('postgres://u:p@ss/w@rd@h/db')).toBe('postgres://u:***@h/db');
  });
});
