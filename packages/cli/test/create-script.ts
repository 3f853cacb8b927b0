import { PromptCancelled, type PromptSet, type Validation } from '../src/create/prompt-set.js';

/** Presses Ctrl-C at this question. */
export const CTRL_C = Symbol('Ctrl-C');

/** An answer: the value typed or picked (a select takes a choice's value or name); undefined is Enter. */
export type Answer = string | number | boolean | readonly string[] | undefined | typeof CTRL_C;

/** The question's message must contain `expect`; `answer` is what the person gives. */
export type Line = readonly [expect: string, answer: Answer];

export interface ScriptedPrompts extends PromptSet {
  /** Every message asked, in order (a question asked again appears again). */
  readonly asked: string[];
  /** Messages the checks gave for refused answers, in order. */
  readonly refused: string[];
  /** Answers not used yet. */
  remaining(): readonly Line[];
}

/**
 * Answers the wizard's questions from a script, applying each question's own checks as a terminal
 * would: a refused answer is recorded and the same question takes the next line.
 */
export function scriptedPrompts(script: readonly Line[]): ScriptedPrompts {
  const lines = [...script];
  const asked: string[] = [];
  const refused: string[] = [];

  const next = (message: string): Answer => {
    asked.push(message);
    const line = lines.shift();
    if (line === undefined) throw new Error(`the script has no answer for "${message}"`);
    const [expect, answer] = line;
    if (!message.includes(expect)) throw new Error(`expected a question with "${expect}", got "${message}"`);
    if (answer === CTRL_C) throw new PromptCancelled();
    return answer;
  };
  const refuse = (result: Validation | undefined): boolean => {
    if (result === undefined || result === true) return false;
    refused.push(result);
    return true;
  };

  const prompts: ScriptedPrompts = {
    asked,
    refused,
    remaining: () => lines,
    async input(question) {
      const answer = next(question.message);
      const value = answer === undefined ? (question.default ?? '') : String(answer);
      const invalid =
        question.required && value === ''
          ? refuse('You must provide a value')
          : refuse(question.validate?.(value));
      return invalid ? prompts.input(question) : value;
    },
    async select(question) {
      const answer = next(question.message);
      const choice =
        answer === undefined
          ? (question.choices.find((c) => c.value === question.default) ??
            question.choices.find((c) => !c.disabled))
          : question.choices.find((c) => c.value === answer || c.name === answer);
      if (!choice) throw new Error(`"${String(answer)}" is not a choice of "${question.message}"`);
      if (choice.disabled) throw new Error(`"${String(answer)}" is disabled in "${question.message}"`);
      return choice.value;
    },
    async confirm(question) {
      const answer = next(question.message);
      return answer === undefined ? (question.default ?? true) : answer === true || answer === 'y';
    },
    async number(question) {
      const answer = next(question.message);
      const value = answer === undefined ? question.default : Number(answer);
      let problem: Validation = true;
      if (value === undefined && question.required) problem = 'You must provide a valid numeric value';
      else if (value !== undefined && question.min !== undefined && value < question.min) {
        problem = `Value must be between ${question.min} and ${question.max}`;
      }
      return refuse(problem) ? prompts.number(question) : value;
    },
    async checkbox(question) {
      const answer = next(question.message);
      const picked = answer === undefined ? [] : (answer as readonly string[]);
      return picked.map((name) => {
        const choice = question.choices.find((c) => c.value === name || c.name === name);
        if (!choice) throw new Error(`"${name}" is not a choice of "${question.message}"`);
        return choice.value;
      });
    },
  };
  return prompts;
}
