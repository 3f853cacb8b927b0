/**
 * @weft/core — the Weft engine as a library.
 * @example
 * import { createEngine, defineSkill } from '@weft/core';
 * const engine = await createEngine({ store: 'sqlite:.weft/weft.db' });
 * const run = await engine.start('flow.yaml', { order_id: 'A-1' });
 * const { status, output } = await run.result();
 */
export * from './config/index.js';
export type { Clock } from './engine/clock.js';
export { createEngine } from './engine/create-engine.js';
export type { WeftEngine } from './engine/engine.js';
export type { RerunOptions, RerunResult } from './engine/rerun.js';
export { SimulatedClock } from './engine/simulated-clock.js';
export type {
  ControlOptions,
  ControlResult,
  Engine,
  EngineOptions,
  ResumedRun,
  RunDetails,
  RunHandle,
  RunResult,
  StartOptions,
  WorkflowRef,
} from './engine/types.js';
export { type ErrorInfo, NON_RETRIABLE_CODES, WeftError, type WeftErrorCode } from './errors.js';
export type {
  AnyEngineEvent,
  AnyWeftEvent,
  EngineEvent,
  EngineEventPayloads,
  EngineEventType,
  EventListener,
  EventPayloads,
  EventType,
  WeftEvent,
} from './events/types.js';
export type { BreakerPolicySettings, CircuitBreakerSettings } from './resilience/breaker-policy.js';
export type { BreakerState, BreakerStatus } from './resilience/breaker-state.js';
export type { CacheEntry } from './resilience/cache-store.js';
export type { LimitSettings } from './resilience/concurrency-policy.js';
export type { SlotRecord } from './resilience/concurrency-store.js';
export type { DeadLetterQueue, DeadLetterReplay } from './resilience/dead-letter-queue.js';
export type { RedisSettings } from './resilience/redis/redis-connection.js';
export type { BreakerAdmin, CacheAdmin } from './resilience/resilience.js';
export { builtinSkills } from './skills/builtin/index.js';
export { loadSkillModules } from './skills/load-modules.js';
export { SkillRegistry } from './skills/registry.js';
export {
  type AnySkill,
  defineSkill,
  type SkillContext,
  type SkillDefinition,
  type SkillLogger,
} from './skills/types.js';
export {
  formatProblem,
  loadWorkflow,
  loadWorkflowFile,
  type Problem,
  validateDocument,
  workflowJsonSchema,
} from './spec/index.js';
export type { DeadLetterFilter, DeadLetterRecord } from './store/dead-letter-types.js';
export { openStore } from './store/open-store.js';
export { maskUrl } from './store/store-url.js';
export type {
  DocumentRecord,
  EventRecord,
  MigrationState,
  RunFilter,
  RunRecord,
  RunStatus,
  StepRecord,
  StepStatus,
  Store,
} from './store/types.js';
export { formatDuration, parseDuration } from './util/duration.js';
