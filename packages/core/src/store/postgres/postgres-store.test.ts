import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStoreConformance, makeRun } from '../store.conformance.js';
import { PostgresStore } from './postgres-store.js';

const url = process.env.WEFT_TEST_POSTGRES_URL;
if (!url) console.warn('Skipped the PostgreSQL store tests: set WEFT_TEST_POSTGRES_URL to run them.');

// Every store opened here gets its own fresh schema; all of them are dropped at the end.
const schemas: string[] = [];
const freshSchema = () => {
  const name = `weft_test_${randomBytes(6).toString('hex')}`;
  schemas.push(name);
  return name;
};

afterAll(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

(url ? describe : describe.skip)('PostgreSQL store (WEFT_TEST_POSTGRES_URL)', () => {
  describeStoreConformance('postgres', () => PostgresStore.open({ url: url!, schema: freshSchema() }));

  it('reads the schema from the URL and keeps two schemas apart', async () => {
    const schema = freshSchema();
    const a = await PostgresStore.open(`${url}${url!.includes('?') ? '&' : '?'}schema=${schema}`);
    const b = await PostgresStore.open({ url: url!, schema: freshSchema() });
    await a.migrate();
    await b.migrate();
    await a.commit({ owner: 'me', newRuns: [makeRun()], runPatches: [], steps: [], events: [] });
    expect(await a.getRun('run-1')).toBeDefined();
    expect(await b.getRun('run-1')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('lets only one of many stores claim a run', async () => {
    const schema = freshSchema();
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open({ url: url!, schema })));
    await stores[0]!.migrate();
    await stores[0]!.commit({
      owner: 'seed',
      newRuns: [makeRun({ owner: null, leaseExpiresAt: null })],
      runPatches: [],
      steps: [],
      events: [],
    });
    const claims = await Promise.all(
      stores.map((store, i) => store.claimRun('run-1', { owner: `w${i}`, leaseMs: 1000, now: 1 })),
    );
    expect(claims.filter(Boolean).length).toBe(1);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('migrates once when two processes migrate at the same time', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([1, 2].map(() => PostgresStore.open({ url: url!, schema })));
    const [sa, sb] = await Promise.all([a!.migrate(), b!.migrate()]);
    expect(sa).toEqual(sb);
    expect(sa.pending).toEqual([]);
    await Promise.all([a!.close(), b!.close()]);
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(PostgresStore.open({ url: url!, schema: 'Bad-Name' })).rejects.toThrow(
      /Expected a PostgreSQL schema name/,
    );
  });
});
