import { z } from 'zod';
import { describeValue } from '../problems.js';
import {
  cacheSchema,
  conditionSchema,
  durationSchema,
  expressionSchema,
  inputsSchema,
  jsonSchemaSchema,
  mappingSchema,
  positiveIntSchema,
  retrySchema,
  STEP_ID_PATTERN,
  stepConcurrencySchema,
  stepIdSchema,
} from './common.js';

/** Every step type of SPEC section 2, in the order the spec lists them. */
export const STEP_TYPES = [
  'skill',
  'agent',
  'parallel',
  'conditional',
  'switch',
  'loop',
  'fork_join',
  'workflow',
  'wait',
  'event',
  'approval',
  'validate',
  'set',
  'fail',
  'stream',
] as const;

export type StepType = (typeof STEP_TYPES)[number];

export type StepListSchema = z.ZodArray<typeof stepSchema>;

/** Merges shapes keeping getters lazy: nested step lists refer to `stepSchema` before it exists. */
function shape<A extends object, B extends object>(a: A, b: B): Omit<A, keyof B> & B {
  const descriptors = { ...Object.getOwnPropertyDescriptors(a), ...Object.getOwnPropertyDescriptors(b) };
  return Object.defineProperties({}, descriptors) as Omit<A, keyof B> & B;
}

/** The fields every step has (SPEC section 2). */
function base<T extends StepType>(type: T) {
  return {
    id: stepIdSchema,
    type: z.literal(type),
    name: z.string().optional(),
    description: z.string().optional(),
    needs: z.array(z.string()).optional().describe('Ids of sibling steps this step waits for.'),
    when: conditionSchema.optional().describe('False: the step is skipped.'),
    timeout: durationSchema.optional(),
    retry: retrySchema.optional(),
    on_error: z.enum(['halt', 'skip', 'rollback']).optional(),
    get catch(): z.ZodOptional<StepListSchema> {
      return stepListSchema.optional();
    },
    get compensate(): z.ZodOptional<StepListSchema> {
      return stepListSchema.optional();
    },
    cache: cacheSchema.optional(),
    concurrency: stepConcurrencySchema.optional(),
    output: z.unknown().optional().describe(`Expression or mapping evaluated with \${ result }.`),
    async: z.boolean().optional(),
  };
}

const aliasSchema = z
  .string()
  .regex(STEP_ID_PATTERN, { error: 'expected a name such as item: letters, digits and _' });

export const skillStepSchema = z.strictObject(
  shape(base('skill'), { skill: z.string().min(1), inputs: inputsSchema.optional() }),
);

export const agentStepSchema = z.strictObject(
  shape(base('agent'), {
    agent: z.string().min(1),
    prompt: z.string().optional(),
    inputs: inputsSchema.optional(),
    output_schema: jsonSchemaSchema.optional(),
    guardrails: z
      .strictObject({
        max_iterations: positiveIntSchema.optional(),
        allowed_tools: z.array(z.string()).optional(),
        max_tokens: positiveIntSchema.optional(),
        timeout: durationSchema.optional(),
      })
      .optional(),
    stream: z
      .boolean()
      .optional()
      .describe(
        "Stream the model's answer as step.progress events (openai agents); default: the agent's `stream`.",
      ),
  }),
);

export const parallelStepSchema = z.strictObject(
  shape(base('parallel'), {
    wait_for: z.enum(['all', 'any', 'none']).optional(),
    max_parallelism: positiveIntSchema.optional(),
    get steps(): StepListSchema {
      return stepListSchema;
    },
  }),
);

export const conditionalStepSchema = z.strictObject(
  shape(base('conditional'), {
    condition: conditionSchema,
    // biome-ignore lint/suspicious/noThenProperty: `then` is the field name SPEC section 2 gives conditional steps.
    get then(): StepListSchema {
      return stepListSchema;
    },
    get else(): z.ZodOptional<StepListSchema> {
      return stepListSchema.optional();
    },
  }),
);

export const switchCaseSchema = z.strictObject({
  when: conditionSchema,
  get steps(): StepListSchema {
    return stepListSchema;
  },
});

export const switchStepSchema = z.strictObject(
  shape(base('switch'), {
    cases: z.array(switchCaseSchema).min(1),
    get default(): z.ZodOptional<StepListSchema> {
      return stepListSchema.optional();
    },
  }),
);

export const loopStepSchema = z.strictObject(
  shape(base('loop'), {
    for_each: z
      .union([z.array(z.unknown()), expressionSchema], {
        error: 'expected a list or an expression giving one',
      })
      .optional(),
    while: conditionSchema.optional().describe('Checked before each iteration.'),
    until: conditionSchema.optional().describe('Checked after each iteration.'),
    as: aliasSchema.optional(),
    mode: z.enum(['sequential', 'parallel']).optional(),
    max_parallelism: positiveIntSchema.optional(),
    max_iterations: positiveIntSchema.optional(),
    on_error: z.enum(['stop', 'continue', 'collect']).optional(),
    get steps(): StepListSchema {
      return stepListSchema;
    },
  }),
);

export const forkJoinStepSchema = z.strictObject(
  shape(base('fork_join'), {
    get branches(): z.ZodRecord<z.ZodString, StepListSchema> {
      return branchesSchema;
    },
    join: z.enum(['all', 'any', 'majority', 'n_of_m']).optional(),
    n_required: positiveIntSchema.optional(),
    branch_timeout: durationSchema.optional(),
    cancel_remaining: z.boolean().optional(),
  }),
);

