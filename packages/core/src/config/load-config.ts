import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { AgentSetting } from '../agents/config.js';
import type { McpServerSetting } from '../agents/mcp.js';
import { WeftError } from '../errors.js';
import type { EventSourceSettings } from '../events/sources/source-settings.js';
import type { NotificationOptions } from '../notify/notify-types.js';
import type { CircuitBreakerSettings } from '../resilience/breaker-policy.js';
import type { LimitSettings } from '../resilience/concurrency-policy.js';
import type { RedisSettings } from '../resilience/redis/redis-connection.js';
import { envVarFor, readEnvSettings } from './env.js';
import { type ConfigIssue, formatPath, toConfigIssues } from './issues.js';
import { positionOf } from './positions.js';
import { type ConfigFile, configFileSchema, type LogLevel } from './schema.js';

export const CONFIG_FILE_NAMES = ['weft.config.yaml', 'weft.config.yml'] as const;
export const DEFAULT_STORE = 'sqlite:.weft/weft.db';
export const DEFAULT_LEASE_MS = 30_000;

/** Weft's settings after file, environment and defaults are merged (env wins over file). */
export interface WeftConfig {
  /** Absolute path of the config file read; null when there was none. */
  file: string | null;
  /** Store URL: `sqlite:<path>` (relative to cwd) or `postgres://...`. */
  store: string;
  /** Skill module files to load, absolute. */
  skills: string[];
  /** Values for `${ secrets.NAME }`. */
  secrets: Record<string, string>;
  leaseMs: number;
  /** Longest a run may stay paused before it is cancelled (`max_pause`); undefined: no limit. */
  maxPauseMs?: number;
  /** Dead-letter entries older than this are removed (`dlq_retention`); undefined: kept until deleted. */
  dlqRetentionMs?: number;
  logLevel: LogLevel;
  /** `hooks`: hook module files to load at start, absolute (engine/hooks). */
  hooks?: string[];
  /** `hook_timeout`: longest a hook may take. */
  hookTimeoutMs?: number;
  /** `notifications`: global sinks and delivery settings (notify/). */
  notifications?: NotificationOptions;
  /** `circuit_breakers`: breakers per target (http host or agent); undefined: none. */
  circuitBreakers?: CircuitBreakerSettings;
  /** `redis`: breaker states and the cache live there instead of the store. */
  redis?: RedisSettings;
  /** `limits`: running runs, running steps and calls per skill, across processes. */
  limits?: LimitSettings;
  /** `agents:` settings by name (agents/config.ts); keys stay `${ secrets.X }` references here. */
  agents?: Record<string, AgentSetting>;
  /** `mcp_servers:` by name (agents/mcp.ts). */
  mcpServers?: Record<string, McpServerSetting>;
  /** `event_sources`: brokers whose messages become events (docs/events.md); undefined: none. */
  eventSources?: EventSourceSettings[];
  /** `workflows`: a directory of documents `weft serve` registers at start (absolute). */
  workflows?: string;
}

export interface LoadConfigOptions {
  /** Where to look for `weft.config.yaml`; default `process.cwd()`. */
  cwd?: string;
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A config file to read instead of looking in `cwd`; it must exist. */
  file?: string;
}

/** One problem in a config, as reported in the `invalid_config` error's `details.problems`. */
export interface ConfigProblem {
  file: string | null;
  line: number | null;
  column: number | null;
  path: string;
  message: string;
}

