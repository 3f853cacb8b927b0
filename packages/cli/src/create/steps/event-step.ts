import { durationCheck, requiredText } from '../checks.js';
import type { StepQuestions } from './types.js';

/** `type: event`: wait for an external event of a type, optionally matching a condition. */
export const eventStep: StepQuestions = {
  type: 'event',
  description: 'wait for an external event',
  retries: false,
  async ask({ session }) {
    const { prompts, core } = session;
    const event = await prompts.input({
      message: 'Event type (e.g. payment.received)',
      required: true,
      validate: requiredText('the event type'),
    });
    const match = (
      await prompts.input({ message: 'Only events where (a condition on event, empty: any)' })
    ).trim();
    const timeout = (
      await prompts.input({ message: 'Longest wait (empty: no limit)', validate: durationCheck(core, true) })
    ).trim();
    const step: Record<string, unknown> = { event };
    if (match !== '') step.match = match;
    if (timeout === '') return step;
    step.timeout = timeout;
    const onTimeout = await prompts.select({
      message: 'When no event comes in time',
      choices: [
        { value: 'fail', name: 'fail the step (event_timeout)' },
        { value: 'continue', name: 'go on with a null output' },
      ],
    });
    if (onTimeout === 'continue') step.on_timeout = onTimeout;
    return step;
  },
};
