import { isAbsolute, resolve } from 'node:path';
import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { isWorkflowPath, registryKey } from '../registry/refs.js';
import type { ChildRunOutcome, StepType } from './types.js';

interface WorkflowStep {
  /** As written: a path relative to the parent document, or a registered workflow's name. */
  ref: string;
  /** The absolute path, or the registry key (`registry:<name>[@<version>]`). */
  path: string;
  version: number | undefined;
  inputs: Evaluable | undefined;
}

/** The child's error, code kept, its message naming the child run; `child_run_id` in the details. */
function childFailure(ref: string, child: ChildRunOutcome): WeftError {
  const {
    code = 'skill_error',
    message = child.status,
    step,
    attempt: _attempt,
    ...rest
  } = child.error ?? {};
  const where = step === undefined ? '' : ` at step '${String(step)}'`;
  return new WeftError(
    String(code),
    `child run ${child.runId} (workflow '${ref}') ${child.status}${where}: ${String(message)}`,
    { details: { ...rest, child_run_id: child.runId, ...(step === undefined ? {} : { child_step: step }) } },
  );
}

/**
 * `type: workflow` — runs another workflow as a child run and waits for it; output: the child's
 * output. `workflow` is a path relative to this document, or the name of a registered workflow (its
 * active version, or the pinned `version`); it is loaded, with its own children, when this document
 * loads: a missing file or name, a `version` it does not have, or a cycle is refused then.
 * The child records its parent (`parentRunId`); this step records `child_run_id` in its meta.
 */
export const workflowStep: StepType<WorkflowStep> = {
  type: 'workflow',
  attempts: true,
  compile(definition, ctx) {
    const ref = String(definition.workflow);
    const version = definition.version as number | undefined;
    const path = !isWorkflowPath(ref)
      ? registryKey(ref, version)
      : isAbsolute(ref)
        ? ref
        : resolve(ctx.baseDir, ref);
    ctx.dependsOn({ ref, path, version });
    return {
      ref,
      path,
      version,
      inputs: definition.inputs === undefined ? undefined : ctx.value(definition.inputs, 'inputs'),
    };
  },
  async execute(step, ctx) {
    const { ref, path, version, inputs } = step.compiled;
    const input = inputs ? ctx.evaluate(inputs) : {};
    ctx.recordInput(input);
    const child = await ctx.runWorkflow({ workflow: path, version, input });
    if (child.status !== 'completed') throw childFailure(ref, child);
    return { output: child.output, meta: { child_run_id: child.runId, workflow: ref } };
  },
};
