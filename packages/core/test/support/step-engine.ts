import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { WeftEngine } from '../../src/engine/engine.js';
import type { RunResult } from '../../src/engine/types.js';
import { WeftError } from '../../src/errors.js';
import { defineSkill } from '../../src/skills/types.js';

/** What the probe skills saw: `start:a`, `end:a`, `abort:a:<code>`, in order. */
export type ProbeLog = string[];

/** Test skills that report what happens to them, and gates a test opens by hand. */
export class Probes {
  readonly log: ProbeLog = [];
  readonly #gates = new Map<string, () => void>();
  readonly #waiting = new Map<string, () => void>();

  /** Resolves once a `probe.gate` call with this id is waiting. */
  reached(id: string): Promise<void> {
    if (this.#gates.has(id)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(id, resolve));
  }

  open(id: string): void {
    this.#gates.get(id)?.();
  }

  skills() {
    const log = this.log;
    const gates = this.#gates;
    const waiting = this.#waiting;
    const until = (signal: AbortSignal, id: string, ready: (done: () => void) => void) =>
      new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          log.push(`abort:${id}:${WeftError.from(signal.reason).code}`);
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        ready(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    return [
      defineSkill<{ id: string; ms?: number; value?: unknown }>({
        name: 'probe.wait',
        async run({ id, ms = 0, value }, ctx) {
          log.push(`start:${id}`);
          await until(ctx.signal, id, (done) => setTimeout(done, ms));
          log.push(`end:${id}`);
          return value === undefined ? id : value;
        },
      }),
      defineSkill<{ id: string; ms?: number; code?: string }>({
        name: 'probe.fail',
        async run({ id, ms = 0, code = 'skill_error' }, ctx) {
          log.push(`start:${id}`);
          await until(ctx.signal, id, (done) => setTimeout(done, ms));
          log.push(`fail:${id}`);
          throw new WeftError(code, `${id} failed on purpose`);
        },
      }),
      defineSkill<{ id: string; value?: unknown }>({
        name: 'probe.gate',
        async run({ id, value }, ctx) {
          log.push(`start:${id}`);
          await until(ctx.signal, id, (done) => {
            gates.set(id, done);
            waiting.get(id)?.();
          });
          log.push(`end:${id}`);
          return value === undefined ? id : value;
        },
      }),
    ];
  }
}

/** An engine on a fresh SQLite file with the probe skills; `close` it after the test. */
export async function stepEngine(dir = mkdtempSync(join(tmpdir(), 'weft-steps-'))) {
  const probes = new Probes();
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    skills: probes.skills(),
  });
  return { engine, probes, dir };
}

/**
 * Registers an `afterEach` that closes every engine made by the returned `setup` during a test.
 * @example const setup = useStepEngines(); it('...', async () => { const { engine } = await setup(); });
 */
export function useStepEngines(): (dir?: string) => ReturnType<typeof stepEngine> {
  const open: WeftEngine[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()));
  });
  return async (dir?: string) => {
    const harness = await stepEngine(dir);
    open.push(harness.engine);
    return harness;
  };
}

/** Runs a document to its end. */
export async function runDoc(engine: WeftEngine, source: string, input?: unknown): Promise<RunResult> {
  const handle = await engine.start({ source }, input);
  return handle.result();
}

/** `key status` of every final record of a run, in the order they were written. */
export async function stepStates(engine: WeftEngine, runId: string): Promise<Record<string, string>> {
  const details = await engine.getRun(runId);
  const out: Record<string, string> = {};
  for (const step of details?.steps ?? []) out[step.stepKey] = step.status;
  return out;
}

/** Polls until `check` holds (records are committed asynchronously). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Starts `source` on a first engine, closes that engine while the probe gate `gate` is held (the
 * run is interrupted mid-step), then resumes the run on a second engine on the same file and
 * opens the gate there. `done`: step keys to see committed first. Returns the result and what each engine's probes saw.
 */
export async function interruptAndResume(
  source: string,
  gate: string,
  options: { input?: unknown; done?: string[] } = {},
) {
  const first = await stepEngine();
  const handle = await first.engine.start({ source }, options.input);
  await first.probes.reached(gate);
  // Steps expected to be finished (and committed) before the interruption.
  const committed = async () => {
    const states = await stepStates(first.engine, handle.runId);
    return (options.done ?? []).every((key) => states[key] === 'completed');
  };
  await eventually(committed);
  await first.engine.close();
  const second = await stepEngine(first.dir);
  try {
    const resumed = await second.engine.resume(handle.runId);
    await second.probes.reached(gate);
    second.probes.open(gate);
    const result = await resumed.result();
    return {
      result,
      before: first.probes.log,
      after: second.probes.log,
      states: await stepStates(second.engine, handle.runId),
    };
  } finally {
    await second.engine.close();
  }
}
