import type { PlanStep, StepList } from '../engine/plan-types.js';
import { WeftError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { linkedAbort } from './support/abort.js';
import type { ReplayContext, StepContext, StepType } from './types.js';

type Join = 'all' | 'any' | 'majority' | 'n_of_m';

interface ForkJoinStep {
  branches: { name: string; list: StepList }[];
  join: Join;
  /** Branches that must complete for the join to hold. */
  needed: number;
  branchTimeoutMs: number | undefined;
  cancelRemaining: boolean;
}

type Runner = Pick<ReplayContext, 'runList' | 'stepKey'>;

function neededFor(join: Join, branches: number, nRequired: unknown): number {
  if (join === 'any') return 1;
  if (join === 'majority') return Math.floor(branches / 2) + 1;
  if (join === 'n_of_m') return Number(nRequired);
  return branches;
}

/**
 * Starts every branch (keys `<step key>.<branch>.<id>`), each under its own signal with the
 * `branch_timeout` deadline; `settled` hears of each branch as it ends.
 */
function startBranches(
  step: PlanStep<ForkJoinStep>,
  ctx: Runner,
  parent: AbortSignal,
  settled: (name: string, error: WeftError | undefined, output: unknown) => void = () => {},
) {
  const { branchTimeoutMs: timeoutMs } = step.compiled;
  return step.compiled.branches.map(({ name, list }) => {
    const timeout = () =>
      new WeftError(
        'timeout',
        `step '${ctx.stepKey}': branch '${name}' ran over branch_timeout (${timeoutMs}ms)`,
        {
          details: { timeout_ms: timeoutMs, branch: name },
        },
      );
    const abort = linkedAbort(parent, { timeoutMs, timeout });
    const done = ctx
      .runList(list, { keyPrefix: `${ctx.stepKey}.${name}.`, signal: abort.signal })
      .then((result) => {
        abort.dispose();
        settled(name, result.error, result.lastOutput);
      });
    return { name, abort, done };
  });
}

function joinFailed(
  step: PlanStep<ForkJoinStep>,
  ctx: StepContext,
  failures: Map<string, WeftError>,
): WeftError {
  const { join, needed, branches } = step.compiled;
  const listed = [...failures]
    .map(([name, error]) => `'${name}' (${error.code}: ${error.message})`)
    .join(', ');
  const message = `step '${ctx.stepKey}': join '${join}' needs ${needed} of ${branches.length} branches to complete; failed: ${listed}`;
  const errors = Object.fromEntries([...failures].map(([name, error]) => [name, error.toInfo()]));
  return new WeftError('join_failed', message, { details: { join, needed, errors } });
}

/**
 * `type: fork_join` — named branches joined by a policy (`all`, `any`, `majority`, `n_of_m`). The
 * step completes as soon as enough branches completed and fails with `join_failed` as soon as too
 * many failed; then, with `cancel_remaining` (default), the branches still running are cancelled,
 * otherwise they go on and the run waits for them. Output: `{ <branch>: <last output> }`.
 */
export const forkJoinStep: StepType<ForkJoinStep> = {
  type: 'fork_join',
  composite: true,
  compile(definition, ctx) {
    const branches = Object.entries(definition.branches as Record<string, Record<string, unknown>[]>).map(
      ([name, list]) => ({ name, list: ctx.compileList(list, `${ctx.path}.branches.${name}`) }),
    );
    const join = (definition.join as Join | undefined) ?? 'all';
    const timeout = definition.branch_timeout;
    return {
      branches,
      join,
      needed: neededFor(join, branches.length, definition.n_required),
      branchTimeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
      cancelRemaining: definition.cancel_remaining !== false,
    };
  },
  async execute(step, ctx) {
    const { needed, branches: all, cancelRemaining } = step.compiled;
    const outputs = new Map<string, unknown>();
    const failures = new Map<string, WeftError>();
    let decide = () => {};
    const decided = new Promise<void>((resolve) => {
      decide = resolve;
    });
    const running = startBranches(step, ctx, ctx.signal, (name, error, output) => {
      if (error) failures.set(name, error);
      else outputs.set(name, output);
      if (outputs.size >= needed || failures.size > all.length - needed) decide();
    });
    await Promise.race([decided, Promise.all(running.map((branch) => branch.done))]);
    const failure = outputs.size >= needed ? undefined : joinFailed(step, ctx, failures);
    const rest = Promise.all(running.map((branch) => branch.done));
    if (cancelRemaining) {
      const reason = `step '${ctx.stepKey}': the join was decided (join: ${step.compiled.join})`;
      for (const branch of running) branch.abort.abort(new WeftError('cancelled', reason));
      await rest;
    } else ctx.background(() => rest);
    if (failure) throw failure;
    const output: Record<string, unknown> = {};
    for (const { name } of all) if (outputs.has(name)) output[name] = outputs.get(name);
    return { output };
  },
  replay(step, _output, ctx) {
    // Branches left running (cancel_remaining: false) when the process stopped run on.
    if (!step.compiled.cancelRemaining) {
      ctx.background((signal) => Promise.all(startBranches(step, ctx, signal).map((branch) => branch.done)));
    }
  },
};
