import { encloses, isGraphList, type StepList, type StepNode, type StepTree, subtree } from './step-tree.js';

/**
 * Which step ids an expression may read: the steps that have surely had their chance to run before
 * it is evaluated (SPEC sections 3 and 5).
 */
export class Visibility {
  private readonly memo = new Map<StepNode, ReadonlySet<string>>();
  private readonly everything: ReadonlySet<string>;

  constructor(private readonly tree: StepTree) {
    this.everything = new Set(tree.byId.keys());
  }

  /** Every id: for workflow `output`, `on_complete`, `notify`, and anywhere in a state machine. */
  all(): ReadonlySet<string> {
    return this.everything;
  }

  /** Ids visible to the fields of `node` that are evaluated before it runs. */
  before(node: StepNode): ReadonlySet<string> {
    if (this.tree.stateMachine) return this.everything;
    let seen = this.memo.get(node);
    if (seen) return seen;
    const visible = new Set(this.enclosing(node.list));
    const list = node.list;
    if (list.role !== 'parallel') {
      for (const earlier of this.preceding(node)) addSubtree(visible, earlier);
    }
    if (list.role === 'body' && list.owner?.type === 'loop')
      for (const step of list.steps) addSubtree(visible, step);
    seen = visible;
    this.memo.set(node, seen);
    return seen;
  }

  /** The step's own `output` also sees the step itself and what is nested in it. */
  forOutput(node: StepNode): ReadonlySet<string> {
    const visible = new Set(this.before(node));
    addSubtree(visible, node);
    return visible;
  }

  /** A loop's `while` and `until` also see its body. */
  forLoopCondition(node: StepNode): ReadonlySet<string> {
    const visible = new Set(this.before(node));
    for (const list of node.lists)
      if (list.role === 'body') for (const step of list.steps) addSubtree(visible, step);
    return visible;
  }

  /** Loop and stream aliases bound around `node`. */
  aliases(node: StepNode): ReadonlySet<string> {
    const out = new Set<string>();
    for (let list: StepList | undefined = node.list; list; list = list.owner?.list)
      if (list.alias) out.add(list.alias);
    return out;
  }

  /** Says why `target` cannot be read from `from`. */
  explain(target: string, from: StepNode | undefined): string {
    const node = this.tree.byId.get(target);
    const generic = `step '${target}' cannot have run before this expression is evaluated`;
    if (!node || !from) return generic;
    if (node === from)
      return `step '${target}' cannot refer to itself here (only in its output, catch and compensate)`;
    if (encloses(node, from)) return `step '${target}' encloses this step and has not finished when it runs`;
    const undone = compensationOwner(from);
    if (undone) {
      return `step '${target}' is outside the scope of this compensation of '${undone.id}': it sees '${undone.id}', what is nested in it, and the steps that can have run before it`;
    }
    if (node.list !== from.list) return generic;
    if (from.list.role === 'parallel')
      return `step '${target}' runs at the same time as '${from.id}' (both are in a parallel step)`;
    if (isGraphList(from.list.steps.map((s) => s.raw))) {
      return `step '${target}' is not among the needs of '${from.id}': add it to needs to use it`;
    }
    return `step '${target}' runs after '${from.id}', so it has not run yet`;
  }

  private enclosing(list: StepList): ReadonlySet<string> {
    const owner = list.owner;
    if (!owner) return new Set();
    const visible = new Set(this.before(owner));
    if (list.role === 'catch' || list.role === 'compensate') {
      if (owner.id) visible.add(owner.id);
      for (const other of owner.lists)
        if (other !== list) for (const step of other.steps) addSubtree(visible, step);
    }
    return visible;
  }

  private preceding(node: StepNode): StepNode[] {
    const siblings = node.list.steps;
    if (!isGraphList(siblings.map((s) => s.raw))) return siblings.slice(0, node.index);
    const byId = new Map(siblings.filter((s) => s.id !== undefined).map((s) => [s.id!, s]));
    const found = new Set<StepNode>();
    const queue = [node];
    while (queue.length > 0) {
      const current = queue.pop()!;
      const needs = Array.isArray(current.raw.needs) ? current.raw.needs : [];
      for (const need of needs) {
        const dependency = typeof need === 'string' ? byId.get(need) : undefined;
        if (dependency && dependency !== node && !found.has(dependency)) {
          found.add(dependency);
          queue.push(dependency);
        }
      }
    }
    return [...found];
  }
}

function addSubtree(into: Set<string>, node: StepNode): void {
  for (const step of subtree(node)) if (step.id !== undefined) into.add(step.id);
}

/** The step a compensation undoes, when `node` stands in (or under) a `compensate` list. */
function compensationOwner(node: StepNode): StepNode | undefined {
  for (let list: StepList | undefined = node.list; list; list = list.owner?.list) {
    if (list.role === 'compensate') return list.owner;
  }
  return undefined;
}
