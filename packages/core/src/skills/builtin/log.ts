import { defineSkill } from '../types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogInput {
  /** Text to log; other values are JSON-encoded. */
  message: unknown;
  level?: LogLevel;
}

export const logSkill = defineSkill<LogInput, null>({
  name: 'log',
  description: "Writes a message to the run's log at the given level (default info).",
  input: {
    type: 'object',
    properties: {
      message: { description: 'Text to log; other values are JSON-encoded.' },
      level: { enum: ['debug', 'info', 'warn', 'error'], default: 'info' },
    },
    required: ['message'],
    additionalProperties: false,
  },
  run: ({ message, level }, ctx) => {
    ctx.logger[level ?? 'info'](typeof message === 'string' ? message : JSON.stringify(message));
    return null;
  },
});
