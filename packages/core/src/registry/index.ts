export { isWorkflowPath, parseRegistryKey, registryKey } from './refs.js';
export {
  type DefinitionRules,
  type PushOptions,
  type PushOutcome,
  Registry,
  type ResolvedVersion,
  type VersionWithRuns,
} from './registry.js';
export { pushJson, versionJson } from './registry-json.js';
export { resolveRegistered } from './resolve.js';
