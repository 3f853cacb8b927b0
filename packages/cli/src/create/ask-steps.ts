import { askErrorHandling } from './ask-error-handling.js';
import { stepIdCheck } from './checks.js';
import type { Step, StepScope, WizardSession } from './session.js';
import { STEP_QUESTIONS, type StepQuestions } from './steps/index.js';

export interface StepListOptions {
  /** Whose list it is, in the questions (`'checks'`); empty for the document's own steps. */
  label: string;
  /** Whether steps may wait for earlier siblings (`needs`): not inside parallel or branches. */
  needs: boolean;
  /** The format's problems with the last step of `steps` (lines); a step with any is offered again. */
  check?: (steps: Step[]) => string[];
}

/** A scope for one document's steps; nested lists share its ids. */
export function stepScope(session: WizardSession): StepScope {
  const scope: StepScope = {
    session,
    ids: new Set(),
    askNested: (label) => askSteps(scope, { label, needs: false }),
  };
  return scope;
}

/** Asks steps one by one until the person has no more (at least one). */
export async function askSteps(scope: StepScope, options: StepListOptions): Promise<Step[]> {
  const steps: Step[] = [];
  const where = options.label === '' ? '' : ` to ${options.label}`;
  do {
    steps.push(await askCheckedStep(scope, steps, options));
  } while (await scope.session.prompts.confirm({ message: `Add another step${where}?`, default: false }));
  return steps;
}

/** One step; when the format finds problems with it, they are shown and it may be asked again. */
async function askCheckedStep(
  scope: StepScope,
  earlier: readonly Step[],
  options: StepListOptions,
): Promise<Step> {
  for (;;) {
    const taken = new Set(scope.ids);
    const step = await askStep(scope, earlier, options);
    const problems = options.check?.([...earlier, step]) ?? [];
    if (problems.length === 0) return step;
    scope.session.say(`Step '${step.id}' has problems:`);
    for (const line of problems) scope.session.say(`  ${line}`);
    const again = await scope.session.prompts.confirm({
      message: `Enter step '${step.id}' again?`,
      default: true,
    });
    if (!again) return step;
    scope.ids.clear();
    for (const id of taken) scope.ids.add(id);
  }
}

async function askStep(scope: StepScope, earlier: readonly Step[], options: StepListOptions): Promise<Step> {
  const { prompts, core } = scope.session;
  const where = options.label === '' ? '' : ` in ${options.label}`;
  const id = await prompts.input({
    message: `Step id${where} (letters, digits, _)`,
    required: true,
    validate: stepIdCheck(core, scope.ids),
  });
  scope.ids.add(id);
  const type = await prompts.select({
    message: `Type of step '${id}'`,
    choices: STEP_QUESTIONS.map((q) => ({
      value: q.type,
      name: q.type,
      description: q.description,
      disabled: q.unavailable?.(scope.session) ?? false,
    })),
  });
  const questions = STEP_QUESTIONS.find((q) => q.type === type) as StepQuestions;
  const fields = await questions.ask(scope, id);
  const needs =
    options.needs && earlier.length > 0
      ? await prompts.checkbox({
          message: `Steps '${id}' waits for (with any, the list is a graph: steps without needs start at once)`,
          choices: earlier.map((s) => ({ value: String(s.id), name: String(s.id) })),
        })
      : [];
  const handling = await askErrorHandling(scope.session, id, questions.retries);
  return { id, type, ...(needs.length > 0 ? { needs } : {}), ...fields, ...handling };
}
