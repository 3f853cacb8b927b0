import type { Evaluable } from '../expr/index.js';
import type { NotifyTarget } from '../notify/notify-types.js';
import type { CachePolicy } from '../resilience/cache-policy.js';
import type { RunConcurrency, StepConcurrency } from '../resilience/concurrency-policy.js';
import type { RetryPolicy } from './retry.js';

export type OnError = 'halt' | 'skip' | 'rollback';

/** One step of a plan: the document's step with its expressions compiled and defaults resolved. */
export interface PlanStep<C = unknown> {
  id: string;
  type: string;
  /** Where the step stands in the document (`steps[2].steps[0]`), for messages. */
  path: string;
  needs: string[];
  when: Evaluable<boolean> | undefined;
  /** Per attempt for leaf steps, the whole step for composite ones. */
  timeoutMs: number | undefined;
  retry: RetryPolicy | undefined;
  onError: OnError;
  catch: StepList | undefined;
  /** Steps that undo this one, run on rollback (engine/saga.ts); keys `<step key>.compensate.<id>`. */
  compensate?: StepList | undefined;
  output: Evaluable | undefined;
  async: boolean;
  /** `cache:` (resilience/cache.ts); skill, agent and workflow steps. */
  cache?: CachePolicy | undefined;
  /** `concurrency:` (resilience/concurrency-slots.ts): a slot of its key is held during each attempt. */
  concurrency?: StepConcurrency | undefined;
  /** Step ids read by any expression of this step, nested steps included. */
  reads: ReadonlySet<string>;
  /** What the step type compiled from its own fields. */
  compiled: C;
}

/** A list of sibling steps: sequential unless any step names `needs`, then a graph. */
export interface StepList {
  steps: PlanStep[];
  graph: boolean;
}

/** One `on_complete` entry (SPEC section 1), compiled; see engine/chaining.ts. */
export interface OnCompleteEntry {
  /** As written: a path relative to the document. */
  workflow: string;
  when: Evaluable<boolean> | undefined;
  inputs: Evaluable;
}

export interface Plan {
  name: string;
  version: number | null;
  /** Content hash of the document text. */
  hash: string;
  source: string;
  path: string | null;
  description: string | undefined;
  inputSchema: Record<string, unknown> | undefined;
  context: Record<string, unknown>;
  root: StepList;
  output: Evaluable | undefined;
  /** Runs to start once this one completes. */
  onComplete: OnCompleteEntry[];
  /** `notify`: webhooks of this workflow's runs (notify/). */
  notify?: NotifyTarget[];
  timeoutMs: number | undefined;
  maxParallelism: number;
  /** The workflow's `concurrency:` (resilience/concurrency-gate.ts). */
  concurrency?: RunConcurrency | undefined;
  /** Workflow-level `on_error`: `rollback` runs compensations for any unhandled failure. */
  onError: 'halt' | 'rollback';
  /** Every step of the document by id, nested ones included (saga, rerun). */
  steps: ReadonlyMap<string, PlanStep>;
  /** Every step id in the document (steps start as `pending` in `${ steps }`). */
  stepIds: string[];
  /** Secret names read by expressions; `'*'` when an expression indexes `secrets` dynamically. */
  secrets: ReadonlySet<string> | '*';
  /** Workflows its `workflow` steps run, loaded and checked with the document (engine/workflow-graph). */
  workflows: WorkflowDependency[];
}

/** A child workflow a step refers to. */
export interface WorkflowDependency {
  /** As written in the document. */
  ref: string;
  /** Absolute path of the child's document. */
  path: string;
  version: number | undefined;
  /** Where the step stands (`steps[2]`), for messages. */
  at: string;
}
