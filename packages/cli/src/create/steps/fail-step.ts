import { requiredText } from '../checks.js';
import type { StepQuestions } from './types.js';

const CODE = /^[a-z][a-z0-9_]*$/;

/** `type: fail`: end the step with an error code and message. */
export const failStep: StepQuestions = {
  type: 'fail',
  description: 'fail with an error code and message',
  retries: false,
  async ask({ session }) {
    const code = await session.prompts.input({
      message: 'Error code (snake_case, e.g. bad_input)',
      required: true,
      validate: (value) =>
        CODE.test(value) ? true : `expected a snake_case code such as bad_input, got '${value}'`,
    });
    const message = await session.prompts.input({
      message: 'Error message (${ } expressions allowed)',
      required: true,
      validate: requiredText('the message'),
    });
    return { code, message };
  },
};
