// Micro-benchmark of the hot path: one commit of (1 run patch + 1 step + 2 events).
// npx tsx packages/core/test/store/bench-commit.ts [sqlite|postgres] [iterations]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store, WriteBatch } from '../../src/store/types.js';

const kind = process.argv[2] ?? 'sqlite';
const iterations = Number(process.argv[3] ?? (kind === 'sqlite' ? 50_000 : 3_000));
const owner = 'bench';

async function open(): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
    const store = SqliteStore.open(process.env.BENCH_FILE ?? join(dir, 'bench.db'));
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `weft_bench_${process.pid}`;
  const store = await PostgresStore.open({ url, schema });
  const cleanup = async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  };
  return { store, cleanup };
}

const { store, cleanup } = await open();
await store.migrate();
const now = Date.now();
await store.commit({
  owner,
  newRuns: [
    {
      id: 'r',
      workflow: 'bench',
      version: 1,
      documentHash: 'h',
      status: 'running',
      input: { n: 1 },
      output: null,
      error: null,
      parentRunId: null,
      createdAt: now,
      startedAt: now,
      endedAt: null,
      deadlineAt: null,
      owner,
      leaseExpiresAt: now + 60_000,
      lastSeq: 0,
      meta: {},
    },
  ],
  runPatches: [],
  steps: [],
  events: [],
});

let seq = 0;
function nextBatch(i: number): WriteBatch {
  const t = now + i;
  return {
    owner,
    newRuns: [],
    runPatches: [{ id: 'r', lastSeq: seq + 2 }],
    steps: [
      {
        runId: 'r',
        stepKey: `s${i}`,
        attempt: 1,
        stepId: 's',
        type: 'skill',
        status: 'completed',
        startedAt: t,
        endedAt: t,
        input: { message: 'hello', n: i },
        output: { message: 'hello' },
        error: null,
        meta: null,
      },
    ],
    events: [
      { runId: 'r', seq: ++seq, type: 'step.started', time: t, stepKey: `s${i}`, data: { attempt: 1 } },
      { runId: 'r', seq: ++seq, type: 'step.completed', time: t, stepKey: `s${i}`, data: { ms: 0 } },
    ],
  };
}

const warmup = Math.min(1000, iterations / 10);
for (let i = 0; i < warmup; i++) await store.commit(nextBatch(i));
const start = process.hrtime.bigint();
for (let i = warmup; i < warmup + iterations; i++) await store.commit(nextBatch(i));
const us = Number(process.hrtime.bigint() - start) / 1000 / iterations;
console.log(
  `${kind}: ${iterations} commits of (1 patch + 1 step + 2 events): ${us.toFixed(1)} us per commit`,
);
await store.close();
await cleanup();
