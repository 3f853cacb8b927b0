export {
  CONFIG_FILE_NAMES,
  type ConfigProblem,
  DEFAULT_LEASE_MS,
  DEFAULT_STORE,
  type LoadConfigOptions,
  loadConfig,
  parseConfigFile,
  type WeftConfig,
} from './load-config.js';
export { LOG_LEVELS, type LogLevel } from './schema.js';
