import { createHash } from 'node:crypto';
import { WeftError } from '../errors.js';
import { parseRegistryKey } from '../registry/refs.js';
import type { ChildRunOutcome, ChildRunRequest, ChildRunService, ChildRunTarget } from '../steps/types.js';
import type { RunRecord, Store } from '../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../store/types.js';
import { abortError, sleep } from './abort.js';
import type { Plan } from './plan-types.js';
import type { RunHandle, RunResult, StartOptions, WorkflowRef } from './types.js';

/** What the engine lends the child-run service. */
export interface ChildRunHost {
  store: Store;
  /** Deepest nesting allowed: a root run is depth 0, its children 1... */
  maxDepth: number;
  /** How often a child owned by another process is looked at; default 250 ms. */
  pollMs?: number;
  load(path: string): Promise<Plan>;
  start(workflow: WorkflowRef, input: unknown, options: StartOptions): Promise<RunHandle>;
  /** The run's handle when it executes in this process, else claims and resumes it (`conflict` when it cannot). */
  resume(runId: string): Promise<RunHandle>;
  /** Fails the child's executor in this process with `reason`, unless its parent is only being detached. */
  cancel(parentRunId: string, childRunId: string, reason: WeftError): void;
}

type Request = Parameters<ChildRunService['run']>[0];

/** The id of the child run of one step attempt: UUID-shaped (version 8), the same every time. */
export function childRunId({ parentRunId, stepKey, attempt }: ChildRunTarget): string {
  const hex = createHash('sha256').update(`${parentRunId}\u0000${stepKey}\u0000${attempt}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Child runs of `workflow` steps. A child's id is derived from (parent run, step key, attempt), so
 * a parent resumed after a crash finds the child it started: ended -> its result; interrupted ->
 * resumed here, or watched in the store while another process runs it; missing -> started.
 */
export class ChildRuns implements ChildRunService {
  readonly #host: ChildRunHost;

  constructor(host: ChildRunHost) {
    this.#host = host;
  }

  childRunId(target: ChildRunTarget): string {
    return childRunId(target);
  }

  async run(request: Request, signal: AbortSignal): Promise<ChildRunOutcome> {
    const runId = this.childRunId(request);
    const existing = await this.#host.store.getRun(runId);
    if (existing && TERMINAL_RUN_STATUSES.has(existing.status)) return outcomeOf(existing);
    if (signal.aborted) throw abortError(signal);
    const handle = existing ? await this.#attach(runId, signal) : await this.#start(runId, request);
    if (!handle) return this.#watch(runId, signal);
    const cancel = () => this.#host.cancel(request.parentRunId, runId, abortError(signal));
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    try {
      return outcomeOf(await handle.result());
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      // This process stopped executing the child (its lease was lost): follow it in the store.
      if (error instanceof WeftError && error.code === 'lease_lost') return this.#watch(runId, signal);
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  async #start(runId: string, request: Request): Promise<RunHandle> {
    const { parentRunId, stepKey } = request;
    const where = `step '${stepKey}' of run ${parentRunId}`;
    const parent = await this.#host.store.getRun(parentRunId);
    const depth = Number(parent?.meta.depth ?? 0) + 1;
    if (depth > this.#host.maxDepth) {
      throw new WeftError(
        'max_depth_exceeded',
        `${where}: a child run would nest ${depth} levels deep; the limit is ${this.#host.maxDepth} (maxDepth)`,
        { details: { max_depth: this.#host.maxDepth } },
      );
    }
    const plan = await this.#host.load(request.workflow);
    checkVersion(plan, request, where);
    const registered = parseRegistryKey(request.workflow);
    // A registered child starts with the version just loaded, whatever becomes active meanwhile.
    const ref = registered
      ? { name: registered.name, version: plan.version ?? undefined }
      : { source: plan.source, path: request.workflow };
    return this.#host.start(ref, request.input, {
      runId,
      parentRunId,
      meta: { cwd: request.cwd, depth, parent_step: stepKey },
    });
  }

  /** The child exists and has not ended: resume it here, or undefined when another process runs it. */
  async #attach(runId: string, signal: AbortSignal): Promise<RunHandle | undefined> {
    try {
      return await this.#host.resume(runId);
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      if (error instanceof WeftError && error.code === 'conflict') return undefined;
      throw error;
    }
  }

  /** Polls the store until the child ends, taking it over if its owner goes away. */
  async #watch(runId: string, signal: AbortSignal): Promise<ChildRunOutcome> {
    for (;;) {
      await sleep(this.#host.pollMs ?? 250, signal);
      const run = await this.#host.store.getRun(runId);
      if (!run) throw new WeftError('store_error', `child run ${runId} is gone from the store`);
      if (TERMINAL_RUN_STATUSES.has(run.status)) return outcomeOf(run);
      const handle = await this.#attach(runId, signal);
      if (handle) return outcomeOf(await handle.result());
    }
  }
}

function checkVersion(plan: Plan, request: ChildRunRequest, where: string): void {
  if (request.version === undefined || plan.version === request.version) return;
  const has = plan.version === null ? 'has no version' : `is version ${plan.version}`;
  throw new WeftError(
    'not_found',
    `${where}: workflow ${request.workflow} ${has}, but the step pins version ${request.version}`,
  );
}

function outcomeOf(run: RunRecord | RunResult): ChildRunOutcome {
  const runId = 'id' in run ? run.id : run.runId;
  const status = run.status === 'completed' || run.status === 'cancelled' ? run.status : 'failed';
  return { runId, status, output: run.output, error: run.error };
}
