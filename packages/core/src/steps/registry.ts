import { WeftError } from '../errors.js';
import { approvalStep } from './approval.js';
import { conditionalStep } from './conditional.js';
import { eventStep } from './event.js';
import { failStep } from './fail.js';
import { forkJoinStep } from './fork-join.js';
import { loopStep } from './loop.js';
import { parallelStep } from './parallel.js';
import { setStep } from './set.js';
import { skillStep } from './skill.js';
import { stateMachineStep } from './state-machine.js';
import { stateTransitionStep } from './state-transition.js';
import { streamStep } from './stream.js';
import { switchStep } from './switch.js';
import type { StepType } from './types.js';
import { validateStep } from './validate.js';
import { waitStep } from './wait.js';
import { workflowStep } from './workflow.js';

/** The step types this engine can execute, by `type` name. */
export class StepTypeRegistry {
  readonly #types = new Map<string, StepType>();

  constructor(types: Iterable<StepType> = builtinStepTypes) {
    for (const type of types) this.register(type);
  }

  register(type: StepType): this {
    this.#types.set(type.type, type);
    return this;
  }

  get(name: string): StepType | undefined {
    return this.#types.get(name);
  }

  require(name: string, path: string): StepType {
    const type = this.#types.get(name);
    if (!type) {
      throw new WeftError(
        'not_supported',
        `${path}: the '${name}' step type cannot be executed by this version of Weft yet`,
      );
    }
    return type;
  }
}

export const builtinStepTypes: readonly StepType[] = [
  skillStep as StepType,
  setStep as StepType,
  failStep as StepType,
  parallelStep as StepType,
  conditionalStep as StepType,
  switchStep as StepType,
  loopStep as StepType,
  forkJoinStep as StepType,
  workflowStep as StepType,
  streamStep as StepType,
  validateStep as StepType,
  waitStep as StepType,
  eventStep as StepType,
  approvalStep as StepType,
  stateMachineStep as StepType,
  stateTransitionStep as StepType,
];
