import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, WORKFLOWS, weft, workspace } from './cli-harness.js';

let cwd: string;
let okId: string;
let failedId: string;

beforeAll(async () => {
  assertBuilt();
  cwd = workspace(WORKFLOWS);
  const ok = await weft(['run', 'hello.yaml', '--set', 'name=Ada', '--json'], { cwd });
  okId = (JSON.parse(ok.stdout) as { run_id: string }).run_id;
  const failed = await weft(['run', 'fail.yaml', '--json'], { cwd });
  failedId = (JSON.parse(failed.stdout) as { run_id: string }).run_id;
});

describe('weft runs', () => {
  it('lists runs newest first, with filters', async () => {
    const all = await weft(['runs', 'list', '--json'], { cwd });
    expect(all.code).toBe(0);
    const runs = JSON.parse(all.stdout) as { id: string; workflow: string; status: string }[];
    expect(runs.map((r) => [r.id, r.workflow, r.status])).toEqual([
      [failedId, 'failing', 'failed'],
      [okId, 'hello', 'completed'],
    ]);
    const failed = await weft(['runs', 'list', '--status', 'failed', '--json'], { cwd });
    expect((JSON.parse(failed.stdout) as unknown[]).length).toBe(1);
    const limited = await weft(['runs', 'list', '--limit', '1', '--workflow', 'hello', '--json'], { cwd });
    expect(JSON.parse(limited.stdout)).toMatchObject([{ id: okId }]);
    const table = await weft(['runs', 'list'], { cwd });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+WORKFLOW\s+STATUS\s+STARTED\s+DURATION$/);
    expect(table.stdout).toContain(okId);
  });

  it('shows a run with its steps', async () => {
    const json = await weft(['runs', 'show', failedId, '--json'], { cwd });
    expect(json.code).toBe(0);
    const shown = JSON.parse(json.stdout) as {
      run: Record<string, unknown>;
      steps: Record<string, unknown>[];
    };
    expect(shown.run).toMatchObject({
      id: failedId,
      workflow: 'failing',
      status: 'failed',
      error: { code: 'exit_code' },
    });
    expect(shown.steps.map((s) => [s.key, s.status])).toEqual([
      ['first', 'completed'],
      ['boom', 'failed'],
    ]);
    const text = await weft(['runs', 'show', okId], { cwd });
    expect(text.stdout).toMatch(/^run\s+\S+/);
    expect(text.stdout).toContain('{"greeting":"hello Ada","times":1}');
  });

  it("prints a run's logs and failures in order", async () => {
    const ok = await weft(['runs', 'logs', okId, '--json'], { cwd });
    expect(JSON.parse(ok.stdout)).toMatchObject([
      { type: 'step.log', step: 'say', data: { message: 'saying hello to Ada' } },
    ]);
    const failed = await weft(['runs', 'logs', failedId], { cwd });
    expect(failed.stdout).toMatch(/\[error\] boom: failed \(attempt 1\): exit_code: /);
  });

  it('exits 2 for an unknown run id', async () => {
    const result = await weft(['runs', 'show', 'no-such-run'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^weft: no run with id 'no-such-run'/);
  });

  it('refuses to resume a run that has ended or does not exist (exit 2)', async () => {
    const result = await weft(['runs', 'resume', okId], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already ended');
    const unknown = await weft(['runs', 'resume', 'nope', '--json'], { cwd });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      run_id: null,
      status: null,
      error: { code: 'not_found' },
    });
  });

  it('resumes an interrupted run to completion', async () => {
    writeFileSync(
      join(cwd, 'nap.yaml'),
      'name: nap\nsteps:\n  - id: started\n    type: skill\n    skill: log\n    inputs: { message: "napping" }\n  - id: nap\n    type: skill\n    skill: sleep\n    inputs: { duration: 1s }\n  - id: done\n    type: skill\n    skill: echo\n    inputs: { ok: true }\n',
    );
    const first = await weft(['run', 'nap.yaml', '--json'], { cwd, interruptWhen: 'napping' });
    expect(first.code).toBe(130);
    const id = (JSON.parse(first.stdout) as { run_id: string }).run_id;
    const resumed = await weft(['runs', 'resume', id, '--json'], { cwd });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({
      run_id: id,
      status: 'completed',
      output: { ok: true },
      error: null,
    });
  });
});

describe('weft db', () => {
  it('shows applied and pending migrations', async () => {
    const json = await weft(['db', 'status', '--json'], { cwd });
    const state = JSON.parse(json.stdout) as { applied: number[]; pending: number[]; latest: number };
    expect(state.pending).toEqual([]);
    expect(state.applied.at(-1)).toBe(state.latest);
    const text = await weft(['db', 'status'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `applied   ${state.applied.join(', ')}\npending   none\nlatest    ${state.latest}\n`,
    );
  });

  it('migrates a fresh store and rolls back', async () => {
    const dir = workspace();
    const store = ['--store', 'sqlite:w.db'];
    const fresh = JSON.parse((await weft(['db', 'status', '--json', ...store], { cwd: dir })).stdout);
    expect(fresh.applied).toEqual([]);
    const all = (fresh.pending as number[]).join(', ');
    const migrated = await weft(['db', 'migrate', ...store], { cwd: dir });
    expect(migrated.stdout).toContain(`migrated  ${all}\n`);
    const rolled = await weft(['db', 'rollback', '--steps', '1', ...store], { cwd: dir });
    expect(rolled.stdout).toContain(`reverted  ${fresh.latest}\n`);
    expect(rolled.stdout).toContain(`pending   ${fresh.latest}\n`);
  });
});
