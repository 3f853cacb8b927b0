import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { formatIssues, issuesFromAjv, type SchemaIssue } from '../skills/schema-issues.js';
import { extendScope, within } from './support/scope.js';
import type { StepContext, StepType } from './types.js';

interface ValidateStep {
  data: Evaluable;
  /** Compiled at load when the schema is written out; else compiled when first evaluated. */
  schema: ValidateFunction | Evaluable | undefined;
  assertions: { that: Evaluable<boolean>; message: string }[];
  strict: boolean;
}

// `verbose` gives issuesFromAjv what it needs for did-you-mean hints.
const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
ajvFormats.default(ajv);
const bySource = new Map<string, ValidateFunction>();

function compileSchema(schema: unknown, where: string): ValidateFunction {
  const source = JSON.stringify(schema);
  const cached = bySource.get(source);
  if (cached) return cached;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new WeftError(
      'expression_error',
      `${where}: schema must be an object (a JSON Schema), got ${source}`,
    );
  }
  try {
    const validate = ajv.compile(schema);
    // Schemas from expressions can vary without end: keep the cache bounded.
    if (bySource.size >= 256) bySource.clear();
    bySource.set(source, validate);
    return validate;
  } catch (error) {
    throw new WeftError(
      'invalid_document',
      `${where}: schema is not valid JSON Schema: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function validatorFor(step: ValidateStep, ctx: StepContext): ValidateFunction | undefined {
  const { schema } = step;
  if (schema === undefined || typeof schema === 'function') return schema;
  return compileSchema(ctx.evaluate(schema), `step '${ctx.stepKey}'`);
}

/** An assertion that does not hold, or cannot be evaluated (a key missing in `data`), fails. */
function assertionIssue(ctx: StepContext, assertion: ValidateStep['assertions'][number], data: unknown) {
  try {
    if (ctx.evaluate(within(assertion.that, extendScope(ctx.scope, { data })))) return undefined;
    return { path: '', message: assertion.message };
  } catch (error) {
    return { path: '', message: `${assertion.message} (${(error as Error).message})` };
  }
}

/**
 * `type: validate` — checks `data` against a JSON Schema (2020-12) and `assertions` (`that` sees
 * `${ data }`). Output: `{ valid, errors: [{ path, message }] }`; `path` is a JSON Pointer into
 * the data (`/items/0/id`; `` for the data itself and for assertions). `mode: strict` (default)
 * fails with `validation_failed` (`details.errors`) when invalid; `warn` completes and logs.
 */
export const validateStep: StepType<ValidateStep> = {
  type: 'validate',
  compile(definition, ctx) {
    const written = definition.schema;
    const schemaValue = written === undefined ? undefined : ctx.value(written, 'schema');
    return {
      data: ctx.value(definition.data, 'data'),
      schema: schemaValue?.isStatic ? compileSchema(written, `${ctx.path}.schema`) : schemaValue,
      assertions: ((definition.assertions ?? []) as Record<string, unknown>[]).map((entry, index) => ({
        that: ctx.condition(entry.that, `assertions[${index}].that`),
        message:
          typeof entry.message === 'string'
            ? entry.message
            : `assertion ${index} failed: ${String(entry.that)}`,
      })),
      strict: definition.mode !== 'warn',
    };
  },
  async execute(step, ctx) {
    const data = ctx.evaluate(step.compiled.data);
    ctx.recordInput({ data });
    const validate = validatorFor(step.compiled, ctx);
    const errors: SchemaIssue[] = [];
    if (validate && !validate(data)) errors.push(...issuesFromAjv(validate.errors ?? []));
    for (const assertion of step.compiled.assertions) {
      const issue = assertionIssue(ctx, assertion, data);
      if (issue) errors.push(issue);
    }
    if (errors.length === 0) return { output: { valid: true, errors } };
    const summary = `step '${ctx.stepKey}': the data is not valid: ${formatIssues(errors)}`;
    if (step.compiled.strict) throw new WeftError('validation_failed', summary, { details: { errors } });
    ctx.logger.warn(summary, { errors });
    return { output: { valid: false, errors } };
  },
};
