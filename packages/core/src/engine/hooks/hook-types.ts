import type { ErrorInfo } from '../../errors.js';

/** Where a hook runs. */
export type HookPoint = 'beforeRun' | 'afterRun' | 'beforeStep' | 'afterStep' | 'branch' | 'error';

export const HOOK_POINTS: readonly HookPoint[] = [
  'beforeRun',
  'afterRun',
  'beforeStep',
  'afterStep',
  'branch',
  'error',
];

interface RunInfo {
  runId: string;
  workflow: string;
}

interface StepInfo extends RunInfo {
  stepKey: string;
  stepId: string;
  type: string;
}

/** What each hook point is given. */
export interface HookContexts {
  beforeRun: RunInfo & { input: unknown; resumed: boolean };
  afterRun: RunInfo & {
    status: 'completed' | 'failed' | 'cancelled';
    output: unknown;
    error: ErrorInfo | null;
  };
  /** `input`: the step's resolved `inputs` (skill and agent steps), else undefined. */
  beforeStep: StepInfo & { input: unknown };
  afterStep: StepInfo & { attempt: number; output: unknown };
  /** `branch`: what a conditional, switch or fork-join took, or `{ from, to }` for a state transition. */
  branch: StepInfo & { branch: unknown };
  error: StepInfo & { attempt: number; error: ErrorInfo };
}

/** What each hook point may return (nothing: carry on). */
export interface HookResults {
  beforeRun: undefined;
  afterRun: undefined;
  /** Replace the resolved inputs, skip the step with a reason, or fail it with a message. */
  beforeStep: undefined | { input: unknown } | { skip: string } | { fail: string };
  /** Replace the step's output. */
  afterStep: undefined | { output: unknown };
  branch: undefined;
  /** Retry the step once more, skip it, or complete it with `output`. */
  error: undefined | { retry: true } | { skip: string } | { output: unknown };
}

export type HookFn<P extends HookPoint> = (
  context: HookContexts[P],
) => HookResults[P] | undefined | Promise<HookResults[P] | undefined>;

/** Hooks by point, as `createEngine({ hooks })` and a hook module's default export take them. */
export type HookSet = { [P in HookPoint]?: HookFn<P> | HookFn<P>[] };
