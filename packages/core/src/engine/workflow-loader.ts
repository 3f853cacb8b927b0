import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { WeftError } from '../errors.js';
import { parseRegistryKey } from '../registry/refs.js';
import { resolveRegistered } from '../registry/resolve.js';
import type { SkillRegistry } from '../skills/registry.js';
import {
  formatProblem,
  type LoadResult,
  loadWorkflow,
  type Problem,
  validateDocument,
} from '../spec/index.js';
import type { StepTypeRegistry } from '../steps/registry.js';
import type { RunRecord, Store } from '../store/types.js';
import { compilePlan, documentHash } from './plan.js';
import type { Plan } from './plan-types.js';
import type { WorkflowRef } from './types.js';
import { checkWorkflowGraph } from './workflow-graph.js';

export interface WorkflowLoaderOptions {
  store: Store;
  skills: SkillRegistry;
  /** Known agent names (an agent step naming another is refused at load); undefined: any. */
  agents?: () => ReadonlySet<string>;
  stepTypes: StepTypeRegistry;
  cwd: string;
}

/** Turns problems into the one error a refused document gets; every problem is in `details`. */
export function invalidDocument(problems: Problem[]): WeftError {
  const lines = problems.map(formatProblem);
  return new WeftError('invalid_document', lines.join('\n'), { details: { problems } });
}

/**
 * Documents to plans: read, validate, compile once per content hash; documents are stored once
 * and runs refer to them by hash, so a run resumes with the exact document it started with.
 */
export class WorkflowLoader {
  readonly #plans = new Map<string, Plan>();
  readonly #persisted = new Set<string>();

  constructor(private readonly options: WorkflowLoaderOptions) {}

  /** Loads a document, and the workflows its `workflow` steps run (a missing one or a cycle is refused). */
  async load(ref: WorkflowRef): Promise<Plan> {
    const plan = await this.#read(ref);
    if (plan.workflows.length > 0) {
      await checkWorkflowGraph(plan, { cwd: this.options.cwd, load: (path) => this.#read(path) });
    }
    return plan;
  }

  async #read(ref: WorkflowRef): Promise<Plan> {
    if (typeof ref === 'object' && 'name' in ref) return this.#registered(ref.name, ref.version);
    if (typeof ref === 'string') {
      const registered = parseRegistryKey(ref);
      if (registered) return this.#registered(registered.name, registered.version);
      const path = isAbsolute(ref) ? ref : resolve(this.options.cwd, ref);
      let source: string;
      try {
        source = await readFile(path, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (error as Error).message;
        throw new WeftError('not_found', `cannot read workflow '${ref}': ${why}`, { cause: error });
      }
      return this.fromSource(source, path);
    }
    if ('source' in ref) return this.fromSource(ref.source, ref.path ?? null);
    const source = JSON.stringify(ref.document, null, 2);
    const cached = this.#plans.get(documentHash(source));
    if (cached) return cached;
    const result = validateDocument(ref.document, {
      file: ref.path ?? '<document>',
      skills: this.options.skills.names(),
      agents: this.options.agents?.(),
    });
    return this.#compile(result, source, ref.path ?? null);
  }

  /**
   * A registered workflow: the pinned version, else the active one. Its plan carries the registry's
   * version number, which the run records. An archived version is refused.
   */
  async #registered(name: string, version: number | undefined): Promise<Plan> {
    const found = await resolveRegistered(this.options.store, name, version);
    const plan = this.fromSource(found.source, null);
    return plan.version === found.version ? plan : { ...plan, version: found.version };
  }

  fromSource(source: string, path: string | null): Plan {
    const cached = this.#plans.get(documentHash(source));
    if (cached && cached.path === path) return cached;
    const file = path === null ? '<input>' : relative(this.options.cwd, path) || path;
    const result = loadWorkflow(source, {
      file,
      skills: this.options.skills.names(),
      agents: this.options.agents?.(),
    });
    return this.#compile(result, source, path);
  }

  #compile(result: LoadResult, source: string, path: string | null): Plan {
    if (!result.document || result.problems.length > 0) throw invalidDocument(result.problems);
    const plan = compilePlan(result.document as unknown as Record<string, unknown>, {
      source,
      path,
      skills: this.options.skills,
      stepTypes: this.options.stepTypes,
      baseDir: path === null ? this.options.cwd : dirname(path),
    });
    this.#plans.set(plan.hash, plan);
    return plan;
  }

  /** Stores the plan's document (once per hash per engine). */
  async persist(plan: Plan): Promise<void> {
    if (this.#persisted.has(plan.hash)) return;
    await this.options.store.putDocument({
      hash: plan.hash,
      name: plan.name,
      source: plan.source,
      path: plan.path,
      createdAt: Date.now(),
    });
    this.#persisted.add(plan.hash);
  }

  /** The plan a stored run started with. */
  async forRun(run: RunRecord): Promise<Plan> {
    const cached = this.#plans.get(run.documentHash);
    if (cached) return cached;
    const document = await this.options.store.getDocument(run.documentHash);
    if (!document) {
      throw new WeftError(
        'store_error',
        `run ${run.id}: its workflow document ${run.documentHash.slice(0, 12)} is missing from the store`,
      );
    }
    this.#persisted.add(document.hash);
    return this.fromSource(document.source, document.path);
  }
}
