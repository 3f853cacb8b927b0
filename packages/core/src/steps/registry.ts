import { WeftError } from '../errors.js';
import { failStep } from './fail.js';
import { setStep } from './set.js';
import { skillStep } from './skill.js';
import type { StepType } from './types.js';

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
];
