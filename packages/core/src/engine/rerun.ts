import { WeftError } from '../errors.js';
import { parseSource } from '../spec/parse.js';
import type { Mapping } from '../spec/values.js';
import type { RunRecord, StepRecord, Store } from '../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../store/types.js';
import { prepareInput } from './inputs.js';
import type { Plan } from './plan-types.js';
import { type RerunSelection, selectRerun } from './rerun-plan.js';
import type { RunHandle } from './types.js';

export interface RerunOptions {
  /** The step key to run again from (`charge`, `each[2].charge`). */
  from: string;
  /** The new run's input (checked against the workflow's `inputs`); default: the old run's. */
  input?: unknown;
  /** Only say what would run again and what would be reused. */
  dryRun?: boolean;
}

/** What a rerun runs again and reuses; `run` is the new run (absent for a dry run). */
export interface RerunResult {
  /** The run rerun. */
  sourceRunId: string;
  from: string;
  /** Step keys that run again (then top-level steps the old run never reached), in run order. */
  execute: string[];
  /** Step keys whose recorded results the new run keeps. */
  reuse: string[];
  run?: RunHandle;
}

export interface RerunHost {
  store: Store;
  /** The plan a run was started with (its stored document). */
  planFor(run: RunRecord): Promise<Plan>;
  /** Starts a new run of `plan` whose first records are `seeds(runId)`. */
  start(
    plan: Plan,
    input: unknown,
    seeds: (runId: string) => StepRecord[],
    meta: Record<string, unknown>,
  ): Promise<RunHandle>;
}

/**
 * Starts a new run of the same document (same stored hash) that reuses the recorded results of
 * every step that does not depend on `from`: they are copied into the new run (`meta.reused_from`)
 * and replayed, not executed; `from` and everything downstream run. See `selectRerun`.
 */
export async function rerun(host: RerunHost, runId: string, options: RerunOptions): Promise<RerunResult> {
  if (typeof options.from !== 'string' || options.from === '') {
    throw new WeftError(
      'invalid_input',
      `rerun of run ${runId}: expected \`from\` to be a step key, got ${JSON.stringify(options.from)}`,
    );
  }
  const source = await host.store.getRun(runId);
  if (!source) throw new WeftError('not_found', `no run with id '${runId}' in this store`);
  if (!TERMINAL_RUN_STATUSES.has(source.status)) {
    throw new WeftError('conflict', `run ${runId} is ${source.status}; rerun a run once it has ended`);
  }
  const plan = await host.planFor(source);
  const selection = selectRerun(plan, documentOf(plan), await host.store.getSteps(runId), options.from);
  const result: RerunResult = {
    sourceRunId: runId,
    from: selection.from,
    execute: selection.execute,
    reuse: selection.reuse,
  };
  if (options.dryRun) return result;
  const input =
    options.input === undefined ? source.input : prepareInput(plan.name, plan.inputSchema, options.input);
  // Keys of the first run: a target that dedupes on them does not repeat a side effect.
  const idempotencyRun =
    typeof source.meta.idempotency_run === 'string' ? source.meta.idempotency_run : runId;
  const meta = { rerun_of: runId, rerun_from: options.from, idempotency_run: idempotencyRun };
  result.run = await host.start(plan, input, (id) => seeds(selection, runId, id), meta);
  return result;
}

function seeds(selection: RerunSelection, sourceRunId: string, runId: string): StepRecord[] {
  return selection.reused.map((record) => ({
    ...record,
    runId,
    meta: { ...record.meta, reused_from: { run_id: sourceRunId, attempt: record.attempt } },
  }));
}

function documentOf(plan: Plan): Mapping {
  const parsed = parseSource(plan.source, plan.path ?? 'workflow.yaml');
  if (!('value' in parsed) || parsed.value === null || typeof parsed.value !== 'object') {
    throw new WeftError('store_error', `the stored document of workflow '${plan.name}' cannot be read back`);
  }
  return parsed.value as Mapping;
}
