import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { WeftError } from '../errors.js';
import { isWorkflowPath, registryKey } from '../registry/refs.js';

export { isWorkflowPath };

import {
  compileCondition,
  compileValue,
  type Evaluable,
  type References,
  type Scope,
} from '../expr/index.js';
import type { RunRecord, Store } from '../store/types.js';
import { prepareInput } from './inputs.js';
import type { OnCompleteEntry, Plan } from './plan-types.js';

/**
 * `on_complete` chaining (SPEC section 1). When a run completes, each entry whose `when` holds gets
 * a run record with a deterministic id (`chainedRunId`), written in the same commit as the
 * completion: either the run is completed and its chained runs exist, or neither. A chained run is
 * created `pending` with no owner; the engine starts it right after the commit, and if the process
 * stops first, `recover()` (here or in any process) finds it like any run without a lease. The
 * id makes a second completion (after a lost lease) find the run instead of starting another.
 */

export const DEFAULT_MAX_CHAIN_LENGTH = 10;

/** A run of a chain, as `meta.chained_from.chain` lists it. */
export interface ChainLink {
  run_id: string;
  workflow: string;
}

/** `meta.chained_from` of a run started by `on_complete`. */
export interface ChainedFrom extends ChainLink {
  /** The `on_complete` entry of that run. */
  index: number;
  /** Every run of the chain before this one, the first run first. */
  chain: ChainLink[];
}

/** What a completing run starts: a run record (absent when it exists already), or why not. */
export type PreparedChain =
  | { index: number; workflow: string; runId: string; run: RunRecord | undefined }
  | { index: number; workflow: string; error: WeftError };

/** Compiles `on_complete`: each entry names a document by path, or a registered workflow by name. */
export function compileOnComplete(value: unknown, noteRefs: (refs: References) => void): OnCompleteEntry[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: Record<string, unknown>, index) => {
    const workflow = String(entry.workflow);
    const when =
      entry.when === undefined ? undefined : compileCondition(entry.when, ['on_complete', index, 'when']);
    const inputs = compileValue(entry.inputs ?? {}, ['on_complete', index, 'inputs']);
    for (const compiled of [when, inputs]) if (compiled) noteRefs(compiled.refs);
    return { workflow, when, inputs };
  });
}

/** The id of the run entry `index` of run `runId` starts: the same every time, a UUID in form. */
export function chainedRunId(runId: string, index: number): string {
  const hex = createHash('sha256').update(`${runId}\u0000on_complete\u0000${index}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ChainerOptions {
  store: Store;
  /** Runs a chain may hold, the first one included. */
  maxChainLength: number;
  /** Base for relative paths of documents given as text. */
  cwd: string;
  /** Reads, compiles and stores a workflow document. */
  load(path: string): Promise<Plan>;
  /** A run record not owned by anyone yet (status `pending`). */
  newRun(plan: Plan, input: unknown, options: { runId: string; meta: Record<string, unknown> }): RunRecord;
}

/** Prepares the runs a completing run starts; see the module comment. */
export class Chainer {
  constructor(private readonly options: ChainerOptions) {}

  /** `scope`: the run's names plus `output`. A failing entry does not stop the others. */
  async prepare(plan: Plan, run: RunRecord, scope: Scope): Promise<PreparedChain[]> {
    const out: PreparedChain[] = [];
    for (const [index, entry] of plan.onComplete.entries()) {
      try {
        const prepared = await this.#prepare(plan, run, scope, entry, index);
        if (prepared) out.push(prepared);
      } catch (error) {
        out.push({ index, workflow: entry.workflow, error: WeftError.from(error, 'store_error') });
      }
    }
    return out;
  }

  async #prepare(
    plan: Plan,
    run: RunRecord,
    scope: Scope,
    entry: OnCompleteEntry,
    index: number,
  ): Promise<PreparedChain | undefined> {
    const where = `run ${run.id}: on_complete[${index}]`;
    if (entry.when && !evaluate(entry.when, scope, where)) return undefined;
    const input = evaluate(entry.inputs, scope, where);
    const runId = chainedRunId(run.id, index);
    if (await this.options.store.getRun(runId))
      return { index, workflow: entry.workflow, runId, run: undefined };
    const cwd = typeof run.meta.cwd === 'string' ? run.meta.cwd : this.options.cwd;
    const ref = isWorkflowPath(entry.workflow)
      ? resolve(plan.path ? dirname(plan.path) : cwd, entry.workflow)
      : registryKey(entry.workflow);
    const next = await this.options.load(ref);
    const before = (run.meta.chained_from as ChainedFrom | undefined)?.chain ?? [];
    const chain: ChainLink[] = [...before, { run_id: run.id, workflow: run.workflow }];
    const max = this.options.maxChainLength;
    if (chain.length >= max) throw tooLong(where, chain, next.name, max);
    const chainedFrom: ChainedFrom = { run_id: run.id, workflow: run.workflow, index, chain };
    const record = this.options.newRun(next, prepareInput(next.name, next.inputSchema, input), {
      runId,
      meta: { cwd, chained_from: chainedFrom },
    });
    return { index, workflow: entry.workflow, runId, run: record };
  }
}

function evaluate<T>(value: Evaluable<T>, scope: Scope, where: string): T {
  try {
    return value.evaluate(scope);
  } catch (error) {
    const failure = WeftError.from(error, 'expression_error');
    throw new WeftError(failure.code, `${where}: ${failure.message}`, {
      details: failure.details,
      cause: error,
    });
  }
}

function tooLong(where: string, chain: ChainLink[], next: string, max: number): WeftError {
  const names = [...chain.map((link) => link.workflow), next].join(' -> ');
  const loop = chain.some((link) => link.workflow === next) ? ` ('${next}' is already in it: a loop)` : '';
  return new WeftError(
    'max_chain_length_exceeded',
    `${where}: starting '${next}' would make the chain ${names} longer than ${max} runs${loop}`,
    { details: { chain, max_chain_length: max } },
  );
}

/** What the run executor gets from the engine for `on_complete`. */
export interface RunChains {
  prepare(plan: Plan, run: RunRecord, scope: Scope): Promise<PreparedChain[]>;
  /** Starts runs whose `pending` records were just committed. */
  launch(runIds: string[]): void;
}
