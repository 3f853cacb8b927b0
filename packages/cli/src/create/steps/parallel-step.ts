import type { StepQuestions } from './types.js';

/** `type: parallel`: child steps that run at once. */
export const parallelStep: StepQuestions = {
  type: 'parallel',
  description: 'run child steps at once',
  retries: false,
  async ask(scope, id) {
    const waitFor = await scope.session.prompts.select({
      message: `'${id}' ends when`,
      choices: [
        { value: 'all', name: 'all children have ended' },
        { value: 'any', name: 'the first child succeeds (the rest are cancelled)' },
        { value: 'none', name: 'at once (the run still waits for them)' },
      ],
    });
    const steps = await scope.askNested(`'${id}'`);
    return waitFor === 'all' ? { steps } : { wait_for: waitFor, steps };
  },
};
