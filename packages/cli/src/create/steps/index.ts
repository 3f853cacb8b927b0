import { agentStep } from './agent-step.js';
import { approvalStep } from './approval-step.js';
import { conditionalStep } from './conditional-step.js';
import { eventStep } from './event-step.js';
import { failStep } from './fail-step.js';
import { parallelStep } from './parallel-step.js';
import { setStep } from './set-step.js';
import { skillStep } from './skill-step.js';
import type { StepQuestions } from './types.js';
import { waitStep } from './wait-step.js';
import { workflowStep } from './workflow-step.js';

export type { StepQuestions } from './types.js';

/** The step types the wizard offers, in the order of its list. */
export const STEP_QUESTIONS: readonly StepQuestions[] = [
  skillStep,
  agentStep,
  workflowStep,
  setStep,
  waitStep,
  approvalStep,
  eventStep,
  failStep,
  parallelStep,
  conditionalStep,
];
