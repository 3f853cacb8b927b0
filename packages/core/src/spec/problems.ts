import type { PositionMap } from './positions.js';

/** One thing wrong with a document, located at the offending YAML/JSON node. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** JSON-ish path to the node: `steps[2].needs[0]`; empty for the document itself. */
  path: string;
  message: string;
}

/** A segment of a path inside a document: a mapping key or a list index. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/**
 * A problem before it is placed in a file: `anchor: 'key'` points at a mapping key (unknown fields,
 * state names) instead of its value.
 */
export interface Finding {
  path: Path;
  message: string;
  anchor?: 'key' | 'value';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Formats a path the way people read it.
 * @example formatPath(['steps', 2, 'needs', 0]) // 'steps[2].needs[0]'
 */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * `file:line:column: path: message`, the line `weft validate` prints (the path is left out when empty).
 * @example formatProblem(p) // "flow.yaml:14:9: steps[2].needs[0]: unknown step 'fecth' (did you mean 'fetch'?)"
 */
export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

/** Places findings in the file, in document order, without repeats. */
export function toProblems(findings: readonly Finding[], file: string, positions: PositionMap): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const finding of findings) {
    const at = finding.anchor === 'key' ? positions.keyAt(finding.path) : positions.valueAt(finding.path);
    const problem: Problem = {
      file,
      line: at.line,
      column: at.column,
      path: formatPath(finding.path),
      message: finding.message,
    };
    const key = `${problem.line}:${problem.column}:${problem.path}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return sortProblems(problems);
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Describes a value for "expected X, got Y" messages: `number 5`, `string 'x'`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value === ''
        ? 'an empty string'
        : `string '${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${value}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}
