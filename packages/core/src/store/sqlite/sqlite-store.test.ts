import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStoreConformance, makeRun } from '../store.conformance.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'));
let files = 0;
const tempFile = () => join(dir, `store-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance('sqlite', async () => SqliteStore.open(tempFile()));
describeStoreConformance('sqlite :memory:', async () => SqliteStore.open(':memory:'));

describe('SqliteStore', () => {
  const batch = { owner: 'me', newRuns: [], runPatches: [], steps: [], events: [] };

  it('opens in WAL mode and creates the parent directory', async () => {
    const file = join(dir, 'nested', 'deeper', 'weft.db');
    const store = SqliteStore.open(file);
    await store.migrate();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('lets a second connection see commits and refuses it a claim already taken', async () => {
    const file = tempFile();
    const a = SqliteStore.open(file);
    const b = SqliteStore.open(file);
    await a.migrate();
    await a.commit({ ...batch, newRuns: [makeRun({ owner: null, leaseExpiresAt: null })] });
    expect((await b.getRun('run-1'))?.owner).toBeNull();
    expect(await a.claimRun('run-1', { owner: 'a', leaseMs: 1000, now: 1 })).toBeDefined();
    expect(await b.claimRun('run-1', { owner: 'b', leaseMs: 1000, now: 2 })).toBeUndefined();
    expect((await b.getRun('run-1'))?.owner).toBe('a');
    await a.close();
    await b.close();
  });

  it('reports a database locked past the busy timeout as store_error', async () => {
    const file = tempFile();
    const store = SqliteStore.open(file, { busyTimeoutMs: 50 });
    await store.migrate();
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    await expect(store.commit({ ...batch, newRuns: [makeRun()] })).rejects.toMatchObject({
      code: 'store_error',
      message: expect.stringMatching(/is locked .*50 ms busy timeout/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    holder.exec('ROLLBACK');
    await store.commit({ ...batch, newRuns: [makeRun()] });
    holder.close();
    await store.close();
  });

  it('reports a database locked at open as store_error', () => {
    const file = tempFile();
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
    expect(() => SqliteStore.open(file, { busyTimeoutMs: 50 })).toThrow(/is locked/);
    holder.exec('ROLLBACK');
    holder.close();
  });

  it('refuses a file that is not a SQLite database, and a directory', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'these are not the pages you are looking for '.repeat(100));
    expect(() => SqliteStore.open(file)).toThrow(expect.objectContaining({ code: 'store_error' }));
    expect(() => SqliteStore.open(file)).toThrow(/notes\.txt is not a SQLite database/);
    expect(() => SqliteStore.open(dir)).toThrow(/is a directory; expected a SQLite database file/);
  });
});
