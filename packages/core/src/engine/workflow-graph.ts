import { existsSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { WeftError } from '../errors.js';
import { parseRegistryKey } from '../registry/refs.js';
import { formatProblem, type Problem, parseSource } from '../spec/index.js';
import type { Plan, WorkflowDependency } from './plan-types.js';

export interface WorkflowGraphOptions {
  /** Messages name files relative to this directory. */
  cwd: string;
  /** Loads one child document (not the workflows it runs in turn). */
  load(path: string): Promise<Plan>;
}

interface Failure {
  code: 'not_found' | 'invalid_document';
  /** The document whose step refers to what is wrong, and that step's reference. */
  plan: Plan;
  dependency: WorkflowDependency;
  /** The documents from the root to `plan`. */
  chain: string[];
  message: string;
  cause?: unknown;
}

const ROOT = '\u0000root';
const EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Loads the workflows a plan's `workflow` steps run, and theirs, each once, and refuses at load a
 * child that cannot be read, a `version` pin its document does not have, and a document that
 * reaches itself (`a.yaml -> b.yaml -> a.yaml`). Problems are placed at the root document's step
 * (file:line); one found deeper is quoted whole, with its own place.
 */
export async function checkWorkflowGraph(root: Plan, options: WorkflowGraphOptions): Promise<void> {
  const plans = new Map<string, Promise<Plan>>();
  const explored = new Set<string>();
  const name = (path: string) =>
    path === ROOT ? fileOf(root, options.cwd) : (parseRegistryKey(path)?.name ?? relative(options.cwd, path));
  const load = (path: string) => {
    const known = plans.get(path);
    if (known) return known;
    const plan = options.load(path);
    plans.set(path, plan);
    return plan;
  };

  const visit = async (plan: Plan, chain: string[]): Promise<Failure | undefined> => {
    for (const dependency of plan.workflows) {
      const at = { plan, dependency, chain };
      if (chain.includes(dependency.path)) {
        const route = [...chain, dependency.path].map(name).join(' -> ');
        const target = plan.path === dependency.path ? 'this document' : name(dependency.path);
        const message = `workflow '${dependency.ref}' leads back to ${target}: ${route}`;
        return { ...at, code: 'invalid_document', message };
      }
      let child: Plan;
      try {
        child = await load(dependency.path);
      } catch (error) {
        const baseDir = plan.path === null ? options.cwd : dirname(plan.path);
        return { ...at, ...unreadable(dependency, error, name, baseDir), cause: error };
      }
      if (dependency.version !== undefined && child.version !== dependency.version) {
        const has = child.version === null ? 'has no version' : `is version ${child.version}`;
        const message = `workflow '${dependency.ref}' ${has}, but the step pins version ${dependency.version} (a document named by its path runs as it is; register it with \`weft workflows push\` to pick versions)`;
        return { ...at, code: 'not_found', message };
      }
      if (explored.has(dependency.path)) continue;
      const failure = await visit(child, [...chain, dependency.path]);
      if (failure) return failure;
      explored.add(dependency.path);
    }
    return undefined;
  };

  const failure = await visit(root, [root.path ?? ROOT]);
  if (!failure) return;
  const problem = locate(failure.plan, failure.dependency, failure.message, options.cwd);
  if (failure.plan === root) throw refusal(failure.code, problem, failure.cause);
  // Found in a child: place it at the root's step that leads there.
  const dependency = root.workflows.find((d) => d.path === failure.chain[1]) ?? root.workflows[0]!;
  const message = `workflow '${dependency.ref}' cannot be loaded: ${formatProblem(problem)}`;
  throw refusal(failure.code, locate(root, dependency, message, options.cwd), failure.cause);
}

function unreadable(
  dependency: WorkflowDependency,
  error: unknown,
  name: (path: string) => string,
  baseDir: string,
): Pick<Failure, 'code' | 'message'> {
  const cause = WeftError.from(error, 'invalid_document');
  if (cause.code === 'not_found' && parseRegistryKey(dependency.path)) {
    // `workflow: invoice` next to invoice.yaml: the author probably meant the file.
    const file = EXTENSIONS.map((ext) => resolve(baseDir, dependency.ref + ext)).find((p) => existsSync(p));
    const hint = file ? `; to run the file next to this document, write './${basename(file)}'` : '';
    return { code: 'not_found', message: `${cause.message}${hint}` };
  }
  if (cause.code === 'not_found') {
    const other = EXTENSIONS.map((ext) => dependency.path + ext).find((path) => existsSync(path));
    const hint = other ? ` (did you mean '${dependency.ref}${other.slice(dependency.path.length)}'?)` : '';
    const message = `no workflow file '${dependency.ref}' at ${name(dependency.path)}${hint}; a workflow is named by its path relative to this document, or by the name of a registered workflow`;
    return { code: 'not_found', message };
  }
  return {
    code: 'invalid_document',
    message: `workflow '${dependency.ref}' is not valid:\n${cause.message}`,
  };
}

function fileOf(plan: Plan, cwd: string): string {
  return plan.path === null ? '<input>' : relative(cwd, plan.path) || plan.path;
}

/** The problem at the `workflow` field of the dependency's step, with its line and column. */
function locate(plan: Plan, dependency: WorkflowDependency, message: string, cwd: string): Problem {
  const file = fileOf(plan, cwd);
  const segments = [...pathSegments(dependency.at), 'workflow'];
  const at = parseSource(plan.source, file).positions.valueAt(segments);
  return { file, line: at.line, column: at.column, path: `${dependency.at}.workflow`, message };
}

/** `steps[2].branches.fast[0]` -> `['steps', 2, 'branches', 'fast', 0]`. */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[3] !== undefined) out.push(JSON.parse(match[3]) as string);
    else out.push(match[1]!);
  }
  return out;
}

function refusal(code: Failure['code'], problem: Problem, cause: unknown): WeftError {
  return new WeftError(code, formatProblem(problem), { details: { problems: [problem] }, cause });
}
