import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { extendScope, within } from './support/scope.js';
import type { CloudEvent, StepContext, StepType } from './types.js';

/** One transition of a state (SPEC section 6), compiled. */
export interface Transition {
  to: string;
  when: Evaluable<boolean> | undefined;
  /** The `when` as written, for the recorded reason. */
  whenText: string | undefined;
  event: string | undefined;
  match: Evaluable<boolean> | undefined;
}

/** What a state's transition step decides with; the machine sets `taken` for each visit. */
export interface TransitionStep {
  state: string;
  transitions: Transition[];
  /** Transitions the machine has taken before this one (set per visit). */
  taken: number;
  /** `max_transitions` (default 100). */
  max: number;
}

/** A transition taken: the output of a transition step, replayed on resume. */
export interface TransitionRecord {
  from: string;
  to: string;
  /** RFC 3339. */
  at: string;
  /** `when: <expression>`, `event: <type> <id>` or `always`. */
  reason: string;
}

type Choice = { transition: Transition; reason: string; event?: CloudEvent };

/** `${ a > 1 }` -> `a > 1`, for reasons people read. */
function expressionText(value: unknown): string {
  const text = String(value).trim();
  const only = /^\$\{(.*)\}$/s.exec(text);
  return only && !only[1]!.includes('${') ? only[1]!.trim() : text;
}

function tooMany(ctx: StepContext, step: TransitionStep): WeftError {
  return new WeftError(
    'max_transitions_exceeded',
    `step '${ctx.stepKey}': state '${step.state}' would take transition ${step.taken + 1}, over max_transitions (${step.max})`,
    { details: { max_transitions: step.max } },
  );
}

/** The first transition without `event` whose `when` holds (or that has none). */
function byCondition(step: TransitionStep, ctx: StepContext): Choice | undefined {
  for (const transition of step.transitions) {
    if (transition.event !== undefined) continue;
    if (transition.when === undefined) return { transition, reason: 'always' };
    if (ctx.evaluate(transition.when)) return { transition, reason: `when: ${transition.whenText}` };
  }
  return undefined;
}

/** Waits durably for the first event that one of `armed` accepts (type, then `match`). */
async function byEvent(
  step: TransitionStep,
  armed: Transition[],
  ctx: StepContext,
): Promise<{ choice: Choice; token: string | undefined } | undefined> {
  const accepts = (transition: Transition, event: CloudEvent) =>
    transition.event === event.type &&
    (transition.match === undefined ||
      ctx.evaluate(within(transition.match, extendScope(ctx.scope, { event }))));
  const pick = (event: CloudEvent) => armed.find((transition) => accepts(transition, event));
  const types = [...new Set(armed.map((transition) => transition.event!))];
  let token: string | undefined;
  const outcome = await ctx.wait({
    kind: 'event',
    reason: `state '${step.state}' waits for event ${types.map((type) => `'${type}'`).join(' or ')}`,
    eventType: types,
    match: (event) => pick(event) !== undefined,
    onWaiting: (info) => {
      token = info.token;
    },
  });
  if (outcome.kind !== 'event') return undefined;
  const { event } = outcome;
  // A stored outcome is re-judged on resume; the type alone decides if the scope changed since.
  const transition = pick(event) ?? armed.find((t) => t.event === event.type);
  return transition && { choice: { transition, reason: `event: ${event.type} ${event.id}`, event }, token };
}

/**
 * `type: state_transition` — not written in documents: a state machine runs one per state visit
 * (key `<machine>.<state>.<visit>.transition`) to decide where to go, so the decision is recorded
 * and a resumed machine replays it instead of deciding again. Output: a `TransitionRecord`.
 */
export const stateTransitionStep: StepType<TransitionStep> = {
  type: 'state_transition',
  // Takes no parallelism slot while it waits for an event.
  composite: true,
  compile(definition, ctx) {
    const list = (definition.transitions ?? []) as Record<string, unknown>[];
    const transitions = list.map((transition, index) => {
      const field = (name: string) => `transitions[${index}].${name}`;
      return {
        to: String(transition.to),
        when: transition.when === undefined ? undefined : ctx.condition(transition.when, field('when')),
        whenText: transition.when === undefined ? undefined : expressionText(transition.when),
        event: transition.event === undefined ? undefined : String(transition.event),
        match: transition.match === undefined ? undefined : ctx.condition(transition.match, field('match')),
      };
    });
    const max = Number(definition.max_transitions ?? 100);
    return { state: String(definition.state), transitions, taken: 0, max };
  },
  async execute(step, ctx) {
    const machine = step.compiled;
    if (machine.taken >= machine.max) throw tooMany(ctx, machine);
    let choice = byCondition(machine, ctx);
    let token: string | undefined;
    if (!choice) {
      const armed = machine.transitions.filter(
        (t) => t.event !== undefined && (t.when === undefined || ctx.evaluate(t.when)),
      );
      const waited = armed.length > 0 ? await byEvent(machine, armed, ctx) : undefined;
      choice = waited?.choice;
      token = waited?.token;
    }
    if (!choice) {
      throw new WeftError(
        'no_transition',
        `step '${ctx.stepKey}': no transition of state '${machine.state}' can fire (every condition is false and no event transition is armed)`,
        { details: { state: machine.state } },
      );
    }
    const record: TransitionRecord = {
      from: machine.state,
      to: choice.transition.to,
      at: new Date().toISOString(),
      reason: choice.reason,
    };
    const { from, to, reason } = record;
    ctx.emit('state.transition', { from, to, reason, count: machine.taken + 1 });
    const meta: Record<string, unknown> = { count: machine.taken + 1 };
    if (choice.event) {
      const { id, type, source, time } = choice.event;
      Object.assign(meta, { token, event: { id, type, source, time } });
    }
    return { output: record, meta };
  },
};
