import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, weft, workspace } from './cli-harness.js';

const WAIT = `name: waiter
steps:
  - { id: hello, type: skill, skill: log, inputs: { message: "waiting for go" } }
  - { id: go, type: event, event: go.now, timeout: 30s }
`;

beforeAll(() => assertBuilt());

/** A long-running `weft` whose stdout is read as it comes; `stop()` sends SIGINT and waits for the exit. */
function background(args: string[], cwd: string) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    output: () => ({ stdout, stderr }),
    exited,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('weft runs watch and weft events tail', () => {
  it('follow a run executing in another process until it ends, with progress', async () => {
    const cwd = workspace({ 'wait.yaml': WAIT });
    const tail = background(['events', 'tail', '--json', '--workflow', 'waiter'], cwd);
    const typed = background(['events', 'tail', '--type', 'step.completed,run.completed'], cwd);
    await until(
      () => tail.output().stderr.includes('following') && typed.output().stderr.includes('following'),
    );
    const run = background(['run', 'wait.yaml', '--json'], cwd);
    let runId = '';
    await until(async () => {
      const list = await weft(['runs', 'list', '--json'], { cwd });
      runId = (JSON.parse(list.stdout) as { id: string }[])[0]?.id ?? '';
      return runId !== '';
    });
    const watch = background(['runs', 'watch', runId], cwd);
    await until(() => watch.output().stderr.includes('running: go'));
    expect(watch.output().stderr).toMatch(/50% \(1\/2 steps\) · running: go/);

    const shown = await weft(['runs', 'show', runId], { cwd });
    expect(shown.stdout).toMatch(/progress\s+50% \(1\/2 steps\) · running: go/);

    expect((await weft(['events', 'send', 'go.now', '--data', '{"n":1}'], { cwd })).code).toBe(0);
    expect(await run.exited).toBe(0);
    expect(await watch.exited).toBe(0);
    expect(watch.output().stderr).toMatch(/✓ completed waiter/);

    await until(() => tail.output().stdout.includes('"run.completed"'));
    await until(() => typed.output().stdout.includes('run.completed'));
    await tail.stop();
    await typed.stop();
    const events = tail
      .output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId: string; seq: number; type: string; workflow: string });
    expect(events[0]).toMatchObject({ runId, seq: 1, type: 'run.started', workflow: 'waiter' });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const typedLines = typed.output().stdout.trim().split('\n');
    expect(typedLines.every((line) => / (step|run)\.completed/.test(line))).toBe(true);
    expect(typedLines.some((line) => line.includes(`${runId} `) && line.includes('step.completed go'))).toBe(
      true,
    );
  });
});
