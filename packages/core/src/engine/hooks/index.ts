export { DEFAULT_HOOK_TIMEOUT_MS, type HookFailure, HookRegistry } from './hook-registry.js';
export type { HookContexts, HookFn, HookPoint, HookResults, HookSet } from './hook-types.js';
export { HOOK_POINTS } from './hook-types.js';
export { loadHookModules } from './load-hook-modules.js';
