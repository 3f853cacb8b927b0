// Weft benchmarks: `npm run bench`. Prints a table and writes bench/results/latest.json.
// SQLite (a file in WAL mode) always; PostgreSQL too when WEFT_TEST_POSTGRES_URL is set.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBus } from '../packages/core/dist/events/bus.js';
import { createEngine } from '../packages/core/dist/index.js';
import { serverSuite } from './server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const scale = quick ? 0.2 : 1;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p99: at(0.99), n: sorted.length };
}

function sequential(n) {
  const steps = Array.from(
    { length: n },
    (_, i) => `  - { id: s${i}, type: skill, skill: echo, inputs: { i: ${i} } }`,
  );
  return `name: seq-${n}\nsteps:\n${steps.join('\n')}\n`;
}

function graph(n) {
  const steps = Array.from(
    { length: n },
    (_, i) => `  - { id: g${i}, type: skill, skill: echo, needs: [], inputs: { i: ${i} } }`,
  );
  return `name: graph-${n}\nlimits: { max_parallelism: ${n} }\nsteps:\n${steps.join('\n')}\n`;
}

function parallel(n) {
  const steps = Array.from(
    { length: n },
    (_, i) => `      - { id: p${i}, type: skill, skill: echo, inputs: { i: ${i} } }`,
  );
  return `name: parallel-${n}\nlimits: { max_parallelism: ${n} }\nsteps:\n  - id: all\n    type: parallel\n    steps:\n${steps.join('\n')}\n`;
}

function loop(n, mode) {
  const items = Array.from({ length: n }, (_, i) => i).join(', ');
  return `name: loop-${mode}-${n}
context: { items: [${items}] }
limits: { max_parallelism: ${n} }
steps:
  - id: each
    type: loop
    for_each: \${ context.items }
    mode: ${mode}
    max_parallelism: ${n}
    steps:
      - { id: body, type: skill, skill: echo, inputs: { i: "\${ loop.index }" } }
`;
}

function forkJoin() {
  const branch = (name) =>
    `      ${name}: [ { id: ${name}_call, type: skill, skill: echo, inputs: { b: ${name} } } ]`;
  return `name: fork-join-3\nsteps:\n  - id: quotes\n    type: fork_join\n    branches:\n${['fast', 'cheap', 'backup'].map(branch).join('\n')}\n`;
}

async function timeRuns(engine, source, count, perRun = 1) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const handle = await engine.start({ source });
    const result = await handle.result();
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    if (result.status !== 'completed') throw new Error(`bench run failed: ${JSON.stringify(result.error)}`);
    samples.push(us / perRun);
  }
  return stats(samples);
}

