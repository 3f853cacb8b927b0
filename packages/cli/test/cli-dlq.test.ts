import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

// `check` fails (exit 3) until fixed.txt exists in the working directory.
const PIPELINE = `name: pipeline
steps:
  - { id: prepare, type: skill, skill: echo, inputs: { order: A-1 } }
  - { id: check, type: skill, skill: shell, inputs: { command: "test -f fixed.txt || exit 3" } }
  - { id: ship, type: skill, skill: echo, inputs: { shipped: "\${ steps.prepare.output.order }" } }
output: \${ steps.ship.output }
`;

const ROLLBACK = `name: booking
on_error: rollback
steps:
  - { id: hotel, type: skill, skill: echo, inputs: { booked: hotel }, compensate: [ { id: cancel_hotel, type: skill, skill: echo, inputs: { cancelled: hotel } } ] }
  - { id: pay, type: skill, skill: shell, inputs: { command: "exit 4" } }
`;

interface Entry {
  id: string;
  workflow: string;
  run_id: string;
  step_key: string;
  attempts: number;
  input: unknown;
  error: { code: string };
}

let cwd: string;

async function entries(): Promise<Entry[]> {
  const listed = await weft(['dlq', 'list', '--json'], { cwd });
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as Entry[];
}

async function failedRun(file: string): Promise<string> {
  const run = await weft(['run', file, '--json'], { cwd });
  expect(run.code).toBe(1);
  return (JSON.parse(run.stdout) as { run_id: string }).run_id;
}

beforeAll(() => {
  assertBuilt();
  cwd = workspace({ 'pipeline.yaml': PIPELINE, 'booking.yaml': ROLLBACK });
});

