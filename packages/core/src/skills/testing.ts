import { WeftError } from '../errors.js';
import type { SkillContext, SkillLogger } from './types.js';

export interface LogEntry {
  level: keyof SkillLogger;
  message: string;
  data?: Record<string, unknown>;
}

/** A SkillContext that records what the skill reported. */
export interface TestSkillContext extends SkillContext {
  /** What the skill logged (when `logger` was not overridden). */
  readonly logs: LogEntry[];
  readonly progressReports: Array<number | string>;
  readonly heartbeats: number;
}

/**
 * A SkillContext for tests: a signal that never fires, `cwd` = `process.cwd()`, a recording logger.
 * @example
 * const controller = new AbortController();
 * const ctx = testSkillContext({ signal: controller.signal, cwd: dir });
 * await shellSkill.run({ command: 'ls' }, ctx);
 */
export function testSkillContext(overrides: Partial<SkillContext> = {}): TestSkillContext {
  const logs: LogEntry[] = [];
  const progressReports: Array<number | string> = [];
  let heartbeats = 0;
  const record =
    (level: keyof SkillLogger) =>
    (message: string, data?: Record<string, unknown>): void => {
      logs.push(data === undefined ? { level, message } : { level, message, data });
    };
  return {
    signal: new AbortController().signal,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    idempotencyKey: 'run_test:step:1',
    attempt: 1,
    runId: 'run_test',
    stepKey: 'step',
    workflow: 'test',
    cwd: process.cwd(),
    progress: (value) => {
      progressReports.push(value);
    },
    heartbeat: () => {
      heartbeats++;
    },
    ...overrides,
    logs,
    progressReports,
    get heartbeats() {
      return heartbeats;
    },
  };
}

/**
 * The WeftError a promise rejects with; throws when it resolves or rejects with anything else.
 * @example expect((await rejectionOf(invokeSkill(skill, {}, ctx))).code).toBe('validation_failed');
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<WeftError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WeftError) return error;
    throw new Error(`expected a WeftError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a WeftError, but the promise resolved');
}
