import type { ErrorInfo } from '../errors.js';
import type { RunStatus } from '../store/types.js';

/** Payload of each event type. */
export interface EventPayloads {
  'run.started': { input: unknown; version: number | null; parentRunId: string | null; resumed: boolean };
  'run.completed': { output: unknown; durationMs: number };
  'run.failed': { error: ErrorInfo; durationMs: number };
  'run.cancelled': { reason: string; by: string | null; durationMs: number };
  'run.paused': { by: string | null };
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
  'step.cancelled': { stepId: string; type: string; reason: string };
  'step.progress': { value: number | string };
  'step.log': { level: 'debug' | 'info' | 'warn' | 'error'; message: string; data?: Record<string, unknown> };
  /** A state machine took transition number `count` (1-based); `reason`: `when: <expr>`, `event: <type> <id>` or `always`. */
  'state.transition': { from: string; to: string; reason: string; count: number };
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

/** The run states reached by terminal events. */
export const RUN_STATUS_BY_EVENT: Partial<Record<EventType, RunStatus>> = {
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};
