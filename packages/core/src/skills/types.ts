import type { StandardSchemaV1 } from './standard-schema.js';

export interface SkillLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** What a skill gets besides its input. */
export interface SkillContext {
  /** Fires on timeout and cancel; a skill must stop its work when it does. */
  signal: AbortSignal;
  logger: SkillLogger;
  /** Stable for (run, step key, iteration) across retries and restarts. */
  idempotencyKey: string;
  /** 1-based attempt number. */
  attempt: number;
  runId: string;
  stepKey: string;
  workflow: string;
  /** Directory relative paths resolve against (where `weft run` started). */
  cwd: string;
  /** Reports progress (0..1, or a message) as an event. */
  progress(value: number | string): void;
  /** Tells the engine the skill is alive (long calls). */
  heartbeat(): void;
}

/** A JSON Schema object, or any Standard Schema (zod 4, valibot...). */
export type SkillSchema = Record<string, unknown> | StandardSchemaV1;

export interface SkillDefinition<I = Record<string, unknown>, O = unknown> {
  /** `^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`, e.g. `shell`, `file.read`, `acme.invoice`. */
  name: string;
  description?: string;
  /** Validated before `run`; a mismatch fails the step with `validation_failed`. */
  input?: SkillSchema;
  output?: SkillSchema;
  run(input: I, ctx: SkillContext): Promise<O> | O;
  /**
   * Optional streaming form for a `stream` step's `source`: yields items one at a time, with
   * backpressure. Without it, a stream source iterates the array that `run` returns.
   */
  iterate?(input: I, ctx: SkillContext): AsyncIterable<unknown>;
}

/**
 * Declares a skill. Throw `WeftError` for a specific error code; anything else is `skill_error`.
 * @example
 * export default defineSkill({
 *   name: 'greet',
 *   input: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
 *   run: ({ name }) => ({ greeting: `Hello, ${name}` }),
 * });
 */
export function defineSkill<I = Record<string, unknown>, O = unknown>(
  definition: SkillDefinition<I, O>,
): SkillDefinition<I, O> {
  return definition;
}

// biome-ignore lint/suspicious/noExplicitAny: registries hold skills of every input type
export type AnySkill = SkillDefinition<any, unknown>;
