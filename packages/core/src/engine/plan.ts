import { createHash } from 'node:crypto';
import { WeftError } from '../errors.js';
import { compileCondition, compileValue, type Evaluable, type References } from '../expr/index.js';
import { compileNotify } from '../notify/compile-notify.js';
import { compileCachePolicy } from '../resilience/cache-policy.js';
import { compileRunConcurrency, compileStepConcurrency } from '../resilience/concurrency-policy.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { StepTypeRegistry } from '../steps/registry.js';
import { MACHINE_STEP_ID, machineDefinition } from '../steps/state-machine.js';
import type { CompileContext } from '../steps/types.js';
import { parseDuration } from '../util/duration.js';
import { compileOnComplete } from './chaining.js';
import type { OnError, Plan, PlanStep, StepList, WorkflowDependency } from './plan-types.js';
import type { RetryPolicy } from './retry.js';

type Definition = Record<string, unknown>;

const STEP_ON_ERROR: ReadonlySet<OnError> = new Set(['halt', 'skip', 'rollback']);

export interface CompilePlanOptions {
  source: string;
  path: string | null;
  skills: SkillRegistry;
  stepTypes: StepTypeRegistry;
  /** Where relative child workflows are found: the document's directory; default `process.cwd()`. */
  baseDir?: string;
}

/** Features of the format that this engine does not execute yet: refused at load, never ignored. */
const PENDING_WORKFLOW_FIELDS: readonly string[] = [];

export function documentHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

function notSupported(path: string, what: string): WeftError {
  return new WeftError('not_supported', `${path}: ${what} is not supported by this version of Weft yet`);
}

export function parseRetry(retry: Definition): RetryPolicy {
  const duration = (value: unknown, fallback: number) =>
    value === undefined ? fallback : parseDuration(value);
  return {
    maxAttempts: Number(retry.max_attempts ?? 3),
    backoff: (retry.backoff as RetryPolicy['backoff']) ?? 'exponential',
    delayMs: duration(retry.delay, 1000),
    multiplier: Number(retry.multiplier ?? 2),
    incrementMs: duration(retry.increment, 1000),
    maxDelayMs: duration(retry.max_delay, 300_000),
    jitter: Number(retry.jitter ?? 0),
    retryOn: Array.isArray(retry.retry_on) ? new Set(retry.retry_on.map(String)) : undefined,
    retryOnStatus: Array.isArray(retry.retry_on_status)
      ? new Set(retry.retry_on_status.map(Number))
      : undefined,
  };
}

/**
 * Compiles a validated document into a plan: expressions parsed once, defaults resolved, each
 * step's type looked up in the registry. Throws WeftError for what only the engine can know.
 */
