import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI: `npm run build` at the repo root makes it. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');

export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` at the repo root first`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Sends SIGINT once stderr contains this text. */
  interruptWhen?: string;
  timeoutMs?: number;
}

/** Runs `node dist/bin.js ...args` in `cwd` with a clean environment (no WEFT_* from the caller). */
export function weft(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NO_COLOR: '1',
  };
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.interruptWhen && !interrupted && stderr.includes(options.interruptWhen)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A fresh directory with the given files written into it. */
export function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export const WORKFLOWS = {
  'hello.yaml': `name: hello
inputs:
  type: object
  properties:
    name: { type: string }
    times: { type: integer, default: 1 }
  required: [name]
steps:
  - id: say
    type: skill
    skill: log
    inputs: { message: "saying hello to \${ inputs.name }" }
  - id: greet
    type: skill
    skill: echo
    inputs: { greeting: "hello \${ inputs.name }", times: "\${ inputs.times }" }
output: \${ steps.greet.output }
`,
  'fail.yaml': `name: failing
steps:
  - id: first
    type: skill
    skill: echo
    inputs: { ok: true }
  - id: boom
    type: skill
    skill: shell
    inputs: { command: "echo nope >&2; exit 3" }
`,
  'bad.yaml': `name: bad
steps:
  - id: fetch
    type: skill
    skill: echo
    inputs: {}
  - id: use
    type: skill
    skill: echo
    needs: [fecth]
    inputs: {}
`,
  'slow.yaml': `name: slow
steps:
  - id: started
    type: skill
    skill: log
    inputs: { message: "going to sleep" }
  - id: nap
    type: skill
    skill: sleep
    inputs: { duration: 20s }
`,
};
