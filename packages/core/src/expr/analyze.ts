import { type CelNode, LOOP_BINDING } from './cel.js';

/** What an expression refers to: the root names it reads and the step ids under `steps`. */
export interface References {
  roots: Set<string>;
  steps: Set<string>;
  secrets: Set<string>;
  /** True when `steps` or `secrets` is indexed by something other than a literal. */
  dynamicSteps: boolean;
  dynamicSecrets: boolean;
}

const BINDING_MACROS = new Set([
  'map',
  'filter',
  'all',
  'exists',
  'exists_one',
  'existsOne',
  'sortBy',
  'bind',
]);

export function emptyReferences(): References {
  return {
    roots: new Set(),
    steps: new Set(),
    secrets: new Set(),
    dynamicSteps: false,
    dynamicSecrets: false,
  };
}

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && typeof (value as CelNode).op === 'string';
}

/** Collects references; names bound by macros (`list.map(x, ...)`) are not roots. */
export function collectReferences(
  node: CelNode,
  into: References = emptyReferences(),
  bound: ReadonlySet<string> = new Set(),
): References {
  const { op, args } = node;
  if (op === 'id') {
    if (typeof args === 'string' && !bound.has(args)) {
      into.roots.add(args === LOOP_BINDING ? 'loop' : args);
      // `steps` or `secrets` used whole: which entries it reads cannot be known.
      if (args === 'steps') into.dynamicSteps = true;
      if (args === 'secrets') into.dynamicSecrets = true;
    }
    return into;
  }
  if ((op === '.' || op === '[]') && Array.isArray(args) && isNode(args[0]) && args[0].op === 'id') {
    const root = args[0].args;
    if ((root === 'steps' || root === 'secrets') && !bound.has(root)) {
      into.roots.add(root);
      const key = op === '.' ? args[1] : isNode(args[1]) && args[1].op === 'value' ? args[1].args : undefined;
      if (typeof key === 'string') (root === 'steps' ? into.steps : into.secrets).add(key);
      else {
        if (root === 'steps') into.dynamicSteps = true;
        else into.dynamicSecrets = true;
        walk(args[1], into, bound);
      }
      return into;
    }
  }
  if (op === 'rcall' && Array.isArray(args) && BINDING_MACROS.has(args[0] as string)) {
    const [, target, callArgs] = args as [string, unknown, unknown[]];
    const first = callArgs[0];
    if (isNode(first) && first.op === 'id' && typeof first.args === 'string') {
      if (isNode(target) && !(target.op === 'id' && target.args === 'cel'))
        collectReferences(target, into, bound);
      const inner = new Set(bound).add(first.args);
      for (const arg of callArgs.slice(1)) if (isNode(arg)) collectReferences(arg, into, inner);
      return into;
    }
  }
  if (op === 'rcall' && Array.isArray(args)) {
    walk(args[1], into, bound);
    walk(args[2], into, bound);
    return into;
  }
  if (op === 'call' && Array.isArray(args)) {
    walk(args[1], into, bound);
    return into;
  }
  walk(args, into, bound);
  return into;
}

function walk(value: unknown, into: References, bound: ReadonlySet<string>): void {
  if (isNode(value)) collectReferences(value, into, bound);
  else if (Array.isArray(value)) for (const item of value) walk(item, into, bound);
}

export function mergeReferences(target: References, source: References): References {
  for (const r of source.roots) target.roots.add(r);
  for (const s of source.steps) target.steps.add(s);
  for (const s of source.secrets) target.secrets.add(s);
  target.dynamicSteps ||= source.dynamicSteps;
  target.dynamicSecrets ||= source.dynamicSecrets;
  return target;
}
