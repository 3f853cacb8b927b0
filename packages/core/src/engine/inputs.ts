import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { WeftError } from '../errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let ajv: Ajv2020 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    ajv ??= addFormats(new Ajv2020({ allErrors: true, useDefaults: true, strict: false }));
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Checks a run input against the workflow's `inputs` schema and applies its `default`s.
 * Throws `invalid_input` listing every schema error with its JSON path.
 */
export function prepareInput(
  workflow: string,
  schema: Record<string, unknown> | undefined,
  input: unknown,
): unknown {
  const value = structuredClone(input ?? {});
  if (!schema) return value;
  const validate = validatorFor(schema);
  if (validate(value)) return value;
  const problems = (validate.errors ?? []).map((error) => {
    const where = error.instancePath === '' ? 'input' : `input${error.instancePath.replaceAll('/', '.')}`;
    const extra =
      error.keyword === 'additionalProperties'
        ? ` '${String((error.params as { additionalProperty?: unknown }).additionalProperty)}'`
        : error.keyword === 'enum'
          ? `: ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}`
          : '';
    return { path: where, message: `${error.message ?? 'is invalid'}${extra}` };
  });
  throw new WeftError(
    'invalid_input',
    `input of workflow '${workflow}' does not match its inputs schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}
