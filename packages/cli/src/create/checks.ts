import type { WeftCore } from '../context.js';
import type { Validation } from './prompt-set.js';

// The smallest valid document: the checks below put one field into it and read the problem there.
const PLACEHOLDER_STEP = { id: 'placeholder', type: 'set', values: { placeholder: true } };
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The format's own message for the field at `path` of `document`, if it has a problem. */
export function problemAt(
  core: WeftCore,
  document: Record<string, unknown>,
  path: string,
): string | undefined {
  return core.validateDocument(document).problems.find((p) => p.path === path)?.message;
}

/** A workflow name as the format requires it (`^[a-z0-9][a-z0-9._-]{0,127}$`). */
export function workflowNameCheck(core: WeftCore): (value: string) => Validation {
  return (value) => problemAt(core, { name: value, steps: [PLACEHOLDER_STEP] }, 'name') ?? true;
}

/** A step id as the format requires it, not used yet anywhere in the document. */
export function stepIdCheck(core: WeftCore, taken: ReadonlySet<string>): (value: string) => Validation {
  return (value) => {
    const problem = problemAt(
      core,
      { name: 'x', steps: [{ ...PLACEHOLDER_STEP, id: value }] },
      'steps[0].id',
    );
    if (problem !== undefined) return problem;
    if (taken.has(value)) return `step id '${value}' is already used; ids are unique in the whole document`;
    return true;
  };
}

/** A duration (`30s`, `5m`, `1h30m`, `PT30S`); empty is fine when `optional`. */
export function durationCheck(core: WeftCore, optional = false): (value: string) => Validation {
  return (value) => {
    if (optional && value.trim() === '') return true;
    try {
      core.parseDuration(value.trim());
      return true;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}

/** A name usable in expressions (`${ inputs.order_id }`, `${ vars.count }`), not taken yet. */
export function identifierCheck(what: string, taken: ReadonlySet<string>): (value: string) => Validation {
  return (value) => {
    if (value === '') return true;
    if (!IDENTIFIER.test(value)) {
      return `invalid ${what} '${value}': use letters, digits and '_', not starting with a digit`;
    }
    if (taken.has(value)) return `${what} '${value}' is already given`;
    return true;
  };
}

/** Non-empty text. */
export function requiredText(what: string): (value: string) => Validation {
  return (value) => (value.trim() === '' ? `${what} cannot be empty` : true);
}
