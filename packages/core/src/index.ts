/**
 * @weft/core — the Weft engine as a library.
 * @example
 * import { createEngine, defineSkill } from '@weft/core';
 * const engine = await createEngine({ store: 'sqlite:.weft/weft.db' });
 * const run = await engine.start('flow.yaml', { order_id: 'A-1' });
 * const { status, output } = await run.result();
 */

export type { AgentSetting } from './agents/config.js';
export { connectMcpServers, type McpServerSetting } from './agents/mcp.js';
export { type AgentDefinition, AgentRegistry, type RegisteredAgent } from './agents/registry.js';
export type {
  AgentAdapter,
  AgentAnswer,
  AgentCallContext,
  AgentQuestion,
  AgentRequest,
  AgentResponse,
  AgentTool,
  AgentUsage,
} from './agents/types.js';
export { costOf, type RunUsage, runUsage } from './agents/usage.js';
export * from './config/index.js';
export type { Clock } from './engine/clock.js';
export { createEngine } from './engine/create-engine.js';
export type { WeftEngine } from './engine/engine.js';
export {
  HOOK_POINTS,
  type HookContexts,
  type HookFn,
  type HookPoint,
  type HookResults,
  type HookSet,
} from './engine/hooks/index.js';
export { formatProgress, type RunProgress, runProgress } from './engine/progress.js';
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
export {
  type EventSink,
  type EventSources,
  type EventSourcesOptions,
  type SourceState,
  type SourceStatus,
  startEventSources,
} from './events/sources/source-manager.js';
export type { EventSourceSettings } from './events/sources/source-settings.js';
export { type EventFilter, matchesFilter } from './events/subscribe.js';
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
export {
  NOTIFY_EVENTS,
  type NotificationOptions,
  type NotificationPayload,
  type NotifyEvent,
  type NotifyTarget,
  signatureHeaders,
  verifySignature,
} from './notify/index.js';
export * from './registry/index.js';
export type { BreakerPolicySettings, CircuitBreakerSettings } from './resilience/breaker-policy.js';
export type { BreakerState, BreakerStatus } from './resilience/breaker-state.js';
export type { CacheEntry } from './resilience/cache-store.js';
export type { LimitSettings } from './resilience/concurrency-policy.js';
export type { SlotRecord } from './resilience/concurrency-store.js';
export type { DeadLetterQueue, DeadLetterReplay } from './resilience/dead-letter-queue.js';
export type { RedisSettings } from './resilience/redis/redis-connection.js';
export type { BreakerAdmin, CacheAdmin } from './resilience/resilience.js';
export * from './scheduler/index.js';
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
export * from './store/definition-types.js';
export type {
  NotificationDelay,
  NotificationDelivery,
  NotificationStore,
} from './store/notification-types.js';
export { openStore } from './store/open-store.js';
export type {
  FireRecord,
  FireStatus,
  MisfirePolicy,
  OverlapPolicy,
  ScheduleKind,
  ScheduleRecord,
  ScheduleStatus,
  ScheduleStore,
} from './store/schedule-types.js';
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
export { BUILTIN_TEMPLATES_DIR } from './templates/builtin-library.js';
export { PARAMETER_TYPES } from './templates/parameter-declarations.js';
export { parseTemplate } from './templates/parse-template.js';
export { foundTemplateJson, templateSummaryJson } from './templates/template-json.js';
export type * from './templates/template-types.js';
export { type TemplateEngine, Templates, type TemplatesOptions } from './templates/templates.js';
export { formatDuration, parseDuration } from './util/duration.js';
