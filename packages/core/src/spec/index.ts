export { WORKFLOW_SCHEMA_ID, workflowJsonSchema } from './json-schema.js';
export {
  type LoadOptions,
  type LoadResult,
  loadWorkflow,
  loadWorkflowFile,
  validateDocument,
} from './load.js';
export { type ParsedSource, parseSource } from './parse.js';
export { PositionMap, type SourcePosition } from './positions.js';
export { formatPath, formatProblem, type Problem } from './problems.js';
export { type CacheDef, ERROR_CODES, type RetryDef } from './schema/common.js';
export {
  type StateDef,
  type StateMachineDocument,
  type StepsWorkflowDocument,
  type TransitionDef,
  type WorkflowDocument,
  workflowSchema,
} from './schema/document.js';
export {
  type AgentStepDef,
  type ApprovalStepDef,
  type ConditionalStepDef,
  type EventStepDef,
  type FailStepDef,
  type ForkJoinStepDef,
  type LoopStepDef,
  type ParallelStepDef,
  type SetStepDef,
  type SkillStepDef,
  STEP_TYPES,
  type StepDef,
  type StepType,
  type StreamStepDef,
  type SwitchStepDef,
  type ValidateStepDef,
  type WaitStepDef,
  type WorkflowStepDef,
} from './schema/steps.js';
export { isGraphList } from './step-tree.js';
