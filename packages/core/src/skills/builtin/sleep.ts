import { WeftError } from '../../errors.js';
import { parseDuration } from '../../util/duration.js';
import { delay } from '../support/delay.js';
import { defineSkill } from '../types.js';

export interface SleepInput {
  /** `250ms`, `30s`, `1h30m`, `PT30S`. */
  duration: string;
}

export const sleepSkill = defineSkill<SleepInput, null>({
  name: 'sleep',
  description: 'Waits for a duration (in-process; use a `wait` step for a durable timer).',
  input: {
    type: 'object',
    properties: { duration: { type: 'string', description: "A duration such as '250ms', '30s' or '5m'." } },
    required: ['duration'],
    additionalProperties: false,
  },
  run: async ({ duration }, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(duration);
    } catch (error) {
      throw new WeftError('validation_failed', `sleep: /duration: ${(error as Error).message}`, {
        cause: error,
      });
    }
    await delay(ms, ctx.signal);
    return null;
  },
});
