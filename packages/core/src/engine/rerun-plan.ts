import { WeftError } from '../errors.js';
import { buildStepTree, isGraphList, type StepNode, type StepTree, subtree } from '../spec/step-tree.js';
import type { Mapping } from '../spec/values.js';
import type { StepRecord } from '../store/types.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { Plan } from './plan-types.js';
import { isCompensationKey, latestRecords } from './saga-order.js';

/** Which recorded steps of a run a rerun from `from` executes again and which it reuses. */
export interface RerunSelection {
  from: string;
  /** Step keys that run again, then top-level steps the run never reached; run order. */
  execute: string[];
  /** Step keys whose recorded result the new run keeps. */
  reuse: string[];
  /** The records to copy into the new run (the newest attempt of each reused key). */
  reused: StepRecord[];
}

/** Results a rerun can keep: a step that failed, or was blocked, cancelled or undone, runs again. */
const REUSABLE = new Set(['completed', 'skipped']);

/**
 * Decides a rerun (SPEC: rerun from a step). A step depends on another through `needs`, the order
 * of a sequential list, and the step ids its expressions read (nested steps included). The chosen
 * step, everything depending on it (transitively), what is nested in those, and the steps
 * enclosing any of them run again; so do later iterations of an enclosing loop. Everything else
 * that completed (or was skipped) is reused.
 * @example selectRerun(plan, document, records, 'charge').execute // ['charge', 'ship']
 */
export function selectRerun(
  plan: Plan,
  document: Mapping,
  records: readonly StepRecord[],
  from: string,
): RerunSelection {
  const latest = latestRecords(records);
  const keys = new Set(latest.map((record) => record.stepKey));
  const chosen = latest.find((record) => record.stepKey === from);
  if (!chosen) {
    throw new WeftError(
      'not_found',
      `no step with key '${from}' was recorded in run ${records[0]?.runId ?? '?'}${didYouMean(from, [...keys])}`,
    );
  }
  const tree = buildStepTree(document);
  const { full, partial } = affected(plan, tree, chosen.stepId);
  const fromTokens = tokens(from);
  const execute: string[] = [];
  const reused: StepRecord[] = [];
  for (const record of latest) {
    const key = record.stepKey;
    if (isCompensationKey(key, plan, keys)) continue;
    if (runsAgain(record, fromTokens, full, partial)) execute.push(key);
    else reused.push(record);
  }
  for (const node of tree.lists[0]?.steps ?? []) {
    if (node.id !== undefined && !keys.has(node.id)) execute.push(node.id);
  }
  return { from, execute, reuse: reused.map((record) => record.stepKey), reused };
}

function runsAgain(
  record: StepRecord,
  from: readonly string[],
  full: ReadonlySet<string>,
  partial: ReadonlySet<string>,
): boolean {
  if (!REUSABLE.has(record.status)) return true;
  const own = tokens(record.stepKey);
  const common = commonLength(own, from);
  // The chosen step, what is nested in it, and the steps enclosing it.
  if (common === own.length || common === from.length) return true;
  const mine = own[common]!;
  const theirs = from[common]!;
  // Another iteration of a loop (or visit of a state) enclosing the chosen step: later ones run again.
  if (isIndex(mine) && isIndex(theirs)) return indexOf(mine) > indexOf(theirs);
  return full.has(record.stepId) || partial.has(record.stepId);
}

/**
 * Step ids that run again whole (`full`: they depend on the chosen step, or are nested in such a
 * step) and those that run again around reused children (`partial`: they enclose one that does).
 */
function affected(plan: Plan, tree: StepTree, chosen: string) {
  const full = new Set<string>();
  const partial = new Set<string>();
  const queue: { id: string; whole: boolean }[] = [];
  const mark = (id: string | undefined, whole: boolean) => {
    if (id === undefined || full.has(id) || (!whole && partial.has(id))) return;
    if (whole) {
      full.add(id);
      partial.delete(id);
    } else partial.add(id);
    queue.push({ id, whole });
  };
  mark(chosen, true);
  while (queue.length > 0) {
    const { id, whole } = queue.shift()!;
    const node = tree.byId.get(id);
    if (!node) continue;
    for (const later of dependents(node)) mark(later.id, true);
    for (const step of plan.steps.values()) if (step.id !== id && step.reads.has(id)) mark(step.id, true);
    mark(node.list.owner?.id, false);
    if (whole) for (const inner of subtree(node)) mark(inner.id, true);
  }
  return { full, partial };
}

/** Siblings that wait for `node`: later steps of an ordered list, or those that need it in a graph. */
function dependents(node: StepNode): StepNode[] {
  const list = node.list;
  if (list.role === 'parallel') return [];
  if (!isGraphList(list.steps.map((step) => step.raw))) return list.steps.slice(node.index + 1);
  return list.steps.filter((step) => Array.isArray(step.raw.needs) && step.raw.needs.includes(node.id));
}

/** `each[2].charge` -> `each`, `[2]`, `charge`; a state machine's visit numbers count as indices. */
function tokens(key: string): string[] {
  return key.match(/[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\d+/g) ?? [];
}

const isIndex = (token: string) => /^\[?\d+\]?$/.test(token);
const indexOf = (token: string) => Number(token.replace(/[[\]]/g, ''));

function commonLength(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
