import { durationCheck, requiredText } from '../checks.js';
import type { StepQuestions } from './types.js';

/** `type: wait`: a durable timer, for a duration or until a time. */
export const waitStep: StepQuestions = {
  type: 'wait',
  description: 'a durable timer (a duration, or until a time)',
  retries: false,
  async ask({ session }, id) {
    const { prompts, core } = session;
    const kind = await prompts.select({
      message: `'${id}' waits`,
      choices: [
        { value: 'duration', name: 'for a duration (10m, 1h30m...)' },
        { value: 'until', name: 'until a time (a timestamp expression)' },
      ],
    });
    if (kind === 'duration') {
      return {
        duration: await prompts.input({ message: 'Duration', required: true, validate: durationCheck(core) }),
      };
    }
    const until = await prompts.input({
      message: "Until (e.g. ${ timestamp('2030-01-01T09:00:00Z') } or ${ inputs.at })",
      required: true,
      validate: requiredText('the time'),
    });
    return { until };
  },
};
