import { hasExpression } from '../expr/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import { ROOT_NAMES } from './check-expressions.js';
import { forEachProblem } from './check-for-each.js';
import type { PositionMap } from './positions.js';
import type { Finding } from './problems.js';
import { isGraphList, type StepNode, type StepTree } from './step-tree.js';
import { entriesOf, isMapping, type Mapping } from './values.js';

export interface StepCheckOptions {
  file: string;
  positions: PositionMap;
  skills?: ReadonlySet<string> | undefined;
  agents?: ReadonlySet<string> | undefined;
}

const CALL_TYPES = new Set(['skill', 'agent', 'workflow']);
/** Words CEL reserves: an alias named so cannot be read, nor a step id after `steps.` (for the last four). */
const CEL_RESERVED = new Set([
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
  'in',
  'true',
  'false',
  'null',
]);
const UNREADABLE_IDS = new Set(['in', 'true', 'false', 'null']);

/** Step ids unique in the whole document, nested steps included (SPEC section 2). */
export function idFindings(tree: StepTree, options: StepCheckOptions): Finding[] {
  const findings: Finding[] = [];
  const first = new Map<string, StepNode>();
  for (const node of tree.all) {
    if (node.id === undefined) continue;
    if (UNREADABLE_IDS.has(node.id)) {
      findings.push({
        path: [...node.path, 'id'],
        message: `'${node.id}' is a CEL keyword: expressions could not read steps.${node.id}`,
      });
    }
    const earlier = first.get(node.id);
    if (!earlier) {
      first.set(node.id, node);
      continue;
    }
    const at = options.positions.valueAt([...earlier.path, 'id']);
    findings.push({
      path: [...node.path, 'id'],
      message: `duplicate step id '${node.id}' (first defined at ${options.file}:${at.line})`,
    });
  }
  return findings;
}

/** Rules of single step types that the schema cannot say, and names of skills and agents. */
export function stepRuleFindings(document: Mapping, tree: StepTree, options: StepCheckOptions): Finding[] {
  const findings: Finding[] = [];
  for (const node of tree.all) {
    const add = (field: string | (string | number)[], message: string) =>
      findings.push({ path: [...node.path, ...(Array.isArray(field) ? field : [field])], message });
    const { raw, type } = node;
    if (type === undefined) continue;
    for (const field of ['retry', 'cache'] as const) {
      if (raw[field] !== undefined && !CALL_TYPES.has(type))
        add(field, `${field} applies only to skill, agent and workflow steps`);
    }
    if (raw.async === true) {
      if (!CALL_TYPES.has(type)) add('async', 'async applies only to skill, agent and workflow steps');
      else if (node.list.role === 'parallel' || isGraphList(node.list.steps.map((s) => s.raw))) {
        add('async', 'async applies only in a sequential list (one where no step names needs)');
      }
    }
    if (typeof raw.as === 'string' && (ROOT_NAMES as readonly string[]).includes(raw.as)) {
      add('as', `'${raw.as}' is already a name in expressions; choose another alias`);
    } else if (typeof raw.as === 'string' && CEL_RESERVED.has(raw.as)) {
      add('as', `'${raw.as}' is a reserved word in CEL expressions; choose another alias`);
    }
    switch (type) {
      case 'skill':
        checkName(raw.skill, options.skills, 'skill', ['skill'], add);
        break;
      case 'agent':
        checkName(raw.agent, options.agents, 'agent', ['agent'], add);
        break;
      case 'stream':
        if (isMapping(raw.source))
          checkName(raw.source.skill, options.skills, 'skill', ['source', 'skill'], add);
        break;
      case 'workflow':
        if (typeof raw.workflow === 'string' && raw.workflow === document.name) {
          add('workflow', `workflow '${raw.workflow}' would run itself`);
        } else if (typeof raw.workflow === 'string' && hasExpression(raw.workflow)) {
          add('workflow', 'expected a path written out: the child workflow is loaded with this document');
        }
        break;
      case 'loop':
        loopRules(raw, add);
        break;
      case 'fork_join':
        forkJoinRules(raw, add);
        break;
      case 'wait': {
        const count = ['duration', 'until'].filter((f) => raw[f] !== undefined).length;
        if (count !== 1)
          add(count === 0 ? [] : 'until', 'a wait step needs either duration or until (exactly one)');
        break;
      }
      case 'validate':
        if (!('data' in raw)) add('data', "missing required field 'data'");
        if (raw.schema === undefined && raw.assertions === undefined)
          add([], 'a validate step needs a schema or assertions');
        break;
    }
  }
  return findings;
}

type Add = (field: string | (string | number)[], message: string) => void;

function checkName(
  value: unknown,
  known: ReadonlySet<string> | undefined,
  kind: string,
  field: string[],
  add: Add,
): void {
  if (!known || typeof value !== 'string' || known.has(value)) return;
  add(field, `unknown ${kind} '${value}'${didYouMean(value, known)}`);
}

function loopRules(raw: Mapping, add: Add): void {
  const modes = ['for_each', 'while', 'until'].filter((f) => raw[f] !== undefined);
  if (modes.length === 0) add([], 'a loop needs one of for_each, while or until');
  else if (modes.length > 1)
    add(modes[1]!, `a loop takes one of for_each, while or until, not ${modes.join(' and ')}`);
  if (raw.as !== undefined && raw.for_each === undefined)
    add('as', 'as names the item of for_each; it needs for_each');
  const notAList = forEachProblem(raw.for_each);
  if (notAList) add('for_each', notAList);
}

function forkJoinRules(raw: Mapping, add: Add): void {
  const branches = entriesOf(raw.branches).length;
  if (isMapping(raw.branches) && branches === 0) add('branches', 'expected at least one branch');
  const n = raw.n_required;
  if (raw.join === 'n_of_m') {
    if (n === undefined) add('join', 'join: n_of_m needs n_required');
    else if (typeof n === 'number' && isMapping(raw.branches) && n > branches) {
      add(
        'n_required',
        `n_required is ${n}, but there ${branches === 1 ? 'is 1 branch' : `are ${branches} branches`}`,
      );
    }
  } else if (n !== undefined) add('n_required', 'n_required applies only with join: n_of_m');
}