describe('weft dlq', () => {
  it('lists and shows the step that failed for good, with its inputs and error', async () => {
    const runId = await failedRun('pipeline.yaml');
    const [entry, ...rest] = await entries();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      workflow: 'pipeline',
      run_id: runId,
      step_key: 'check',
      attempts: 1,
      input: { command: 'test -f fixed.txt || exit 3' },
      error: { code: 'exit_code' },
    });
    const table = await weft(['dlq', 'list', '--workflow', 'pipeline', '--since', '1h'], { cwd });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+WORKFLOW\s+RUN\s+STEP\s+ATTEMPTS\s+CREATED\s+ERROR$/);
    expect(table.stdout).toContain(entry!.id);
    const none = await weft(['dlq', 'list', '--workflow', 'other'], { cwd });
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toContain('no dead-letter entries');
    const shown = await weft(['dlq', 'show', entry!.id], { cwd });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^entry\s+\S+/);
    expect(shown.stdout).toContain('exit_code:');
    expect(shown.stdout).toContain('"command": "test -f fixed.txt || exit 3"');
  });

  it('replays from the step: failing again makes a new entry; once fixed the run completes', async () => {
    const [entry] = await entries();
    const again = await weft(['dlq', 'replay', entry!.id, '--json'], { cwd });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ run_id: entry!.run_id, status: 'failed' });
    const [next] = await entries();
    expect(next).toMatchObject({ run_id: entry!.run_id, step_key: 'check', attempts: 2 });
    expect(next!.id).not.toBe(entry!.id);

    writeFileSync(join(cwd, 'fixed.txt'), 'yes');
    const fixed = await weft(['dlq', 'replay', next!.id, '--json'], { cwd });
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      run_id: entry!.run_id,
      status: 'completed',
      output: { shipped: 'A-1' },
    });
    expect(await entries()).toEqual([]);
    const shown = await weft(['runs', 'show', entry!.run_id, '--json'], { cwd });
    const steps = (JSON.parse(shown.stdout) as { steps: { key: string; attempt: number; status: string }[] })
      .steps;
    expect(steps.filter((s) => s.key === 'prepare')).toHaveLength(1);
    expect(steps.filter((s) => s.key === 'check').map((s) => [s.attempt, s.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'completed'],
    ]);
  });

  it('replays with an edited input, and refuses bad requests with exit 2', async () => {
    const dir = workspace({ 'pipeline.yaml': PIPELINE });
    const run = await weft(['run', 'pipeline.yaml', '--json'], { cwd: dir });
    const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
    const [entry] = JSON.parse((await weft(['dlq', 'list', '--json'], { cwd: dir })).stdout) as Entry[];
    const edited = await weft(
      ['dlq', 'replay', entry!.id, '--input', '{"command":"echo edited"}', '--json'],
      {
        cwd: dir,
      },
    );
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ run_id: runId, status: 'completed' });
    const shown = JSON.parse((await weft(['runs', 'show', runId, '--json'], { cwd: dir })).stdout) as {
      steps: { key: string; status: string; input: unknown; output: unknown }[];
    };
    expect(shown.steps.find((s) => s.key === 'check' && s.status === 'completed')).toMatchObject({
      input: { command: 'echo edited' },
      output: { stdout: 'edited\n', exit_code: 0 },
    });

    const unknown = await weft(['dlq', 'replay', 'nope'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("weft: no dead-letter entry with id 'nope' in this store");
    const both = await weft(['dlq', 'replay', 'x', '--all'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give an entry id or --all, not both');
    const badJson = await weft(['dlq', 'replay', entry!.id, '--input', '{oops'], { cwd: dir });
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--input: expected JSON or @file.json');
    const gone = await weft(['dlq', 'delete', 'nope'], { cwd: dir });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("no dead-letter entry with id 'nope'");
  });

  it('replays every entry with --all, deletes one and purges old ones', async () => {
    const dir = workspace({ 'pipeline.yaml': PIPELINE });
    const list = async () =>
      JSON.parse((await weft(['dlq', 'list', '--json'], { cwd: dir })).stdout) as Entry[];
    await weft(['run', 'pipeline.yaml'], { cwd: dir });
    await weft(['run', 'pipeline.yaml'], { cwd: dir });
    expect(await list()).toHaveLength(2);
    writeFileSync(join(dir, 'fixed.txt'), 'yes');
    const all = await weft(['dlq', 'replay', '--all', '--workflow', 'pipeline', '--json'], { cwd: dir });
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as { status: string }[]).map((r) => r.status)).toEqual([
      'completed',
      'completed',
    ]);
    expect(await list()).toEqual([]);

    const failing = workspace({ 'pipeline.yaml': PIPELINE });
    await weft(['run', 'pipeline.yaml'], { cwd: failing });
    await weft(['run', 'pipeline.yaml'], { cwd: failing });
    const [first, second] = JSON.parse(
      (await weft(['dlq', 'list', '--json'], { cwd: failing })).stdout,
    ) as Entry[];
    const deleted = await weft(['dlq', 'delete', first!.id], { cwd: failing });
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted dead-letter entry ${first!.id}\n` });
    const kept = await weft(['dlq', 'purge', '--older-than', '30d'], { cwd: failing });
    expect(kept).toMatchObject({ code: 0, stdout: 'purged 0 dead-letter entries older than 30d\n' });
    const purged = await weft(['dlq', 'purge', '--older-than', '0s'], { cwd: failing });
    expect(purged).toMatchObject({ code: 0, stdout: 'purged 1 dead-letter entry older than 0s\n' });
    const badDuration = await weft(['dlq', 'purge', '--older-than', '30'], { cwd: failing });
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toContain("did you mean '30s' or '30ms'?");
    expect(second).toBeDefined();
  });

  it('reads dlq_retention from the config and refuses a bad one', async () => {
    const dir = workspace({ 'pipeline.yaml': PIPELINE, 'weft.config.yaml': 'dlq_retention: 30d\n' });
    expect((await weft(['dlq', 'list'], { cwd: dir })).code).toBe(0);
    const bad = workspace({ 'weft.config.yaml': 'dlq_retention: soon\n' });
    const refused = await weft(['dlq', 'list'], { cwd: bad });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('weft.config.yaml:1:16: dlq_retention: expected a duration');
  });
});

describe('weft runs rerun', () => {
  it('lists what a rerun would run again and reuse, then reruns reusing the rest', async () => {
    const dir = workspace({ 'pipeline.yaml': PIPELINE });
    writeFileSync(join(dir, 'fixed.txt'), 'yes');
    const run = await weft(['run', 'pipeline.yaml', '--json'], { cwd: dir });
    const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
    const dry = await weft(['runs', 'rerun', runId, '--from', 'check', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      `rerun of run ${runId} from 'check' (dry run: nothing started)\nwould run again (2):\n  check\n  ship\nwould reuse (1):\n  prepare\n`,
    );
    const dryJson = await weft(['runs', 'rerun', runId, '--from', 'check', '--dry-run', '--json'], {
      cwd: dir,
    });
    expect(JSON.parse(dryJson.stdout)).toEqual({
      run_id: runId,
      from: 'check',
      execute: ['check', 'ship'],
      reuse: ['prepare'],
    });
    const rerun = await weft(['runs', 'rerun', runId, '--from', 'check', '--json'], { cwd: dir });
    expect(rerun.code).toBe(0);
    const result = JSON.parse(rerun.stdout) as { run_id: string; status: string; output: unknown };
    expect(result).toMatchObject({ status: 'completed', output: { shipped: 'A-1' } });
    expect(result.run_id).not.toBe(runId);
    const shown = JSON.parse(
      (await weft(['runs', 'show', result.run_id, '--json'], { cwd: dir })).stdout,
    ) as {
      steps: { key: string; meta: Record<string, unknown> | null }[];
    };
    expect(shown.steps.find((s) => s.key === 'prepare')?.meta).toMatchObject({
      reused_from: { run_id: runId },
    });
    const unknown = await weft(['runs', 'rerun', runId, '--from', 'chekc'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no step with key 'chekc' was recorded");
    expect(unknown.stderr).toContain("(did you mean 'check'?)");
  });
});

describe('weft runs show after a rollback', () => {
  it('shows which steps were compensated', async () => {
    const runId = await failedRun('booking.yaml');
    const text = await weft(['runs', 'show', runId], { cwd });
    expect(text.stdout).toMatch(/rollback\s+hotel undone/);
    expect(text.stdout).toMatch(/compensated\s+hotel/);
    const json = JSON.parse((await weft(['runs', 'show', runId, '--json'], { cwd })).stdout) as {
      run: { error: Record<string, unknown> };
    };
    expect(json.run.error).toMatchObject({ code: 'exit_code', compensation: { ran: ['hotel'], failed: [] } });
  });
});
