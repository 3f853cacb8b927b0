import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../errors.js';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { createShellSkill, shellSkill } from './shell.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-shell-'));
  await mkdir(join(dir, 'sub'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (input: unknown, overrides = {}) =>
  invokeSkill(shellSkill, input, testSkillContext({ cwd: dir, ...overrides }));

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A killed process whose parent died may linger as a zombie until PID 1 reaps it.
  return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('shell', () => {
  it('runs a string through /bin/sh', async () => {
    expect(await run({ command: 'echo hello && echo oops >&2' })).toEqual({
      stdout: 'hello\n',
      stderr: 'oops\n',
      exit_code: 0,
    });
  });

  it('runs an argv array without a shell', async () => {
    const output = await run({ command: ['printf', '%s|', 'a b', '$HOME', '*'] });
    expect(output).toMatchObject({ stdout: 'a b|$HOME|*|', exit_code: 0 });
  });

  it('runs in ctx.cwd by default and in a relative cwd', async () => {
    expect(await run({ command: 'pwd' })).toMatchObject({ stdout: `${dir}\n` });
    expect(await run({ command: ['pwd'], cwd: 'sub' })).toMatchObject({ stdout: `${join(dir, 'sub')}\n` });
  });

  it('merges env over the process environment; null removes a variable', async () => {
    process.env.WEFT_SHELL_TEST_KEEP = 'kept';
    process.env.WEFT_SHELL_TEST_DROP = 'dropped';
    const output = await run({
      command: 'echo "$WEFT_A $WEFT_N $WEFT_SHELL_TEST_KEEP [$WEFT_SHELL_TEST_DROP]"',
      env: { WEFT_A: 'x', WEFT_N: 3, WEFT_SHELL_TEST_DROP: null },
    });
    expect(output).toMatchObject({ stdout: 'x 3 kept []\n' });
  });

  it('feeds stdin, and gives /dev/null without it', async () => {
    expect(await run({ command: 'tr a-z A-Z', stdin: 'shout\n' })).toMatchObject({ stdout: 'SHOUT\n' });
    expect(await run({ command: 'cat' })).toMatchObject({ stdout: '' });
  });

  it('fails with exit_code on a non-zero exit, carrying the code and output', async () => {
    const error = await rejectionOf(
      run({ command: 'echo partial; echo first >&2; echo "the real problem" >&2; exit 3' }),
    );
    expect(error.code).toBe('exit_code');
    expect(error.message).toBe(
      'command \'echo partial; echo first >&2; echo "the real problem" >&2; exit 3\' exited with code 3: the real problem',
    );
    expect(error.details).toMatchObject({
      exit_code: 3,
      stdout: 'partial\n',
      stderr: 'first\nthe real problem\n',
    });
    expect(error.toInfo()).toMatchObject({ code: 'exit_code', exit_code: 3 });
  });

  it('returns the output of a failing command with allow_failure', async () => {
    expect(await run({ command: ['sh', '-c', 'echo no >&2; exit 7'], allow_failure: true })).toEqual({
      stdout: '',
      stderr: 'no\n',
      exit_code: 7,
    });
  });

  it('reports a command killed by a signal as 128 + the signal number', async () => {
    const error = await rejectionOf(run({ command: 'kill -9 $$' }));
    expect(error.message).toBe("command 'kill -9 $$' was killed by SIGKILL");
    expect(error.details).toMatchObject({ exit_code: 137, signal: 'SIGKILL' });
  });

  it('fails with skill_error when the command cannot start', async () => {
    const missing = await rejectionOf(run({ command: ['weft-no-such-command-xyz'] }));
    expect(missing.code).toBe('skill_error');
    expect(missing.message).toBe(
      "shell: cannot start 'weft-no-such-command-xyz': command not found (ENOENT)",
    );
    const badCwd = await rejectionOf(run({ command: 'true', cwd: 'nowhere' }));
    expect(badCwd.message).toBe(`shell: working directory '${join(dir, 'nowhere')}' does not exist`);
  });

  it('refuses bad input before running anything', async () => {
    const error = await rejectionOf(run({ command: [], alow_failure: true }));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(
      "skill 'shell' input: /alow_failure is not allowed (did you mean 'allow_failure'?); /command must NOT have fewer than 1 items",
    );
  });

  it('kills the whole process group on abort and rejects with the reason', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const controller = new AbortController();
    const started = run(
      { command: `sleep 30 & echo $! > ${pidFile}; sleep 30; wait` },
      { signal: controller.signal },
    );
    const grandchild = await waitFor(async () => {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      return text.endsWith('\n') ? Number(text) : undefined;
    });
    expect(isGone(grandchild)).toBe(false);
    const began = Date.now();
    controller.abort(new WeftError('timeout', 'step timed out after 1s'));
    const error = await rejectionOf(started);
    expect(Date.now() - began).toBeLessThan(1000);
    expect(error.code).toBe('timeout');
    await waitFor(() => (isGone(grandchild) ? true : undefined));
  });

  it('maps a plain abort to cancelled and escalates to SIGKILL for a process that ignores SIGTERM', async () => {
    const skill = createShellSkill({ killGraceMs: 200 });
    const pidFile = join(dir, 'stubborn.pid');
    const controller = new AbortController();
    const started = invokeSkill(
      skill,
      { command: `sh -c 'trap "" TERM; echo $$ > ${pidFile}; while :; do sleep 0.05; done' & wait` },
      testSkillContext({ cwd: dir, signal: controller.signal }),
    );
    const stubborn = await waitFor(async () => {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      return text.endsWith('\n') ? Number(text) : undefined;
    });
    controller.abort();
    const error = await rejectionOf(started);
    expect(error.code).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isGone(stubborn)).toBe(false); // still alive inside the grace period
    await waitFor(() => (isGone(stubborn) ? true : undefined));
  });

  it('rejects at once when the signal has already fired', async () => {
    const error = await rejectionOf(run({ command: 'true' }, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('cancelled');
  });

  it('bounds captured output and marks the cut', async () => {
    const skill = createShellSkill({ maxOutputBytes: 1000 });
    const output = (await invokeSkill(
      skill,
      { command: 'head -c 5000 /dev/zero | tr "\\0" a; head -c 1500 /dev/zero | tr "\\0" b >&2' },
      testSkillContext({ cwd: dir }),
    )) as { stdout: string; stderr: string };
    expect(output.stdout).toBe(`${'a'.repeat(1000)}\n[output truncated: 4000 more bytes]`);
    expect(output.stderr).toBe(`${'b'.repeat(1000)}\n[output truncated: 500 more bytes]`);
  });

  it('keeps 10 MiB by default', async () => {
    const output = (await run({ command: 'head -c 11000000 /dev/zero | tr "\\0" x' })) as { stdout: string };
    expect(output.stdout.startsWith('x'.repeat(10 * 1024 * 1024))).toBe(true);
    expect(output.stdout.endsWith(`\n[output truncated: ${11_000_000 - 10 * 1024 * 1024} more bytes]`)).toBe(
      true,
    );
  });
});
