import type { z } from 'zod';
import { didYouMean } from '../util/did-you-mean.js';
import { describeValue, type Finding, type Path } from './problems.js';
import { type WorkflowDocument, workflowSchema } from './schema/document.js';
import { STEP_TYPES, stepSchema } from './schema/steps.js';
import { isMapping, valueAt } from './values.js';

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

/** Marks a union error whose best branch should be reported instead. */
const PICK_BRANCH = '\u0000pick-branch';

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

const STATE_MACHINE_FIELDS = new Set(['initial', 'states', 'max_transitions']);

/** Which step types have each field, for "unknown field 'steps' for a skill step" messages. */
const FIELD_OWNERS: Map<string, string[]> = (() => {
  const owners = new Map<string, string[]>();
  for (const option of stepSchema.options) {
    const type = String(option.shape.type.value);
    for (const key of Object.keys(option.shape)) owners.set(key, [...(owners.get(key) ?? []), type]);
  }
  return owners;
})();

/**
 * Checks a document against the zod model and says what is wrong in words people use.
 * @example schemaFindings({ name: 'x', steps: [{ id: 'a', type: 'lopo' }] })
 */
export function schemaFindings(document: unknown): { findings: Finding[]; data?: WorkflowDocument } {
  const knownKeys = new WeakMap<object, string[]>();
  const result = workflowSchema.safeParse(document, { error: (issue) => messageFor(issue, knownKeys) });
  if (result.success) return { findings: [], data: result.data };
  return { findings: result.error.issues.flatMap((issue) => findingsFor(issue, [], document, knownKeys)) };
}

function messageFor(issue: RawIssue, knownKeys: WeakMap<object, string[]>): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) {
        const field = issue.path?.at(-1);
        return field === undefined ? 'missing value' : `missing required field '${String(field)}'`;
      }
      return `expected ${NOUNS[issue.expected] ?? issue.expected}, got ${describeValue(input)}`;
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      if (values.length === 1) return `expected '${values[0]}', got ${describeValue(input)}`;
      const hint = typeof input === 'string' ? didYouMean(input, values) : '';
      return `expected one of ${values.join(', ')}, got ${describeValue(input)}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'array')
        return bound === 1 ? 'expected a non-empty list' : `expected at least ${bound} items`;
      if (issue.origin === 'string') return 'expected a non-empty string';
      const owner = (issue as { schema?: { format?: unknown } }).schema;
      const noun = owner?.format === 'safeint' ? 'an integer' : 'a number';
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `expected ${noun} ${op} ${bound}, got ${describeValue(input)}`;
    }
    case 'invalid_format':
      return `expected text matching ${issue.pattern ?? issue.format}, got ${describeValue(input)}`;
    case 'invalid_union':
      return PICK_BRANCH;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { shape?: object } | undefined)?.shape;
      if (isMapping(input) && shape) knownKeys.set(input, Object.keys(shape));
      return `unknown fields ${issue.keys.join(', ')}`;
    }
    default:
      return undefined;
  }
}

function findingsFor(
  issue: Issue,
  prefix: Path,
  document: unknown,
  knownKeys: WeakMap<object, string[]>,
): Finding[] {
  const path = [...prefix, ...(issue.path as (string | number)[])];
  if (issue.code === 'unrecognized_keys') {
    const owner = valueAt(document, path);
    const known = isMapping(owner) ? (knownKeys.get(owner) ?? []) : [];
    return issue.keys.map((key) => ({
      path: [...path, key],
      anchor: 'key' as const,
      message: `unknown field '${key}'${unknownFieldHint(key, known, path, owner)}`,
    }));
  }
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) {
    return [{ path, message: discriminatorMessage(path, document) }];
  }
  const last = path.at(-1);
  if ((issue.code === 'invalid_union' || issue.code === 'invalid_type') && typeof last === 'string') {
    // Inside unions the raw path is relative, so "missing" is named here, with the whole path.
    if (valueAt(document, path.slice(0, -1)) !== undefined && valueAt(document, path) === undefined) {
      return [{ path, message: `missing required field '${last}'` }];
    }
  }
  if (issue.code === 'invalid_union') {
    if (issue.message === PICK_BRANCH) {
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      if (best && best.length > 0)
        return best.flatMap((inner) => findingsFor(inner, path, document, knownKeys));
      return [{ path, message: `unexpected ${describeValue(valueAt(document, path))}` }];
    }
  }
  return [{ path, message: issue.message }];
}

function unknownFieldHint(key: string, known: readonly string[], path: Path, owner: unknown): string {
  const similar = didYouMean(key, known);
  if (similar) return similar;
  if (path.length === 0 && isMapping(owner)) {
    if (owner.type !== 'state_machine' && STATE_MACHINE_FIELDS.has(key))
      return ` (state machines need 'type: state_machine')`;
    if (owner.type === 'state_machine' && key === 'steps')
      return ': a state machine runs the steps of its states (on_enter, on_exit)';
  }
  const owners = FIELD_OWNERS.get(key);
  const type = isMapping(owner) ? owner.type : undefined;
  if (path.length > 0 && owners && (STEP_TYPES as readonly unknown[]).includes(type)) {
    const list =
      owners.length > 1 ? `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}` : owners.join('');
    return ` for a ${String(type)} step (it belongs to ${list} steps)`;
  }
  return '';
}

function discriminatorMessage(path: Path, document: unknown): string {
  const owner = valueAt(document, path.slice(0, -1));
  const type = isMapping(owner) ? owner.type : undefined;
  if (path.length === 1) {
    const hint = typeof type === 'string' ? didYouMean(type, ['steps', 'state_machine']) : '';
    return `expected type 'steps' or 'state_machine', got ${describeValue(type)}${hint}`;
  }
  const expected = `expected one of ${STEP_TYPES.join(', ')}`;
  if (type === undefined) return `missing step type; ${expected}`;
  if (typeof type !== 'string') return `expected a step type, got ${describeValue(type)}; ${expected}`;
  return `unknown step type '${type}'${didYouMean(type, STEP_TYPES)}; ${expected}`;
}
