import type { StepScope, WizardSession } from '../session.js';

/** The questions of one step type: one file per type, listed in steps/index.ts. */
export interface StepQuestions {
  type: string;
  /** Shown beside the type in the list. */
  description: string;
  /** skill, agent and workflow steps make attempts, so they may retry. */
  retries: boolean;
  /** Why the type cannot be picked here (no agents configured...), if so. */
  unavailable?(session: WizardSession): string | undefined;
  /** The type's own fields for step `id`. */
  ask(scope: StepScope, id: string): Promise<Record<string, unknown>>;
}
