import { spawn } from 'node:child_process';
import { abortError } from './abort.js';
import { BoundedOutput } from './bounded-output.js';

export interface ProcessOptions {
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to the child's stdin, then closed; without it stdin is /dev/null. */
  stdin?: string;
  signal: AbortSignal;
  /** Per stream; default 10 MiB. */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL on abort; default 2 s. */
  killGraceMs?: number;
}

export interface ProcessResult {
  stdout: string;
  stderr: string;
  /** Null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

/**
 * Runs a process in its own process group and collects its output. On abort the whole group gets
 * SIGTERM, then SIGKILL after the grace period, and the promise rejects with `abortError(signal)`.
 * A process that cannot start rejects with Node's spawn error (`code` ENOENT, EACCES...).
 */
export function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const child = spawn(options.file, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new BoundedOutput(limit);
    const stderr = new BoundedOutput(limit);
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => {
      killGroup(child.pid, options.killGraceMs ?? 2000);
      settle(() => reject(abortError(signal)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => settle(() => reject(error)));
    child.on('close', (exitCode, exitSignal) =>
      settle(() => resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode, signal: exitSignal })),
    );
    if (child.stdin) {
      // A child that exits without reading its stdin gives EPIPE; its exit status tells the story.
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin);
    }
  });
}

/** SIGTERM to the process group led by `pid`, SIGKILL after `graceMs` for whatever is left. */
export function killGroup(pid: number | undefined, graceMs: number): void {
  if (pid === undefined) return;
  if (!signalGroup(pid, 'SIGTERM')) return;
  setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs).unref();
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone
  }
}
