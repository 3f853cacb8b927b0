import type { PlanStep, StepList } from '../engine/plan-types.js';
import type { Scope } from '../expr/index.js';
import { stateTransitionStep, type TransitionRecord, type TransitionStep } from './state-transition.js';
import { extendScope } from './support/scope.js';
import type { CompileContext, StepContext, StepType } from './types.js';

/** The id of the one step a `type: state_machine` document compiles to; its records are `states.<state>...`. */
export const MACHINE_STEP_ID = 'states';

interface State {
  onEnter: StepList | undefined;
  onExit: StepList | undefined;
  /** Absent for a terminal state. */
  decide: PlanStep<TransitionStep> | undefined;
}

interface MachineStep {
  initial: string;
  states: ReadonlyMap<string, State>;
}

/** The step a state machine document runs as: its root list holds this one step. */
export function machineDefinition(document: Record<string, unknown>): Record<string, unknown> {
  const { initial, max_transitions, states } = document;
  return { id: MACHINE_STEP_ID, type: 'state_machine', initial, max_transitions, states };
}

/** The state's transition step, as a plan step of its own (key `<state>.<visit>.transition`). */
function decisionStep(
  name: string,
  definition: Record<string, unknown>,
  maxTransitions: number,
  ctx: CompileContext,
): PlanStep<TransitionStep> {
  const path = `${ctx.path}.${name}.transitions`;
  const compiled = stateTransitionStep.compile(
    { state: name, transitions: definition.transitions, max_transitions: maxTransitions },
    { ...ctx, path },
  );
  return {
    id: 'transition',
    type: stateTransitionStep.type,
    path,
    needs: [],
    when: undefined,
    timeoutMs: undefined,
    retry: undefined,
    onError: 'halt',
    catch: undefined,
    output: undefined,
    async: false,
    reads: new Set(),
    compiled,
  };
}

async function runPart(ctx: StepContext, list: StepList | undefined, keyPrefix: string, scope: Scope) {
  if (!list) return;
  const result = await ctx.runList(list, { keyPrefix, scope });
  if (result.error) throw result.error;
}

/**
 * `type: state_machine` (SPEC section 6) — not written in documents: a `type: state_machine`
 * document compiles to this one step (id `states`). Each visit of a state runs `on_enter`
 * (`states.<state>.<visit>.on_enter.<id>`), then, unless the state is terminal, a transition step
 * (`states.<state>.<visit>.transition`) that records where to go and why, then `on_exit`. `visit`
 * counts from 1 per state. `${ state }` is the current state. Output: `{ state: <final state> }`;
 * the record's meta lists every transition taken.
 */
export const stateMachineStep: StepType<MachineStep> = {
  type: 'state_machine',
  composite: true,
  compile(definition, ctx) {
    const maxTransitions = (definition.max_transitions as number | undefined) ?? 100;
    const states = new Map<string, State>();
    for (const [name, raw] of Object.entries(definition.states as Record<string, Record<string, unknown>>)) {
      const list = (field: string) =>
        Array.isArray(raw[field])
          ? ctx.compileList(raw[field] as Record<string, unknown>[], `${ctx.path}.${name}.${field}`)
          : undefined;
      states.set(name, {
        onEnter: list('on_enter'),
        onExit: list('on_exit'),
        decide: raw.terminal === true ? undefined : decisionStep(name, raw, maxTransitions, ctx),
      });
    }
    return { initial: String(definition.initial), states };
  },
  async execute(step, ctx) {
    const { initial, states } = step.compiled;
    const visits = new Map<string, number>();
    const taken: TransitionRecord[] = [];
    for (let name = initial; ; ) {
      const state = states.get(name)!;
      const visit = (visits.get(name) ?? 0) + 1;
      visits.set(name, visit);
      const prefix = `${ctx.stepKey}.${name}.${visit}.`;
      // The run's own scope too, so the workflow `output` and `on_complete` see `${ state }`.
      (ctx.scope as Scope).state = name;
      const scope = extendScope(ctx.scope, { state: name });
      await runPart(ctx, state.onEnter, `${prefix}on_enter.`, scope);
      if (!state.decide) return { output: { state: name }, meta: { transitions: taken } };
      const decide = { ...state.decide, compiled: { ...state.decide.compiled, taken: taken.length } };
      // A `steps` map of its own: the transition step is not one of the document's steps.
      const own = extendScope(scope, { steps: { ...(scope.steps as Scope) } });
      const decided = await ctx.runList({ steps: [decide], graph: false }, { keyPrefix: prefix, scope: own });
      if (decided.error) throw decided.error;
      const transition = decided.lastOutput as TransitionRecord;
      await runPart(ctx, state.onExit, `${prefix}on_exit.`, scope);
      taken.push(transition);
      name = transition.to;
    }
  },
  replay(_step, output, ctx) {
    (ctx.scope as Scope).state = (output as { state?: unknown } | null)?.state ?? null;
  },
};
