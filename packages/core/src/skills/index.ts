export * from './builtin/index.js';
export { invokeSkill } from './invoke.js';
export { type LoadSkillModulesOptions, loadSkillModules } from './load-modules.js';
export { SkillRegistry } from './registry.js';
export type { SchemaIssue } from './schema-issues.js';
export { isSkillLike, SKILL_NAME, skillProblem } from './skill-shape.js';
export type { StandardSchemaV1 } from './standard-schema.js';
export { type LogEntry, rejectionOf, type TestSkillContext, testSkillContext } from './testing.js';
export {
  type AnySkill,
  defineSkill,
  type SkillContext,
  type SkillDefinition,
  type SkillLogger,
  type SkillSchema,
} from './types.js';
export { createInputValidator, createOutputValidator, type SkillValidator } from './validate-input.js';
