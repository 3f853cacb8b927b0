/**
 * The questions the wizard asks, as an interface: the CLI answers them with @inquirer/prompts in
 * a terminal, tests with scripted answers. Each function resolves to the answer or rejects with
 * PromptCancelled when the person gives up (Ctrl-C).
 */

/** `true` when the answer is fine, else the message shown under the question (it is asked again). */
export type Validation = true | string;

export interface Choice<T> {
  value: T;
  name?: string;
  description?: string;
  /** A reason shown greyed out; the choice cannot be picked. */
  disabled?: boolean | string;
}

export interface InputQuestion {
  message: string;
  default?: string;
  /** An empty answer is refused (without `default`). */
  required?: boolean;
  validate?: (value: string) => Validation;
}

export interface SelectQuestion<T> {
  message: string;
  choices: readonly Choice<T>[];
  default?: T;
}

export interface ConfirmQuestion {
  message: string;
  default?: boolean;
}

export interface NumberQuestion {
  message: string;
  default?: number;
  min?: number;
  max?: number;
  /** 1 (default) for integers, 'any' for decimals. */
  step?: number | 'any';
  required?: boolean;
}

export interface CheckboxQuestion<T> {
  message: string;
  choices: readonly (Choice<T> & { checked?: boolean })[];
}

export interface PromptSet {
  input(question: InputQuestion): Promise<string>;
  select<T>(question: SelectQuestion<T>): Promise<T>;
  confirm(question: ConfirmQuestion): Promise<boolean>;
  /** `undefined` when the question is not required and left empty. */
  number(question: NumberQuestion): Promise<number | undefined>;
  checkbox<T>(question: CheckboxQuestion<T>): Promise<T[]>;
}

/** The person stopped the wizard (Ctrl-C): nothing is written. */
export class PromptCancelled extends Error {
  constructor(options?: { cause?: unknown }) {
    super('cancelled', options);
    this.name = 'PromptCancelled';
  }
}

/**
 * The prompt set of a terminal: @inquirer/prompts, loaded when first needed.
 * @example const answer = await (await inquirerPrompts()).input({ message: 'Workflow name' });
 */
export async function inquirerPrompts(): Promise<PromptSet> {
  const inquirer = await import('@inquirer/prompts');
  return {
    input: (question) => cancellable(inquirer.input(question)),
    select: (question) => cancellable(inquirer.select(question)),
    confirm: (question) => cancellable(inquirer.confirm(question)),
    number: (question) => cancellable(inquirer.number(question)),
    checkbox: (question) => cancellable(inquirer.checkbox(question)),
  };
}

// Ctrl-C rejects with ExitPromptError, a closed stream with AbortPromptError.
const CANCELLED_ERRORS = new Set(['ExitPromptError', 'AbortPromptError']);

async function cancellable<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof Error && CANCELLED_ERRORS.has(error.name))
      throw new PromptCancelled({ cause: error });
    throw error;
  }
}
