import { z } from 'zod';
import { parseDuration } from '../../util/duration.js';
import { describeValue } from '../problems.js';

/** Workflow names: `order-pipeline`, `billing.invoice`. */
export const WORKFLOW_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** Step ids: usable as `steps.<id>` in expressions. */
export const STEP_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The forms `parseDuration` reads, for editors; `parseDuration` stays the judge. */
const DURATION_PATTERN =
  /^(?:(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+|P(?!$)(?:\d+(?:\.\d+)?D)?(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$/;

/** Error codes of SPEC sections 4 and 6 that `retry_on` may name. */
export const ERROR_CODES = [
  'timeout',
  'http_status',
  'exit_code',
  'skill_error',
  'agent_error',
  'circuit_open',
  'event_timeout',
  'validation_failed',
  'expression_error',
  'join_failed',
  'max_iterations_exceeded',
  'max_tokens_exceeded',
  'tool_not_allowed',
  'max_depth_exceeded',
  'max_transitions_exceeded',
  'no_transition',
  'cancelled',
] as const;

/** A schema-level message; `undefined` (a missing value) falls through to "missing required field". */
function whenPresent(message: (input: unknown) => string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message(issue.input));
}

function durationMessage(input: unknown): string {
  try {
    parseDuration(input);
    return `expected a duration such as '30s' or 'PT30S' without spaces, got ${describeValue(input)}`;
  } catch (error) {
    return (error as Error).message;
  }
}

export const durationSchema = z
  .string({ error: whenPresent(durationMessage) })
  .regex(DURATION_PATTERN, { error: whenPresent(durationMessage) })
  .meta({
    id: 'Duration',
    description: "A duration: '250ms', '30s', '5m', '2h', '1d', '1h30m' or ISO 8601 'PT30S'.",
  });

/** A string holding at least one `${ }` expression. */
export const expressionSchema = z
  .string({
    error: whenPresent(
      (input) => `expected an expression such as '\${ inputs.x }', got ${describeValue(input)}`,
    ),
  })
  .regex(/\$\{/, {
    error: whenPresent(
      (input) => `expected an expression such as '\${ inputs.x }', got ${describeValue(input)}`,
    ),
  })
  .meta({ id: 'Expression', description: `A CEL expression in \${ }.` });

/** Condition fields also take a bare expression or a boolean. */
export const conditionSchema = z
  .union([z.boolean(), z.string().min(1)], {
    error: whenPresent(
      (input) => `expected a condition (an expression or a boolean), got ${describeValue(input)}`,
    ),
  })
  .meta({ id: 'Condition', description: `A boolean, a \${ } expression, or a bare CEL expression.` });

export const stepIdSchema = z
  .string()
  .regex(STEP_ID_PATTERN, {
    error: whenPresent(
      (input) =>
        `invalid step id ${describeValue(input)}: use letters, digits and '_', not starting with a digit`,
    ),
  })
  .meta({ description: `Unique in the whole document; \`\${ steps.<id> }\` in expressions.` });

export const workflowNameSchema = z.string().regex(WORKFLOW_NAME_PATTERN, {
  error: whenPresent(
    (input) =>
      `invalid workflow name ${describeValue(input)}: use lowercase letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)`,
  ),
});

/** Any mapping: step inputs, context, values. */
export const mappingSchema = z.record(z.string(), z.unknown());

/** A JSON Schema (2020-12) given inline; compiled when the document loads. */
export const jsonSchemaSchema = z
  .record(z.string(), z.unknown())
  .meta({ id: 'JsonSchema', description: 'A JSON Schema (2020-12).' });

/** Step inputs: a mapping (its strings may hold expressions) or one expression giving the mapping. */
export const inputsSchema = z.union([mappingSchema, expressionSchema], {
  error: whenPresent((input) => `expected a mapping of inputs or an expression, got ${describeValue(input)}`),
});

export const positiveIntSchema = z.int().min(1);

export const retrySchema = z
  .strictObject({
    max_attempts: positiveIntSchema.optional().describe('Total attempts, the first included.'),
    backoff: z.enum(['fixed', 'exponential', 'linear', 'immediate']).optional(),
    delay: durationSchema.optional(),
    multiplier: z.number().positive().optional(),
    increment: durationSchema.optional(),
    max_delay: durationSchema.optional(),
    jitter: z.number().min(0).max(1).optional(),
    retry_on: z.array(z.enum(ERROR_CODES)).optional(),
    retry_on_status: z.array(z.int().min(100).max(599)).optional(),
  })
  .meta({ id: 'Retry', description: 'Retry policy (SPEC section 4).' });

export const cacheSchema = z
  .strictObject({
    key: z.string().optional(),
    ttl: durationSchema.optional(),
    scope: z.enum(['global', 'workflow', 'user']).optional(),
    when: conditionSchema.optional(),
  })
  .meta({ id: 'Cache', description: 'Memoize the step result (SPEC section 4).' });

export const stepConcurrencySchema = z.strictObject({
  key: z.string(),
  limit: positiveIntSchema.optional().describe('Default 1.'),
});

export type RetryDef = z.output<typeof retrySchema>;
export type CacheDef = z.output<typeof cacheSchema>;
