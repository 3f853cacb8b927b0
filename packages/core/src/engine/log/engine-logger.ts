import { type Logger, pino } from 'pino';
import type { LogLevel } from '../../config/schema.js';
import type { EventBus } from '../../events/bus.js';
import type { AnyWeftEvent, EventType, WeftEvent } from '../../events/types.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** The level each run event is logged at; `step.log` lines keep their own. */
const LEVEL_OF: Partial<Record<EventType, Level>> = {
  'run.started': 'info',
  'run.completed': 'info',
  'run.cancelled': 'info',
  'run.paused': 'info',
  'run.resumed': 'info',
  'run.chained': 'info',
  'run.queued': 'info',
  'run.compensating': 'warn',
  'run.failed': 'error',
  'run.chain_failed': 'warn',
  'step.started': 'debug',
  'step.completed': 'debug',
  'step.skipped': 'debug',
  'step.blocked': 'debug',
  'step.waiting': 'debug',
  'step.cache_hit': 'debug',
  'step.cache_miss': 'debug',
  'step.cancelled': 'debug',
  'step.compensated': 'info',
  'step.progress': 'debug',
  'state.transition': 'debug',
  'step.failed': 'warn',
  'step.retrying': 'warn',
  'step.compensation_failed': 'error',
  'hook.failed': 'warn',
};

const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The engine's pino logger: `logger` as given, else one at `logLevel` writing JSON lines to stderr;
 * undefined (no logging, no cost) when neither is set or the level is `silent`.
 * @example engineLogger({ logLevel: 'debug' })?.info('ready')
 */
export function engineLogger(options: { logger?: Logger; logLevel?: LogLevel }): Logger | undefined {
  if (options.logger) return options.logger;
  if (options.logLevel === undefined || options.logLevel === 'silent') return undefined;
  return pino({ name: 'weft', level: options.logLevel }, pino.destination({ dest: 2, sync: true }));
}

/**
 * Logs run events: one line each with `run_id`, `workflow` and `step` (the step key, or null).
 * Listens only to the types the logger's level lets through, so quieter levels cost nothing more.
 * Event payloads are already redacted (engine/redact.ts): no secret reaches a line.
 */
export function attachEventLogging(bus: EventBus, logger: Logger): void {
  const enabled = (level: string) => logger.isLevelEnabled(level);
  const write = (event: AnyWeftEvent) => {
    const level: Level = event.type === 'step.log' ? event.data.level : (LEVEL_OF[event.type] ?? 'debug');
    if (!enabled(level)) return;
    const fields = { run_id: event.runId, workflow: event.workflow, step: event.stepKey, seq: event.seq };
    if (event.type === 'step.log') {
      logger[level](
        { ...fields, event: event.type, ...(event.data.data ? { data: event.data.data } : {}) },
        event.data.message,
      );
      return;
    }
    const { output: _output, input: _input, ...data } = event.data as Record<string, unknown>;
    logger[level]({ ...fields, event: event.type, data }, event.type);
  };
  // Typed per event on the bus; one listener serves them all.
  const listen = (type: EventType) =>
    bus.on(type as 'run.started', write as (event: WeftEvent<'run.started'>) => void);
  const lowest = RANK[logger.level] ?? RANK.info ?? 0;
  for (const [type, level] of Object.entries(LEVEL_OF)) {
    if ((RANK[level] ?? 0) >= lowest) listen(type as EventType);
  }
  listen('step.log');
}