/**
 * Reads `weft.config.yaml` (or `.yml`) in `cwd`, overlays `WEFT_*` variables and applies defaults.
 * A bad setting throws `WeftError('invalid_config')` whose message has one line per problem:
 * `weft.config.yaml:3:8: lease: expected a duration ...`.
 * @example const config = await loadConfig({ cwd: process.cwd(), env: process.env });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<WeftConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const found = await readConfigFile(cwd, options.file);
  const fromFile = found ? parseConfigFile(found.path, found.text, cwd) : {};
  const fromEnv = parseEnv(env);
  const fileDir = found ? dirname(found.path) : cwd;
  return {
    file: found?.path ?? null,
    store:
      fromEnv.store ??
      (fromFile.store === undefined ? DEFAULT_STORE : storeFromFile(fromFile.store, fileDir)),
    // Module paths in a file are relative to the file; from WEFT_SKILLS, to cwd.
    skills:
      fromEnv.skills?.map((spec) => resolve(cwd, spec)) ??
      (fromFile.skills ?? []).map((spec) => resolve(fileDir, spec)),
    secrets: { ...fromFile.secrets, ...fromEnv.secrets },
    leaseMs: fromEnv.lease ?? fromFile.lease ?? DEFAULT_LEASE_MS,
    maxPauseMs: fromEnv.max_pause ?? fromFile.max_pause,
    dlqRetentionMs: fromEnv.dlq_retention ?? fromFile.dlq_retention,
    logLevel: fromEnv.log_level ?? fromFile.log_level ?? 'info',
    hooks: fromFile.hooks?.map((spec) => resolve(fileDir, spec)),
    hookTimeoutMs: fromEnv.hook_timeout ?? fromFile.hook_timeout,
    notifications: fromEnv.notifications ?? fromFile.notifications,
    circuitBreakers: fromEnv.circuit_breakers ?? fromFile.circuit_breakers,
    redis: fromEnv.redis ?? fromFile.redis,
    limits: fromEnv.limits ?? fromFile.limits,
    agents: fromFile.agents,
    mcpServers: fromFile.mcp_servers,
    eventSources: fromFile.event_sources,
    workflows: fromFile.workflows === undefined ? undefined : resolve(fileDir, fromFile.workflows),
  };
}

async function readConfigFile(
  cwd: string,
  file: string | undefined,
): Promise<{ path: string; text: string } | undefined> {
  const candidates =
    file === undefined ? CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)) : [resolve(cwd, file)];
  for (const path of candidates) {
    try {
      return { path, text: await readFile(path, 'utf8') };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && file === undefined) continue;
      const why = code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new WeftError('invalid_config', `cannot read config file ${file ?? path}: ${why}`, {
        cause: error,
      });
    }
  }
  return undefined;
}

/** Parses and validates the text of a config file; exported for tests and `weft validate`-like tools. */
export function parseConfigFile(path: string, text: string, cwd: string = process.cwd()): ConfigFile {
  const shown = displayPath(path, cwd);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return {
        file: shown,
        line,
        column: col,
        path: '',
        message: error.message.split('\n')[0] ?? error.message,
      };
    });
    throw invalidConfig(problems);
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    throw invalidConfig([
      { file: shown, line: 1, column: 1, path: '', message: 'expected a mapping of settings' },
    ]);
  }
  const parsed = configFileSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = toConfigIssues(parsed.error.issues, data).map((issue: ConfigIssue) => {
    const { line, column } = positionOf(doc, lineCounter, issue.path, { atKey: issue.atKey });
    return { file: shown, line, column, path: formatPath(issue.path), message: issue.message };
  });
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw invalidConfig(problems);
}

function parseEnv(env: Readonly<Record<string, string | undefined>>): ConfigFile {
  const raw = readEnvSettings(env);
  const parsed = configFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = toConfigIssues(parsed.error.issues, raw).map((issue) => ({
    file: null,
    line: null,
    column: null,
    path: envVarFor(issue.path),
    message: issue.message,
  }));
  throw invalidConfig(problems);
}

function invalidConfig(problems: ConfigProblem[]): WeftError {
  const lines = problems.map((p) =>
    p.file === null
      ? `${p.path}: ${p.message}`
      : `${p.file}:${p.line}:${p.column}: ${p.path}${p.path ? ': ' : ''}${p.message}`,
  );
  return new WeftError('invalid_config', lines.join('\n'), { details: { problems } });
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** A relative `sqlite:` path written in a config file is relative to that file. */
function storeFromFile(url: string, fileDir: string): string {
  const match = /^sqlite:(?!\/\/)(.+)$/.exec(url);
  const path = match?.[1];
  if (path === undefined || path === ':memory:' || isAbsolute(path)) return url;
  return `sqlite:${resolve(fileDir, path)}`;
}
