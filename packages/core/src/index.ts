/**
 * @weft/core — the Weft engine as a library.
 * @example
 * import { createEngine, defineSkill } from '@weft/core';
 * const engine = await createEngine({ store: 'sqlite:.weft/weft.db' });
 * const run = await engine.start('flow.yaml', { order_id: 'A-1' });
 * const { status, output } = await run.result();
 */
export * from './config/index.js';
export { createEngine } from './engine/create-engine.js';
export type { WeftEngine } from './engine/engine.js';
export type {
  Engine,
  EngineOptions,
  RunDetails,
  RunHandle,
  RunResult,
  StartOptions,
  WorkflowRef,
} from './engine/types.js';
export { type ErrorInfo, NON_RETRIABLE_CODES, WeftError, type WeftErrorCode } from './errors.js';
export type { AnyWeftEvent, EventListener, EventPayloads, EventType, WeftEvent } from './events/types.js';
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