export function compilePlan(document: Definition, options: CompilePlanOptions): Plan {
  const defaults = (document.defaults ?? {}) as Definition;
  const limits = (document.limits ?? {}) as Definition;
  const stepIds: string[] = [];
  const byId = new Map<string, PlanStep>();
  const workflows: WorkflowDependency[] = [];
  let secrets: Set<string> | '*' = new Set();
  const noteRefs = (refs: References) => {
    if (refs.dynamicSecrets) secrets = '*';
    else if (secrets !== '*') for (const name of refs.secrets) secrets.add(name);
  };

  for (const field of PENDING_WORKFLOW_FIELDS) {
    if (document[field] !== undefined) throw notSupported(field, `the workflow field '${field}'`);
  }

  const compileList = (definitions: readonly Definition[], path: string): StepList => {
    const steps = definitions.map((definition, index) => compileStep(definition, `${path}[${index}]`));
    return { steps, graph: definitions.some((definition) => Array.isArray(definition.needs)) };
  };

  const compileStep = (definition: Definition, path: string): PlanStep => {
    const typeName = String(definition.type);
    const type = options.stepTypes.require(typeName, path);
    const reads = new Set<string>();
    const track = <T>(evaluable: Evaluable<T>): Evaluable<T> => {
      for (const id of evaluable.refs.steps) reads.add(id);
      noteRefs(evaluable.refs);
      return evaluable;
    };
    const ctx: CompileContext = {
      path,
      skills: options.skills,
      compileList: (list, listPath) => {
        const compiled = compileList(list, listPath);
        for (const step of compiled.steps) for (const id of step.reads) reads.add(id);
        return compiled;
      },
      value: (value, field) => track(compileValue(value, [field])),
      condition: (value, field) => track(compileCondition(value, [field])),
      baseDir: options.baseDir ?? process.cwd(),
      dependsOn: (workflow) => workflows.push({ ...workflow, at: path }),
    };
    stepIds.push(String(definition.id));
    const usesDefaults = type.attempts === true;
    const timeout = definition.timeout ?? (usesDefaults ? defaults.timeout : undefined);
    const retry = (definition.retry ??
      type.defaultRetry?.(definition) ??
      (usesDefaults ? defaults.retry : undefined)) as Definition | undefined;
    const compiled = type.compile(definition, ctx);
    const planStep: PlanStep = {
      id: String(definition.id),
      type: typeName,
      path,
      needs: Array.isArray(definition.needs) ? definition.needs.map(String) : [],
      when: definition.when === undefined ? undefined : ctx.condition(definition.when, 'when'),
      timeoutMs: timeout === undefined || type.ownsTimeout ? undefined : parseDuration(timeout),
      retry: retry && type.attempts ? parseRetry(retry) : undefined,
      // A loop's own `on_error` (stop | continue | collect) is the loop type's business.
      onError: STEP_ON_ERROR.has(definition.on_error as OnError) ? (definition.on_error as OnError) : 'halt',
      catch: Array.isArray(definition.catch)
        ? ctx.compileList(definition.catch as Definition[], `${path}.catch`)
        : undefined,
      // Not through ctx: a compensation runs at rollback, so what it reads is no need of this step.
      compensate: Array.isArray(definition.compensate)
        ? compileList(definition.compensate as Definition[], `${path}.compensate`)
        : undefined,
      output: definition.output === undefined ? undefined : ctx.value(definition.output, 'output'),
      async: definition.async === true,
      cache: compileCachePolicy(definition.cache, path, ctx),
      concurrency: compileStepConcurrency(definition.concurrency, path, ctx.value),
      reads,
      compiled,
    };
    byId.set(planStep.id, planStep);
    return planStep;
  };

  // A state machine runs as one composite step (steps/state-machine.ts): records `states.<state>...`.
  const machine = document.type === 'state_machine';
  const root = machine
    ? { steps: [compileStep(machineDefinition(document), MACHINE_STEP_ID)], graph: false }
    : compileList((document.steps ?? []) as Definition[], 'steps');
  if (machine && stepIds.indexOf(MACHINE_STEP_ID) !== stepIds.lastIndexOf(MACHINE_STEP_ID)) {
    throw new WeftError(
      'invalid_document',
      `a step of a state machine cannot have the id '${MACHINE_STEP_ID}': it names the machine's own record`,
    );
  }
  const output = document.output === undefined ? undefined : compileValue(document.output, ['output']);
  if (output) noteRefs(output.refs);
  const contextValue = compileValue(document.context ?? {}, ['context']);
  if (!contextValue.isStatic)
    throw new WeftError('invalid_document', 'context: values must be literal (no ${ } expressions)');
  return {
    name: String(document.name),
    version: typeof document.version === 'number' ? document.version : null,
    hash: documentHash(options.source),
    source: options.source,
    path: options.path,
    description: typeof document.description === 'string' ? document.description : undefined,
    inputSchema: document.inputs as Record<string, unknown> | undefined,
    context: contextValue.evaluate({}) as Record<string, unknown>,
    root,
    output,
    onComplete: compileOnComplete(document.on_complete, noteRefs),
    notify: compileNotify(document.notify, 'notify').map((target, index) => {
      if (!target.url.includes('${')) return target;
      const urlValue = compileValue(target.url, ['notify', index, 'url']);
      noteRefs(urlValue.refs);
      return { ...target, urlValue };
    }),
    timeoutMs: limits.timeout === undefined ? undefined : parseDuration(limits.timeout),
    maxParallelism: Number(limits.max_parallelism ?? 16),
    concurrency: compileRunConcurrency(document.concurrency),
    onError: document.on_error === 'rollback' ? 'rollback' : 'halt',
    steps: byId,
    stepIds,
    secrets,
    workflows,
  };
}