export const workflowStepSchema = z.strictObject(
  shape(base('workflow'), {
    workflow: z.string().min(1).describe('A registered name, or a path relative to this document.'),
    version: positiveIntSchema.optional(),
    inputs: inputsSchema.optional(),
  }),
);

export const waitStepSchema = z.strictObject(
  shape(base('wait'), {
    duration: durationSchema.optional(),
    until: z.string().min(1).optional().describe('A timestamp, or an expression giving one.'),
  }),
);

export const eventStepSchema = z.strictObject(
  shape(base('event'), {
    event: z.string().min(1).describe('The event type.'),
    match: conditionSchema.optional(),
    on_timeout: z.enum(['fail', 'continue']).optional(),
  }),
);

export const approvalStepSchema = z.strictObject(
  shape(base('approval'), {
    prompt: z.string().optional(),
    form: jsonSchemaSchema.optional(),
    on_timeout: z.enum(['reject', 'approve', 'fail']).optional(),
  }),
);

export const validateStepSchema = z.strictObject(
  shape(base('validate'), {
    data: z.unknown(),
    schema: z
      .union([jsonSchemaSchema, expressionSchema], { error: 'expected a JSON Schema or an expression' })
      .optional(),
    assertions: z.array(z.strictObject({ that: conditionSchema, message: z.string().optional() })).optional(),
    mode: z.enum(['strict', 'warn']).optional(),
  }),
);

export const setStepSchema = z.strictObject(shape(base('set'), { values: mappingSchema }));

export const failStepSchema = z.strictObject(
  shape(base('fail'), { code: z.string().min(1), message: z.string().optional() }),
);

const skillSourceSchema = z.strictObject({ skill: z.string().min(1), inputs: inputsSchema.optional() });
const eventSourceSchema = z.strictObject({
  event: z.string().min(1),
  match: conditionSchema.optional(),
  max_items: positiveIntSchema.optional(),
  idle_timeout: durationSchema.optional(),
});

/** A source of neither kind (or both) gets one clear message; one kind is checked field by field. */
function sourceMessage(issue: { input?: unknown }): string | undefined {
  const input = issue.input;
  if (input === undefined) return undefined;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return `expected { skill, inputs } or { event, match, max_items, idle_timeout }, got ${describeValue(input)}`;
  }
  const fields = Object.keys(input);
  if (fields.includes('skill') && fields.includes('event')) {
    return 'a stream source is a skill or an event subscription, not both: give skill or event';
  }
  if (!fields.includes('skill') && !fields.includes('event')) {
    const got = fields.length === 0 ? 'an empty mapping' : `a mapping with ${fields.join(', ')}`;
    return `expected a source with skill (a skill that yields items) or event (an event type), got ${got}`;
  }
  return undefined;
}

export const streamStepSchema = z.strictObject(
  shape(base('stream'), {
    source: z.union([skillSourceSchema, eventSourceSchema], { error: sourceMessage }),
    as: aliasSchema.optional(),
    buffer: positiveIntSchema.optional(),
    max_parallelism: positiveIntSchema.optional(),
    batch: z.strictObject({ size: positiveIntSchema, window: durationSchema.optional() }).optional(),
    get steps(): StepListSchema {
      return stepListSchema;
    },
  }),
);

export const stepSchema: z.ZodDiscriminatedUnion<
  [
    typeof skillStepSchema,
    typeof agentStepSchema,
    typeof parallelStepSchema,
    typeof conditionalStepSchema,
    typeof switchStepSchema,
    typeof loopStepSchema,
    typeof forkJoinStepSchema,
    typeof workflowStepSchema,
    typeof waitStepSchema,
    typeof eventStepSchema,
    typeof approvalStepSchema,
    typeof validateStepSchema,
    typeof setStepSchema,
    typeof failStepSchema,
    typeof streamStepSchema,
  ],
  'type'
> = z
  .discriminatedUnion('type', [
    skillStepSchema,
    agentStepSchema,
    parallelStepSchema,
    conditionalStepSchema,
    switchStepSchema,
    loopStepSchema,
    forkJoinStepSchema,
    workflowStepSchema,
    waitStepSchema,
    eventStepSchema,
    approvalStepSchema,
    validateStepSchema,
    setStepSchema,
    failStepSchema,
    streamStepSchema,
  ])
  .meta({ id: 'Step' });

export const stepListSchema: StepListSchema = z.array(stepSchema).min(1).meta({ id: 'Steps' });
const branchesSchema = z.record(z.string(), stepListSchema);

export type StepDef = z.output<typeof stepSchema>;
export type SkillStepDef = z.output<typeof skillStepSchema>;
export type AgentStepDef = z.output<typeof agentStepSchema>;
export type ParallelStepDef = z.output<typeof parallelStepSchema>;
export type ConditionalStepDef = z.output<typeof conditionalStepSchema>;
export type SwitchStepDef = z.output<typeof switchStepSchema>;
export type LoopStepDef = z.output<typeof loopStepSchema>;
export type ForkJoinStepDef = z.output<typeof forkJoinStepSchema>;
export type WorkflowStepDef = z.output<typeof workflowStepSchema>;
export type WaitStepDef = z.output<typeof waitStepSchema>;
export type EventStepDef = z.output<typeof eventStepSchema>;
export type ApprovalStepDef = z.output<typeof approvalStepSchema>;
export type ValidateStepDef = z.output<typeof validateStepSchema>;
export type SetStepDef = z.output<typeof setStepSchema>;
export type FailStepDef = z.output<typeof failStepSchema>;
export type StreamStepDef = z.output<typeof streamStepSchema>;
