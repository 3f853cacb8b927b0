import { readFile } from 'node:fs/promises';
import { semanticFindings } from './checks.js';
import { schemaFindings } from './issues.js';
import { parseSource } from './parse.js';
import { PositionMap } from './positions.js';
import { describeValue, type Problem, sortProblems, toProblems } from './problems.js';
import type { WorkflowDocument } from './schema/document.js';
import { isMapping } from './values.js';

export interface LoadOptions {
  /** Name used in problems (default `<input>`); a `.json` extension means strict JSON, anything else YAML. */
  file?: string;
  /** Known skill names: a skill step naming another is a problem. */
  skills?: ReadonlySet<string>;
  /** Known agent names: an agent step naming another is a problem. */
  agents?: ReadonlySet<string>;
}

export interface LoadResult {
  /** Present only when `problems` is empty. */
  document?: WorkflowDocument;
  problems: Problem[];
}

const DEFAULT_FILE = '<input>';

/**
 * Parses and checks a workflow document, reporting every problem at once.
 * @example
 * const { document, problems } = loadWorkflow(text, { file: 'flow.yaml' });
 * for (const p of problems) console.error(formatProblem(p));
 */
export function loadWorkflow(source: string, options: LoadOptions = {}): LoadResult {
  const file = options.file ?? DEFAULT_FILE;
  const parsed = parseSource(source, file);
  const syntax: Problem[] = parsed.errors.map((e) => ({ file, ...e.position, path: '', message: e.message }));
  if (!('value' in parsed)) return { problems: syntax };
  const result = validateDocument(parsed.value, { ...options, file, positions: parsed.positions });
  if (syntax.length === 0) return result;
  return { problems: sortProblems([...syntax, ...result.problems]) };
}

/**
 * Checks an already parsed document (library users may pass objects). Without `positions`, every
 * problem is placed at 1:1 and the `path` tells where.
 * @example validateDocument({ name: 'x', steps: [{ id: 'a', type: 'skill', skill: 'echo' }] }).problems // []
 */
export function validateDocument(
  value: unknown,
  options: LoadOptions & { positions?: PositionMap } = {},
): LoadResult {
  const file = options.file ?? DEFAULT_FILE;
  const positions = options.positions ?? new PositionMap();
  if (!isMapping(value)) {
    const message =
      value === null || value === undefined
        ? 'the document is empty; expected a mapping with name and steps'
        : `expected the document to be a mapping, got ${describeValue(value)}`;
    return { problems: toProblems([{ path: [], message }], file, positions) };
  }
  const { findings, data } = schemaFindings(value);
  findings.push(
    ...semanticFindings(value, { file, positions, skills: options.skills, agents: options.agents }),
  );
  const problems = toProblems(findings, file, positions);
  return problems.length === 0 && data ? { document: data, problems } : { problems };
}

/**
 * Reads and checks a workflow file; a missing or unreadable file is one problem at 1:1.
 * @example const { document, problems } = await loadWorkflowFile('flows/orders.yaml');
 */
export async function loadWorkflowFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const file = options.file ?? path;
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    return { problems: [{ file, line: 1, column: 1, path: '', message: readError(error) }] };
  }
  return loadWorkflow(source, { ...options, file });
}

function readError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a workflow file (.yaml, .yml or .json)';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read the file: permission denied';
  return `cannot read the file: ${(error as Error).message}`;
}
