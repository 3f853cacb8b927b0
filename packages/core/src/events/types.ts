import type { ErrorInfo } from '../errors.js';
import type { RunStatus } from '../store/types.js';

/** Payload of each event type. */
export interface EventPayloads {
  'run.started': { input: unknown; version: number | null; parentRunId: string | null; resumed: boolean };
  'run.completed': { output: unknown; durationMs: number };
  'run.failed': { error: ErrorInfo; durationMs: number };
  'run.cancelled': { reason: string; by: string | null; durationMs: number };
  'run.paused': { by: string | null; reason?: string };
  'run.resumed': { by: string | null };
  /** `on_complete` entry `index` started run `runId` of `workflow` (recorded as the run completes). */
  'run.chained': { index: number; workflow: string; runId: string };
  /** `on_complete` entry `index` could not start its run (bad input, chain too long...). */
  'run.chain_failed': { index: number; workflow: string; error: ErrorInfo };
  'step.started': { stepId: string; type: string; attempt: number; input?: unknown };
  'step.completed': { stepId: string; type: string; attempt: number; durationMs: number; output?: unknown };
  'step.failed': { stepId: string; type: string; attempt: number; durationMs: number; error: ErrorInfo };
  'step.retrying': { stepId: string; type: string; attempt: number; delayMs: number; error: ErrorInfo };
  'step.skipped': { stepId: string; type: string; reason: string };
  'step.blocked': { stepId: string; type: string; by: string };
  'step.waiting': { stepId: string; type: string; reason: string };
  /** The step's result came from the cache (resilience/cache.ts); the call was skipped. */
  'step.cache_hit': { stepId: string; type: string; key: string };
  /** The step has `cache` and its key was not cached: the call runs, and its result is stored. */
  'step.cache_miss': { stepId: string; type: string; key: string };
  /** The run waits for a concurrency slot (workflow `concurrency`, `limits.running_runs`) and stays `pending`. */
  'run.queued': { reason: string };
  'step.cancelled': { stepId: string; type: string; reason: string };
  /** A rollback starts: these completed steps will be undone, newest completion first (engine/saga.ts). */
  'run.compensating': { cause: ErrorInfo; steps: string[] };
  /** The compensations of this step completed: it is now `compensated`. */
  'step.compensated': { stepId: string; type: string };
  /** A compensation of this step failed; the rollback goes on with the others. */
  'step.compensation_failed': { stepId: string; type: string; error: ErrorInfo };
  /** `kind: tokens`: streamed model output of an agent step; `value` is the next piece of text. */
  'step.progress': { value: number | string; kind?: 'tokens' };
  'step.log': { level: 'debug' | 'info' | 'warn' | 'error'; message: string; data?: Record<string, unknown> };
  /** A state machine took transition number `count` (1-based); `reason`: `when: <expr>`, `event: <type> <id>` or `always`. */
  'state.transition': { from: string; to: string; reason: string; count: number };
  /** A hook threw or ran out of time (engine/hooks); the run went on without its result. */
  'hook.failed': { point: string; message: string };
}

export type EventType = keyof EventPayloads;

/** A typed state change of a run, with a per-run sequence number. */
export interface WeftEvent<T extends EventType = EventType> {
  type: T;
  runId: string;
  workflow: string;
  /** 1-based, gapless per run. */
  seq: number;
  time: number;
  stepKey: string | null;
  data: EventPayloads[T];
}

export type AnyWeftEvent = { [T in EventType]: WeftEvent<T> }[EventType];

export type EventListener<T extends EventType = EventType> = (event: WeftEvent<T>) => void;

/** Events of the engine itself rather than of a run (no run id, no sequence number). */
export interface EngineEventPayloads {
  /** A circuit breaker opened: calls to `target` fail with `circuit_open` until `openUntil`. */
  'breaker.opened': { target: string; reason: string; openUntil: number; lastError: string | null };
  /** Its open period ended: trial calls go through. */
  'breaker.half_opened': { target: string };
  'breaker.closed': { target: string };
}

export type EngineEventType = keyof EngineEventPayloads;

/** Seen only by the process whose call caused it; listen with `engine.on('breaker.opened', ...)`. */
export interface EngineEvent<T extends EngineEventType = EngineEventType> {
  type: T;
  time: number;
  data: EngineEventPayloads[T];
}

export type AnyEngineEvent = { [T in EngineEventType]: EngineEvent<T> }[EngineEventType];

/** The run states reached by terminal events. */
export const RUN_STATUS_BY_EVENT: Partial<Record<EventType, RunStatus>> = {
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};
