import type { WeftError } from '../errors.js';
import type { EventPayloads, EventType } from '../events/types.js';
import type { Scope } from '../expr/index.js';
import type { RunResilience } from '../resilience/run-resilience.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { StepTypeRegistry } from '../steps/registry.js';
import type { ChildRunService, WaitService } from '../steps/types.js';
import type { StepRecord } from '../store/types.js';
import type { Clock } from './clock.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { ListOutcome } from './list-runner.js';
import type { PlanStep, StepList } from './plan-types.js';
import type { Semaphore } from './semaphore.js';
import type { SkillInvoker } from './skill-invoker.js';
import type { BatchWriter } from './writer.js';

/** Engine-wide services a run's steps use. */
export interface StepServices {
  /** Durable timers, events and approvals (engine/waits); absent until that module is wired. */
  waits?: WaitService;
  /** Child runs of `workflow` steps (engine/child-runs). */
  children?: ChildRunService;
  skills: SkillRegistry;
  stepTypes: StepTypeRegistry;
  invoker: SkillInvoker;
  writer: BatchWriter;
  cwd: string;
  /** Time for retry delays; default the system clock. */
  clock?: Clock;
  /** Cache, circuit breakers and concurrency slots of this run (resilience/); absent: none. */
  resilience?: RunResilience;
  /** Hooks registered on the engine (engine/hooks); absent or empty: no call is made. */
  hooks?: HookRegistry;
}

export interface StepRunnerOptions {
  services: StepServices;
  runId: string;
  workflow: string;
  signal: AbortSignal;
  slots: Semaphore;
  history: StepRecord[];
  vars: Record<string, unknown>;
  emit<T extends EventType>(type: T, stepKey: string | null, data: EventPayloads[T]): void;
  record(step: StepRecord): void;
  runList(list: StepList, keyPrefix: string, scope: Scope, signal: AbortSignal): Promise<ListOutcome>;
  /** Work that outlives its step; the run ends only once it has settled. */
  background(work: Promise<unknown>): void;
  /** Resolves when a step may start: at once, or when a paused run resumes or `signal` fires (engine/control). */
  pauseGate?(signal: AbortSignal): Promise<void>;
  /**
   * A step failed for good (after retries, `catch` and `on_error: skip` did not handle it), its
   * final record just written; `signal` is its list's (aborted: the step was cut short).
   */
  onFinalFailure?(step: PlanStep, record: StepRecord, error: WeftError, signal: AbortSignal): void;
  /** The run whose id starts idempotency keys (a rerun keeps its source run's); default `runId`. */
  idempotencyRunId?: string;
}
