import { WeftError } from '../errors.js';
import { compileValue, type Evaluable, ExpressionSyntaxError } from '../expr/index.js';

/** The names a schedule's input expressions see. */
export const INPUT_NAMES: ReadonlySet<string> = new Set(['schedule', 'now']);

const compiled = new Map<string, Evaluable>();

/**
 * Compiles a schedule's input template once: a syntax error, or a name other than `schedule` and
 * `now`, throws `invalid_input` naming the path inside the input.
 * @example compileScheduleInput({ day: '${ schedule.fired_at }' })
 */
export function compileScheduleInput(input: unknown): Evaluable {
  const key = JSON.stringify(input ?? null);
  const known = compiled.get(key);
  if (known) return known;
  let evaluable: Evaluable;
  try {
    evaluable = compileValue(input ?? {}, ['input']);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    throw new WeftError('invalid_input', `${error.path.join('.')}: ${error.message}`, {
      cause: error,
      details: { field: 'input' },
    });
  }
  const unknown = [...evaluable.refs.roots].filter((name) => !INPUT_NAMES.has(name));
  if (unknown.length > 0) {
    throw new WeftError(
      'invalid_input',
      `input: unknown name${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; schedule input expressions see schedule.fired_at, schedule.name and now`,
      { details: { field: 'input' } },
    );
  }
  compiled.set(key, evaluable);
  return evaluable;
}

/** The run input of one fire: `schedule.fired_at` (the scheduled time) and `now` are timestamps. */
export function scheduleInput(input: unknown, fire: { name: string; firedAt: number; now: number }): unknown {
  return compileScheduleInput(input).evaluate({
    schedule: { name: fire.name, fired_at: new Date(fire.firedAt) },
    now: new Date(fire.now),
  });
}
