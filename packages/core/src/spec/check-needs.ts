import { didYouMean } from '../util/did-you-mean.js';
import type { Finding } from './problems.js';
import type { StepList, StepNode, StepTree } from './step-tree.js';

/**
 * Checks `needs` (SPEC section 3): known ids, siblings only, not itself, no cycles; and none inside
 * a parallel step, whose children all start at once.
 */
export function needsFindings(tree: StepTree): Finding[] {
  const findings: Finding[] = [];
  const lists = new Set<StepList>(tree.lists);
  for (const node of tree.all) for (const list of node.lists) lists.add(list);
  for (const list of lists) {
    if (list.role === 'parallel') {
      for (const step of list.steps) {
        if (step.raw.needs !== undefined) {
          findings.push({
            path: [...step.path, 'needs'],
            message: 'needs cannot be used inside a parallel step: its children all start at once',
          });
        }
      }
    } else findings.push(...listFindings(list, tree));
  }
  return findings;
}

function listFindings(list: StepList, tree: StepTree): Finding[] {
  const findings: Finding[] = [];
  const siblings = new Map<string, StepNode>();
  for (const step of list.steps)
    if (step.id !== undefined && !siblings.has(step.id)) siblings.set(step.id, step);
  const edges = new Map<StepNode, { to: StepNode; index: number }[]>();
  for (const step of list.steps) {
    const needs = step.raw.needs;
    if (!Array.isArray(needs)) continue;
    const out: { to: StepNode; index: number }[] = [];
    needs.forEach((need, index) => {
      if (typeof need !== 'string') return;
      const path = [...step.path, 'needs', index];
      const sibling = siblings.get(need);
      if (need === step.id) findings.push({ path, message: `step '${need}' cannot need itself` });
      else if (sibling) out.push({ to: sibling, index });
      else if (tree.byId.has(need)) {
        findings.push({
          path,
          message: `'${need}' is not a sibling of '${step.id}': needs names steps of the same list`,
        });
      } else {
        const hint = didYouMean(need, siblings.keys()) || didYouMean(need, tree.byId.keys());
        findings.push({ path, message: `unknown step '${need}'${hint}` });
      }
    });
    edges.set(step, out);
  }
  for (const cycle of findCycles(list.steps, edges)) {
    const [first, second] = cycle;
    const index = edges.get(first!)?.find((edge) => edge.to === second)?.index ?? 0;
    findings.push({
      path: [...first!.path, 'needs', index],
      message: `cycle: ${[...cycle, first!].map((step) => step.id).join(' -> ')}`,
    });
  }
  return findings;
}

/** One cycle per strongly connected group, starting at its first step in document order. */
function findCycles(steps: readonly StepNode[], edges: Map<StepNode, { to: StepNode }[]>): StepNode[][] {
  const cycles: StepNode[][] = [];
  const covered = new Set<StepNode>();
  for (const start of steps) {
    if (covered.has(start)) continue;
    const path = shortestPathBack(start, edges);
    if (!path) continue;
    for (const step of path) covered.add(step);
    cycles.push(path);
  }
  return cycles;
}

/** The shortest walk start -> ... -> start along needs, without the final repeat of start. */
function shortestPathBack(start: StepNode, edges: Map<StepNode, { to: StepNode }[]>): StepNode[] | undefined {
  const previous = new Map<StepNode, StepNode>();
  const queue: StepNode[] = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const { to } of edges.get(current) ?? []) {
      if (to === start) {
        const path = [current];
        for (let step = current; step !== start; ) {
          step = previous.get(step)!;
          path.unshift(step);
        }
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, current);
        queue.push(to);
      }
    }
  }
  return undefined;
}
