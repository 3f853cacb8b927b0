import { requiredText } from '../checks.js';
import type { StepQuestions } from './types.js';

/** `type: conditional`: if/else over two step lists. */
export const conditionalStep: StepQuestions = {
  type: 'conditional',
  description: 'if/else: steps for when a condition holds, and optionally for when not',
  retries: false,
  async ask(scope, id) {
    const { prompts } = scope.session;
    const condition = await prompts.input({
      message: 'Condition (e.g. ${ inputs.total > 100 })',
      required: true,
      validate: requiredText('the condition'),
    });
    const then = await scope.askNested(`'${id}' then`);
    if (
      !(await prompts.confirm({
        message: `Steps for when the condition of '${id}' is false?`,
        default: false,
      }))
    ) {
      return { condition, then };
    }
    return { condition, then, else: await scope.askNested(`'${id}' else`) };
  },
};
