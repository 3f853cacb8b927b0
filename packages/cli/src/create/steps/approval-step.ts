import { durationCheck, requiredText } from '../checks.js';
import type { StepQuestions } from './types.js';

/** `type: approval`: wait for a person to approve or reject. */
export const approvalStep: StepQuestions = {
  type: 'approval',
  description: 'wait for a person to approve',
  retries: false,
  async ask({ session }) {
    const { prompts, core } = session;
    const prompt = await prompts.input({
      message: 'Question for the approver',
      required: true,
      validate: requiredText('the question'),
    });
    const timeout = (
      await prompts.input({
        message: 'Time to answer (empty: no limit)',
        validate: durationCheck(core, true),
      })
    ).trim();
    if (timeout === '') return { prompt };
    const onTimeout = await prompts.select({
      message: 'When nobody answers in time',
      choices: [
        { value: 'reject', name: 'reject' },
        { value: 'approve', name: 'approve' },
        { value: 'fail', name: 'fail the step' },
      ],
    });
    return { prompt, timeout, ...(onTimeout === 'reject' ? {} : { on_timeout: onTimeout }) };
  },
};
