import { askValues } from '../ask-values.js';
import type { StepQuestions } from './types.js';

/** `type: set`: run variables, read later as `${ vars.<name> }`. */
export const setStep: StepQuestions = {
  type: 'set',
  description: 'write run variables (${ vars.x })',
  retries: false,
  async ask({ session }) {
    return { values: await askValues(session, { what: 'variable', min: 1 }) };
  },
};