async function throughput(engine, source, inFlight, seconds) {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  async function lane() {
    while (performance.now() < until) {
      const handle = await engine.start({ source });
      await handle.result();
      done++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { perSecond: Math.round((done / (performance.now() - t0)) * 1000), runs: done };
}

async function storeSuite(label, storeUrl) {
  const engine = await createEngine({ store: storeUrl, cwd: tmpdir() });
  const one = sequential(1);
  const ten = sequential(10);
  const hundred = graph(100);
  await timeRuns(engine, one, 50); // warm up: plans cached, statements prepared, JIT
  await timeRuns(engine, ten, 20);
  await timeRuns(engine, hundred, 5);
  const control = {
    fanOut: parallel(100),
    seqLoop: loop(1000, 'sequential'),
    parLoop: loop(100, 'parallel'),
    forkJoin: forkJoin(),
  };
  for (const source of Object.values(control)) await timeRuns(engine, source, 2);
  const rows = {
    'a) 1-step workflow, start to result (us)': await timeRuns(engine, one, Math.round(2000 * scale)),
    'b) 10-step sequential, per step (us)': await timeRuns(engine, ten, Math.round(500 * scale), 10),
    'c) 100 independent steps, per step (us)': await timeRuns(engine, hundred, Math.round(60 * scale), 100),
    'g) 100-way parallel, per child (us)': await timeRuns(
      engine,
      control.fanOut,
      Math.round(60 * scale),
      100,
    ),
    'h) 1000-iteration loop, per iteration (us)': await timeRuns(
      engine,
      control.seqLoop,
      Math.round(10 * scale),
      1000,
    ),
    'i) parallel loop of 100, per iteration (us)': await timeRuns(
      engine,
      control.parLoop,
      Math.round(60 * scale),
      100,
    ),
    'j) fork_join of 3 branches, per run (us)': await timeRuns(
      engine,
      control.forkJoin,
      Math.round(500 * scale),
    ),
  };
  const tp = await throughput(engine, ten, 16, quick ? 1 : 3);
  await engine.close();
  return { label, rows, throughput: tp };
}

/** 10 sequential echo steps; `extra(i)` is added to step i (a retry policy, a cache, a concurrency key). */
function sequentialWith(name, extra) {
  const steps = Array.from(
    { length: 10 },
    (_, i) =>
      `  - { id: s${i}, type: skill, skill: echo, inputs: { i: ${i} }${extra ? `, ${extra(i)}` : ''} }`,
  );
  return `name: ${name}\nsteps:\n${steps.join('\n')}\n`;
}

/** What resilience adds to a step: each variant against the same plain steps. */
async function overheadSuite(storeUrl) {
  const engine = await createEngine({ store: storeUrl, cwd: tmpdir() });
  const variants = {
    plain: sequentialWith('plain'),
    retry: sequentialWith('retried', () => 'retry: { max_attempts: 3, delay: 1s }'),
    // After the warm-up run every step is a hit.
    cache: sequentialWith('cached', () => 'cache: { ttl: 1d }'),
    concurrency: sequentialWith('limited', () => 'concurrency: { key: bench, limit: 4 }'),
  };
  for (const source of Object.values(variants)) await timeRuns(engine, source, 30, 10); // warm up; fills the cache
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  // Many short interleaved rounds, so drift in the machine's speed hits every variant alike.
  for (let round = 0; round < 12; round++) {
    for (const [name, source] of Object.entries(variants)) {
      const s = await timeRuns(engine, source, Math.max(40, Math.round(150 * scale)), 10);
      samples[name].push(s.median);
    }
  }
  await engine.close();
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const plain = median(samples.plain);
  return {
    plain,
    added: {
      'k) retry policy, succeeds first time': median(samples.retry) - plain,
      'l) cache hit (call skipped)': median(samples.cache) - plain,
      'm) concurrency key, free slots': median(samples.concurrency) - plain,
    },
  };
}

function eventDelivery() {
  const bus = new EventBus();
  let seen = 0;
  bus.on('step.completed', () => {
    seen++;
  });
  const event = {
    type: 'step.completed',
    runId: 'r',
    workflow: 'w',
    seq: 1,
    time: 0,
    stepKey: 'a',
    data: {},
  };
  const samples = [];
  for (let round = 0; round < 30; round++) {
    const n = 100_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) bus.emit(event);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  if (seen === 0) throw new Error('no event delivered');
  return stats(samples);
}

function coldStart() {
  const bin = join(root, 'packages/cli/dist/bin.js');
  const samples = [];
  for (let i = 0; i < (quick ? 5 : 20); i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, [bin, '--version'], { stdio: 'pipe' });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return stats(samples);
}

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const results = {
  date: new Date().toISOString(),
  node: process.version,
  suites: [],
  events: null,
  coldStart: null,
};
const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
results.suites.push(await storeSuite('sqlite (WAL)', `sqlite:${join(dir, 'bench.db')}`));
if (process.env.WEFT_TEST_POSTGRES_URL) {
  const url = new URL(process.env.WEFT_TEST_POSTGRES_URL);
  url.searchParams.set('schema', `weft_bench_${process.pid}`);
  results.suites.push(await storeSuite('postgres', url.toString()));
}
results.overhead = await overheadSuite(`sqlite:${join(dir, 'overhead.db')}`);
results.events = eventDelivery();
results.coldStart = coldStart();
results.server = await serverSuite({ quick });

for (const suite of results.suites) {
  console.log(`\n${suite.label}`);
  console.log(`  ${'benchmark'.padEnd(44)} ${'median'.padStart(9)} ${'p99'.padStart(9)}`);
  for (const [name, s] of Object.entries(suite.rows))
    console.log(`  ${name.padEnd(44)} ${fmt(s.median).padStart(9)} ${fmt(s.p99).padStart(9)}`);
  console.log(
    `  ${'d) 10-step workflows/s, 16 in flight'.padEnd(44)} ${String(suite.throughput.perSecond).padStart(9)}`,
  );
}
console.log(
  `\nresilience on sqlite (WAL): added per step over a plain step (${fmt(results.overhead.plain)} us)`,
);
for (const [name, us] of Object.entries(results.overhead.added))
  console.log(`  ${name.padEnd(44)} ${(us >= 0 ? '+' : '') + us.toFixed(2)} us`);
console.log(
  `\n  ${'e) event delivery to a listener (us)'.padEnd(44)} ${fmt(results.events.median).padStart(9)} ${fmt(results.events.p99).padStart(9)}`,
);
console.log(
  `  ${'f) weft --version cold start (ms)'.padEnd(44)} ${fmt(results.coldStart.median).padStart(9)} ${fmt(results.coldStart.p99).padStart(9)}`,
);
console.log('\nserver (HTTP on 127.0.0.1, SQLite)');
for (const [name, value] of Object.entries(results.server)) {
  if (typeof value === 'number')
    console.log(`  ${'o) run starts per second, 16 clients'.padEnd(44)} ${String(value).padStart(9)}`);
  else console.log(`  ${name.padEnd(56)} ${fmt(value.median).padStart(9)} ${fmt(value.p99).padStart(9)}`);
}
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwrote bench/results/latest.json');
