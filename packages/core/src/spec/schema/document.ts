import { z } from 'zod';
import {
  conditionSchema,
  durationSchema,
  inputsSchema,
  jsonSchemaSchema,
  mappingSchema,
  positiveIntSchema,
  retrySchema,
  workflowNameSchema,
} from './common.js';
import { stepListSchema } from './steps.js';

/** Fields of SPEC section 1 shared by both document types. */
const documentFields = {
  name: workflowNameSchema,
  version: positiveIntSchema.optional().describe('The registry assigns versions on push.'),
  description: z.string().optional(),
  inputs: jsonSchemaSchema.optional().describe('JSON Schema (2020-12) for the run input; defaults applied.'),
  context: mappingSchema.optional().describe(`Read-only values: \${ context.x }.`),
  defaults: z
    .strictObject({ timeout: durationSchema.optional(), retry: retrySchema.optional() })
    .optional()
    .describe('Applied to every skill, agent and workflow step that does not set its own.'),
  limits: z
    .strictObject({ timeout: durationSchema.optional(), max_parallelism: positiveIntSchema.optional() })
    .optional(),
  concurrency: z
    .strictObject({
      key: z.string().optional(),
      limit: positiveIntSchema.optional().describe('Default 1.'),
      on_conflict: z.enum(['queue', 'cancel_new', 'cancel_running']).optional(),
    })
    .optional()
    .describe('Runs of this workflow at once, across all processes.'),
  on_error: z.enum(['halt', 'rollback']).optional(),
  output: z
    .unknown()
    .optional()
    .describe('Expression or object of expressions; default: the last completed step.'),
  on_complete: z
    .array(
      z.strictObject({
        workflow: z.string().min(1),
        when: conditionSchema.optional(),
        inputs: inputsSchema.optional(),
      }),
    )
    .optional(),
  notify: z
    .array(
      z.strictObject({
        url: z.string().min(1),
        on: z.array(z.enum(['completed', 'failed', 'cancelled', 'delayed'])).optional(),
        delay_after: durationSchema.optional(),
      }),
    )
    .optional(),
};

export const transitionSchema = z
  .strictObject({
    to: z.string().min(1),
    when: conditionSchema.optional(),
    event: z.string().min(1).optional().describe('Wait for this event type.'),
    match: conditionSchema.optional(),
  })
  .meta({ id: 'Transition' });

export const stateSchema = z
  .strictObject({
    on_enter: stepListSchema.optional(),
    on_exit: stepListSchema.optional(),
    transitions: z.array(transitionSchema).optional(),
    terminal: z.boolean().optional(),
  })
  .meta({ id: 'State' });

export const stepsDocumentSchema = z.strictObject({
  ...documentFields,
  type: z.literal('steps').optional(),
  steps: stepListSchema,
});

export const stateMachineDocumentSchema = z.strictObject({
  ...documentFields,
  type: z.literal('state_machine'),
  initial: z.string().min(1),
  max_transitions: positiveIntSchema.optional().describe('Default 100.'),
  states: z.record(z.string(), stateSchema),
});

/** The zod model of a workflow document (SPEC sections 1, 2, 4 and 6). */
export const workflowSchema = z.discriminatedUnion('type', [stepsDocumentSchema, stateMachineDocumentSchema]);

export type WorkflowDocument = z.output<typeof workflowSchema>;
export type StepsWorkflowDocument = z.output<typeof stepsDocumentSchema>;
export type StateMachineDocument = z.output<typeof stateMachineDocumentSchema>;
export type StateDef = z.output<typeof stateSchema>;
export type TransitionDef = z.output<typeof transitionSchema>;
