import type { WeftError } from '../errors.js';
import type { PlanStep, StepList } from './plan-types.js';

export type OutcomeStatus = 'completed' | 'skipped' | 'failed' | 'blocked' | 'cancelled';

export interface Outcome {
  status: OutcomeStatus;
  output: unknown;
  error?: WeftError;
}

export interface ListHooks {
  runStep(step: PlanStep): Promise<Outcome>;
  /** Records `step` as blocked because `by` did not complete. */
  block(step: PlanStep, by: string): Outcome;
}

export interface ListOutcome {
  lastOutput: unknown;
  error: WeftError | undefined;
}

const settledBadly = (outcome: Outcome) =>
  outcome.status === 'failed' || outcome.status === 'blocked' || outcome.status === 'cancelled';

function summarise(
  list: StepList,
  outcomes: ReadonlyMap<string, Outcome>,
  error: WeftError | undefined,
): ListOutcome {
  let lastOutput: unknown = null;
  for (const step of list.steps) {
    const outcome = outcomes.get(step.id);
    if (outcome?.status === 'completed') lastOutput = outcome.output;
  }
  return { lastOutput, error };
}

/**
 * A sequential list: each step waits for the one before. `async` steps start and the list goes
 * on; a later step that reads one waits for it, and so does the end of the list.
 */
export async function runSequence(list: StepList, hooks: ListHooks): Promise<ListOutcome> {
  const outcomes = new Map<string, Outcome>();
  const inFlight = new Map<string, Promise<Outcome>>();
  let failed: { id: string; error: WeftError | undefined } | undefined;
  for (const step of list.steps) {
    if (!failed) {
      for (const id of step.reads) {
        const pending = inFlight.get(id);
        if (!pending) continue;
        const outcome = await pending;
        if (settledBadly(outcome)) failed ??= { id, error: outcome.error };
      }
    }
    if (failed) {
      outcomes.set(step.id, hooks.block(step, failed.id));
      continue;
    }
    if (step.async) {
      const pending = hooks.runStep(step);
      inFlight.set(step.id, pending);
      pending.then((outcome) => outcomes.set(step.id, outcome));
      continue;
    }
    const outcome = await hooks.runStep(step);
    outcomes.set(step.id, outcome);
    if (settledBadly(outcome)) failed = { id: step.id, error: outcome.error };
  }
  for (const [id, pending] of inFlight) {
    const outcome = await pending;
    outcomes.set(id, outcome);
    if (settledBadly(outcome)) failed ??= { id, error: outcome.error };
  }
  return summarise(list, outcomes, failed?.error);
}

/**
 * A graph list: a step starts once every step it `needs` has settled; when one of them failed
 * (or was blocked) it is blocked. Independent steps go on; the list fails with the first failure.
 */
export function runGraph(list: StepList, hooks: ListHooks): Promise<ListOutcome> {
  const outcomes = new Map<string, Outcome>();
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, PlanStep[]>();
  for (const step of list.steps) {
    waitingOn.set(step.id, step.needs.length);
    for (const need of step.needs) dependents.set(need, [...(dependents.get(need) ?? []), step]);
  }
  let firstError: WeftError | undefined;
  let unsettled = list.steps.length;
  if (unsettled === 0) return Promise.resolve({ lastOutput: null, error: undefined });

  return new Promise((resolve) => {
    const settle = (step: PlanStep, outcome: Outcome) => {
      outcomes.set(step.id, outcome);
      if (outcome.status === 'failed') firstError ??= outcome.error;
      unsettled--;
      for (const dependent of dependents.get(step.id) ?? []) {
        const left = (waitingOn.get(dependent.id) ?? 0) - 1;
        waitingOn.set(dependent.id, left);
        if (left === 0) start(dependent);
      }
      if (unsettled === 0) resolve(summarise(list, outcomes, firstError));
    };
    const start = (step: PlanStep) => {
      const bad = step.needs.find((id) => {
        const outcome = outcomes.get(id);
        return outcome !== undefined && settledBadly(outcome);
      });
      if (bad !== undefined) {
        settle(step, hooks.block(step, bad));
        return;
      }
      hooks.runStep(step).then((outcome) => settle(step, outcome));
    };
    for (const step of list.steps) if (step.needs.length === 0) start(step);
  });
}
