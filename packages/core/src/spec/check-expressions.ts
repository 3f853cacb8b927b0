import {
  compileCondition,
  compileValue,
  type Evaluable,
  ExpressionSyntaxError,
  hasExpression,
} from '../expr/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { Finding, Path } from './problems.js';
import { LIST_FIELDS, type StepNode, type StepTree } from './step-tree.js';
import { entriesOf, isMapping, type Mapping } from './values.js';
import { Visibility } from './visibility.js';

/** Root names of SPEC section 5. */
export const ROOT_NAMES = [
  'inputs',
  'context',
  'vars',
  'steps',
  'loop',
  'batch',
  'error',
  'result',
  'event',
  'data',
  'run',
  'state',
  'secrets',
  'now',
] as const;

// CEL type names are identifiers too (`type(x) == int`).
const CEL_NAMES = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);
const PEOPLE_TEXT = new Set(['id', 'type', 'name', 'description', 'needs']);

interface Scope {
  visible: ReadonlySet<string>;
  aliases: ReadonlySet<string>;
  /** `result`, in a step's own `output`. */
  result: boolean;
  /** `output`, in `on_complete`. */
  output: boolean;
  from: StepNode | undefined;
}

/** Paths (relative to a field) holding conditions, which also take bare expressions. */
type ConditionAt = (relative: Path) => boolean;
const whole: ConditionAt = (relative) => relative.length === 0;
const none: ConditionAt = () => false;
const nested =
  (...shape: (string | '*')[]): ConditionAt =>
  (relative) =>
    relative.length === shape.length && shape.every((s, i) => s === '*' || s === relative[i]);

/**
 * Compiles every expression of a document (SPEC section 5) and checks the names it reads: roots in
 * scope, and steps that exist and can have run before it is evaluated.
 */
export function expressionFindings(document: Mapping, tree: StepTree): Finding[] {
  const visibility = new Visibility(tree);
  const allIds = new Set(tree.byId.keys());
  const findings: Finding[] = [];
  const check = (value: unknown, path: Path, scope: Scope, conditionAt: ConditionAt) =>
    checkValue({ value, path, relative: [], scope, conditionAt, allIds, visibility, findings });

  const nothing: Scope = {
    visible: new Set(),
    aliases: new Set(),
    result: false,
    output: false,
    from: undefined,
  };
  const everything: Scope = { ...nothing, visible: visibility.all() };
  for (const field of ['context', 'concurrency', 'defaults', 'limits'])
    check(document[field], [field], nothing, none);
  check(document.output, ['output'], everything, none);
  check(document.notify, ['notify'], everything, none);
  check(document.on_complete, ['on_complete'], { ...everything, output: true }, nested('*', 'when'));
  for (const [name, state] of entriesOf(document.states)) {
    if (isMapping(state)) {
      const transitionCondition = (r: Path) => nested('*', 'when')(r) || nested('*', 'match')(r);
      check(state.transitions, ['states', name, 'transitions'], everything, transitionCondition);
    }
  }

  for (const node of tree.all) {
    const base: Scope = {
      visible: visibility.before(node),
      aliases: visibility.aliases(node),
      result: false,
      output: false,
      from: node,
    };
    const skip = new Set([...PEOPLE_TEXT, 'catch', 'compensate', ...(LIST_FIELDS[node.type ?? ''] ?? [])]);
    for (const [field, value] of Object.entries(node.raw)) {
      const path = [...node.path, field];
      if (field === 'cases' && node.type === 'switch') {
        if (Array.isArray(value)) {
          value.forEach((c, i) => {
            if (isMapping(c)) check(c.when, [...path, i, 'when'], base, whole);
          });
        }
        continue;
      }
      if (skip.has(field)) continue;
      if (field === 'output')
        check(value, path, { ...base, visible: visibility.forOutput(node), result: true }, none);
      else if (node.type === 'loop' && (field === 'while' || field === 'until')) {
        check(value, path, { ...base, visible: visibility.forLoopCondition(node) }, whole);
      } else check(value, path, base, conditionField(node.type, field));
    }
  }
  return findings;
}

function conditionField(type: string | undefined, field: string): ConditionAt {
  if (field === 'when') return whole;
  if (field === 'cache') return nested('when');
  if (type === 'conditional' && field === 'condition') return whole;
  if (type === 'event' && field === 'match') return whole;
  if (type === 'stream' && field === 'source') return nested('match');
  if (type === 'validate' && field === 'assertions') return nested('*', 'that');
  return none;
}

interface Walk {
  value: unknown;
  path: Path;
  relative: Path;
  scope: Scope;
  conditionAt: ConditionAt;
  allIds: ReadonlySet<string>;
  visibility: Visibility;
  findings: Finding[];
}

function checkValue(walk: Walk): void {
  const { value, path, relative } = walk;
  if (walk.conditionAt(relative) && (typeof value === 'string' || typeof value === 'boolean')) {
    if (typeof value === 'string') compile(walk, () => compileCondition(value));
    return;
  }
  if (typeof value === 'string') {
    if (hasExpression(value)) compile(walk, () => compileValue(value));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkValue({ ...walk, value: item, path: [...path, i], relative: [...relative, i] });
    });
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkValue({ ...walk, value: item, path: [...path, key], relative: [...relative, key] });
    }
  }
}

function compile(walk: Walk, build: () => Evaluable): void {
  const { path, scope, findings } = walk;
  let compiled: Evaluable;
  try {
    compiled = build();
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) findings.push({ path, message: error.message });
    else throw error;
    return;
  }
  for (const root of compiled.refs.roots) {
    if (root === 'result' && !scope.result) {
      findings.push({ path, message: `'result' is only available in a step's output` });
    } else if (!isKnownRoot(root, scope)) {
      findings.push({
        path,
        message: `unknown name '${root}'${didYouMean(root, [...ROOT_NAMES, ...scope.aliases])}`,
      });
    }
  }
  for (const id of compiled.refs.steps) {
    if (!walk.allIds.has(id))
      findings.push({ path, message: `unknown step '${id}'${didYouMean(id, walk.allIds)}` });
    else if (!scope.visible.has(id))
      findings.push({ path, message: walk.visibility.explain(id, scope.from) });
  }
}

function isKnownRoot(root: string, scope: Scope): boolean {
  return (
    (ROOT_NAMES as readonly string[]).includes(root) ||
    CEL_NAMES.has(root) ||
    scope.aliases.has(root) ||
    (scope.output && root === 'output')
  );
}
