import type { Path } from './problems.js';
import { entriesOf, isMapping, type Mapping, stringOf } from './values.js';

/** How a list of steps runs inside its owner; decides what its steps can see. */
export type ListRole =
  | 'steps'
  | 'parallel'
  | 'then'
  | 'else'
  | 'case'
  | 'default'
  | 'body'
  | 'branch'
  | 'catch'
  | 'compensate'
  | 'state';

export interface StepNode {
  id: string | undefined;
  type: string | undefined;
  raw: Mapping;
  path: Path;
  list: StepList;
  index: number;
  /** Nested step lists, in document order. */
  lists: StepList[];
}

export interface StepList {
  role: ListRole;
  path: Path;
  steps: StepNode[];
  owner: StepNode | undefined;
  /** A loop or stream `as` alias, bound in this list. */
  alias: string | undefined;
}

/** Every step of a document, read tolerantly: malformed parts are left to the schema check. */
export interface StepTree {
  stateMachine: boolean;
  lists: StepList[];
  all: StepNode[];
  /** First step with each id. */
  byId: Map<string, StepNode>;
}

/** Fields holding nested step lists, by step type (`catch` and `compensate` are on every type). */
export const LIST_FIELDS: Record<string, readonly string[]> = {
  parallel: ['steps'],
  conditional: ['then', 'else'],
  switch: ['cases', 'default'],
  loop: ['steps'],
  fork_join: ['branches'],
  stream: ['steps'],
};

export function buildStepTree(document: Mapping): StepTree {
  const tree: StepTree = {
    stateMachine: document.type === 'state_machine',
    lists: [],
    all: [],
    byId: new Map(),
  };
  if (tree.stateMachine) {
    for (const [name, state] of entriesOf(document.states)) {
      if (!isMapping(state)) continue;
      for (const field of ['on_enter', 'on_exit']) {
        tree.lists.push(readList(tree, state[field], ['states', name, field], 'state', undefined));
      }
    }
  } else {
    tree.lists.push(readList(tree, document.steps, ['steps'], 'steps', undefined));
  }
  return tree;
}

function readList(
  tree: StepTree,
  value: unknown,
  path: Path,
  role: ListRole,
  owner: StepNode | undefined,
): StepList {
  const alias = owner && role === 'body' ? stringOf(owner.raw.as) : undefined;
  const list: StepList = { role, path, steps: [], owner, alias };
  if (!Array.isArray(value)) return list;
  value.forEach((raw, index) => {
    if (!isMapping(raw)) return;
    const node: StepNode = {
      id: stringOf(raw.id),
      type: stringOf(raw.type),
      raw,
      path: [...path, index],
      list,
      index: list.steps.length,
      lists: [],
    };
    list.steps.push(node);
    tree.all.push(node);
    if (node.id !== undefined && !tree.byId.has(node.id)) tree.byId.set(node.id, node);
    readChildren(tree, node);
  });
  return list;
}

function readChildren(tree: StepTree, node: StepNode): void {
  const { raw, path } = node;
  const add = (value: unknown, suffix: Path, role: ListRole) => {
    if (value !== undefined) node.lists.push(readList(tree, value, [...path, ...suffix], role, node));
  };
  switch (node.type) {
    case 'parallel':
      add(raw.steps, ['steps'], 'parallel');
      break;
    case 'conditional':
      add(raw.then, ['then'], 'then');
      add(raw.else, ['else'], 'else');
      break;
    case 'switch':
      if (Array.isArray(raw.cases)) {
        raw.cases.forEach((c, i) => {
          if (isMapping(c)) add(c.steps, ['cases', i, 'steps'], 'case');
        });
      }
      add(raw.default, ['default'], 'default');
      break;
    case 'loop':
    case 'stream':
      add(raw.steps, ['steps'], 'body');
      break;
    case 'fork_join':
      for (const [name, steps] of entriesOf(raw.branches)) add(steps, ['branches', name], 'branch');
      break;
  }
  add(raw.catch, ['catch'], 'catch');
  add(raw.compensate, ['compensate'], 'compensate');
}

/** A step and everything nested in it. */
export function subtree(node: StepNode): StepNode[] {
  const out: StepNode[] = [node];
  for (const list of node.lists) for (const child of list.steps) out.push(...subtree(child));
  return out;
}

/**
 * A list of steps is a graph when any of them names `needs` (SPEC section 3); else it runs in order.
 * @example isGraphList([{ id: 'a' }, { id: 'b', needs: ['a'] }]) // true
 */
export function isGraphList(steps: readonly unknown[]): boolean {
  return steps.some((step) => isMapping(step) && Array.isArray(step.needs));
}

/** True when `ancestor` encloses `node`. */
export function encloses(ancestor: StepNode, node: StepNode): boolean {
  for (let owner = node.list.owner; owner; owner = owner.list.owner) if (owner === ancestor) return true;
  return false;
}
