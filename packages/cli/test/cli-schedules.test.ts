import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openStore, type Store } from '@weft/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, weft, workspace } from './cli-harness.js';

const NAP = `name: nap
steps:
  - { id: started, type: skill, skill: log, inputs: { message: napping } }
  - { id: nap, type: skill, skill: sleep, inputs: { duration: 500ms } }
`;

const TICK = `name: tick
steps:
  - { id: echo, type: skill, skill: echo, inputs: { at: "\${ inputs.at }" } }
`;

beforeAll(() => assertBuilt());

interface Daemon {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

/** A long-running `weft scheduler` in `cwd`, resolved once it says it is running. */
async function startScheduler(cwd: string, store: string, command = 'scheduler'): Promise<Daemon> {
  const child = spawn(process.execPath, [BIN, command, '--poll', '200ms', '--json'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', WEFT_STORE: store },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const daemon: Daemon = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', resolve)),
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    daemon.stdout += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scheduler did not start: ${daemon.stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      daemon.stderr += chunk.toString();
      if (daemon.stderr.includes('SIGTERM or Ctrl-C stops')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return daemon;
}

async function stop(daemons: Daemon[]): Promise<number> {
  for (const d of daemons) d.child.kill('SIGTERM');
  const codes = await Promise.all(daemons.map((d) => d.exited));
  expect(codes).toEqual(daemons.map(() => 0));
  return daemons.reduce((sum, d) => sum + (JSON.parse(d.stdout) as { runs_started: number }).runs_started, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fires, runs and the check that no fire happened twice and none in between was missed. */
async function checkExactlyOnce(store: Store, name: string) {
  const fires = (await store.schedules.history(name, 10_000)).reverse();
  const runs = (await store.listRuns({ workflow: 'tick', limit: 10_000 })).filter(
    (r) => r.meta.schedule === name,
  );
  const firedAt = fires.map((f) => f.firedAt);
  expect(new Set(firedAt).size).toBe(fires.length);
  // Consecutive seconds from the first fire to the last: none missed.
  expect(firedAt.map((t) => t - firedAt[0]!)).toEqual(fires.map((_, i) => i * 1000));
  expect(fires.every((f) => f.runId !== null)).toBe(true);
  // One run per fire: a fire claimed twice would have started two runs for one time.
  expect(runs).toHaveLength(fires.length);
  expect(new Set(runs.map((r) => r.meta.fired_at)).size).toBe(runs.length);
  expect(new Set(runs.map((r) => r.id))).toEqual(new Set(fires.map((f) => f.runId)));
  expect(runs.map((r) => (r.input as { at: string }).at).sort()).toEqual(
    firedAt.map((t) => new Date(t).toISOString()),
  );
  return { fires, runs };
}

function describeExactlyOnce(label: string, storeFor: (dir: string) => string) {
  it(`three weft scheduler processes on ${label} fire each due time exactly once; restarts keep schedules and history`, async () => {
    const cwd = workspace({ 'tick.yaml': TICK });
    const storeUrl = storeFor(cwd);
    const env = { WEFT_STORE: storeUrl };
    const created = await weft(
      [
        'schedules',
        'create',
        'tick.yaml',
        '--every',
        '1s',
        '--overlap',
        'allow',
        '--input',
        '{"at":"${ schedule.fired_at }"}',
        '--json',
      ],
      { cwd, env },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const daemons = await Promise.all([0, 1, 2].map(() => startScheduler(cwd, storeUrl)));
    await sleep(6000);
    const started = await stop(daemons);

    const store = await openStore(storeUrl, { cwd });
    try {
      const first = await checkExactlyOnce(store, 'tick');
      expect(first.fires.length).toBeGreaterThanOrEqual(5);
      expect(started).toBe(first.fires.length);
      // Every process did take part (each claims whatever is due when it looks first).
      console.info(
        `${label}: ${first.fires.length} fires by 3 processes: ${daemons.map((d) => JSON.parse(d.stdout).runs_started).join(' + ')}`,
      );

      // A restart: the schedule and its history are still there, and firing goes on from there.
      const again = await startScheduler(cwd, storeUrl);
      await sleep(2500);
      await stop([again]);
      const second = await checkExactlyOnce(store, 'tick');
      expect(second.fires.length).toBeGreaterThan(first.fires.length);
      expect(second.fires.slice(0, first.fires.length).map((f) => f.firedAt)).toEqual(
        first.fires.map((f) => f.firedAt),
      );
    } finally {
      await store.close();
    }
    const history = await weft(['schedules', 'history', 'tick', '--limit', '1000', '--json'], { cwd, env });
    expect(history.code).toBe(0);
    const rows = JSON.parse(history.stdout) as {
      run_id: string;
      status: string;
      duration_ms: number | null;
    }[];
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.filter((r) => r.status === 'completed').length).toBeGreaterThan(0);
  });
}

describe('weft scheduler: exactly once across processes', () => {
  describeExactlyOnce('one SQLite file', (dir) => `sqlite:${join(dir, 'weft.db')}`);

  const url = process.env.WEFT_TEST_POSTGRES_URL;
  if (!url)
    console.warn('cli-schedules.test.ts: the PostgreSQL case is skipped: WEFT_TEST_POSTGRES_URL is not set');
  const schemas: string[] = [];
  afterAll(async () => {
    if (!url || schemas.length === 0) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  describe.skipIf(!url)('on PostgreSQL (WEFT_TEST_POSTGRES_URL)', () => {
    describeExactlyOnce('PostgreSQL', () => {
      const schema = `weft_sched_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      schemas.push(schema);
      return `${url}${url?.includes('?') ? '&' : '?'}schema=${schema}`;
    });
  });
});

describe('weft schedules', () => {
  it('creates, lists, shows, previews, pauses, resumes and deletes, each with --json', async () => {
    const cwd = workspace({ 'tick.yaml': TICK });
    const run = (...args: string[]) => weft(args, { cwd });
    const created = await run(
      'schedules',
      'create',
      'tick.yaml',
      '--cron',
      '30 2 * * *',
      '--tz',
      'America/New_York',
      '--name',
      'nightly',
      '--misfire',
      'run_once',
      '--pause-after-failures',
      '3',
      '--json',
    );
    expect(created.code).toBe(0);
    const schedule = JSON.parse(created.stdout);
    expect(schedule).toMatchObject({
      name: 'nightly',
      workflow: join(cwd, 'tick.yaml'),
      kind: 'cron',
      spec: '30 2 * * *',
      tz: 'America/New_York',
      misfire: 'run_once',
      overlap: 'skip',
      pause_after_failures: 3,
      status: 'active',
    });
    expect(schedule.next_fires).toHaveLength(5);
    for (const fire of schedule.next_fires) expect(new Date(fire).getUTCMinutes()).toBe(30);

    const list = await run('schedules', 'list');
    expect(list.stdout).toMatch(/^NAME\s+WORKFLOW\s+WHEN\s+STATUS\s+NEXT FIRES$/m);
    expect(list.stdout).toMatch(/nightly .* cron '30 2 \* \* \*' America\/New_York\s+active/);
    expect(JSON.parse((await run('schedules', 'list', '--json')).stdout)).toHaveLength(1);
    const show = await run('schedules', 'show', 'nightly');
    expect(show.stdout).toMatch(/^next fires:\n {2}\d{4}-\d\d-\d\d 02:30:00 E[SD]T$/m);

    const preview = await run(
      'schedules',
      'preview',
      '30 2 * * *',
      '--tz',
      'America/New_York',
      '--count',
      '3',
      '--json',
    );
    expect(JSON.parse(preview.stdout)).toMatchObject({ cron: '30 2 * * *', tz: 'America/New_York' });
    expect(JSON.parse(preview.stdout).fires).toHaveLength(3);

    const paused = JSON.parse((await run('schedules', 'pause', 'nightly', '--json')).stdout);
    expect(paused).toMatchObject({ status: 'paused', next_fires: [] });
    expect((await run('schedules', 'pause', 'nightly')).code).toBe(2);
    expect(JSON.parse((await run('schedules', 'resume', 'nightly', '--json')).stdout)).toMatchObject({
      status: 'active',
      pause_reason: null,
    });
    expect(JSON.parse((await run('schedules', 'history', 'nightly', '--json')).stdout)).toEqual([]);
    expect(JSON.parse((await run('schedules', 'delete', 'nightly', '--json')).stdout)).toEqual({
      name: 'nightly',
      deleted: true,
    });
    const gone = await run('schedules', 'show', 'nightly');
    expect([gone.code, gone.stderr]).toEqual([2, "weft: no schedule named 'nightly'\n"]);
  });

  it('refuses bad input with exit 2 and a message naming the field', async () => {
    const cwd = workspace({ 'tick.yaml': TICK });
    const create = (...args: string[]) => weft(['schedules', 'create', 'tick.yaml', ...args], { cwd });
    const cases: [string[], string][] = [
      [
        ['--cron', '0 25 * * *'],
        "weft: cron expression '0 25 * * *': the hour field '25' is invalid: Invalid value for hour: 25\n",
      ],
      [
        ['--cron', '* * * * 8'],
        "weft: cron expression '* * * * 8': the day-of-week field '8' is invalid: Invalid value for dayOfWeek: 8\n",
      ],
      [
        ['--cron', '0 9 * * *', '--tz', 'Mars/Olympus'],
        "weft: time zone 'Mars/Olympus' is not an IANA time zone; expected a name such as America/New_York, Europe/Berlin or UTC\n",
      ],
      [
        ['--every', 'soon'],
        "weft: every 'soon': expected a duration such as '250ms', '30s', '5m', '2h', '1d', '1h30m' or 'PT30S', got 'soon'\n",
      ],
      [
        ['--at', '2026-13-45'],
        "weft: at '2026-13-45': expected an ISO 8601 time with a zone, such as 2026-05-01T09:00:00Z or 2026-05-01T11:00:00+02:00\n",
      ],
      [
        ['--every', '1m', '--input', '{"a":'],
        `weft: --input: expected JSON or @file.json, e.g. --input '{"order_id":"A-1"}' (Unexpected end of JSON input)\n`,
      ],
      [
        ['--every', '1m', '--input', '{"a":"${ inputs.x }"}'],
        "weft: input: unknown name 'inputs'; schedule input expressions see schedule.fired_at, schedule.name and now\n",
      ],
      [[], 'weft: weft schedules create: expected exactly one of --cron, --every or --at, got none\n'],
      [['--every', '1m', '--tz', 'UTC'], 'weft: weft schedules create: --tz applies to --cron only\n'],
    ];
    for (const [args, message] of cases) {
      const result = await create(...args);
      expect([result.code, result.stderr], args.join(' ')).toEqual([2, message]);
    }
    const overlap = await create('--every', '1m', '--overlap', 'wait');
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(
      /option '--overlap <policy>' argument 'wait' is invalid\. Allowed choices are skip, queue, allow, cancel_previous/,
    );
    const unknown = await weft(['schedules', 'create', 'nope', '--every', '1m'], { cwd });
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      "weft: workflow 'nope' is not in the registry; push it with `weft workflows push`, or give the path of a document (./nope.yaml)\n",
    ]);
  });
});

describe('weft worker', () => {
  it('resumes interrupted runs and fires schedules until SIGTERM', async () => {
    const cwd = workspace({ 'tick.yaml': TICK, 'nap.yaml': NAP });
    const storeUrl = `sqlite:${join(cwd, 'weft.db')}`;
    const env = { WEFT_STORE: storeUrl };
    const interrupted = await weft(['run', 'nap.yaml', '--json'], { cwd, env, interruptWhen: 'napping' });
    expect(interrupted.code).toBe(130);
    const napId = (JSON.parse(interrupted.stdout) as { run_id: string }).run_id;
    const created = await weft(
      ['schedules', 'create', 'tick.yaml', '--every', '1s', '--input', '{"at":"${ now }"}'],
      { cwd, env },
    );
    expect(created.code).toBe(0);
    const worker = await startScheduler(cwd, storeUrl, 'worker');
    expect(worker.stderr).toMatch(
      /weft worker: running on .* \(1 active schedules, 1 interrupted runs resumed\)/,
    );
    await sleep(2500);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(JSON.parse(worker.stdout)).toMatchObject({ recovered: 1, runs_started: expect.any(Number) });
    expect((JSON.parse(worker.stdout) as { runs_started: number }).runs_started).toBeGreaterThanOrEqual(1);
    const store = await openStore(storeUrl, { cwd });
    try {
      expect((await store.getRun(napId))?.status).toBe('completed');
      expect((await store.schedules.history('tick')).length).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });
});
