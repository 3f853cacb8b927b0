import type { ValidateFunction } from 'ajv/dist/2020.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { WeftError } from '../errors.js';
import { formatIssues, issuesFromAjv, issuesFromStandard, type SchemaIssue } from './schema-issues.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import type { AnySkill, SkillSchema } from './types.js';

/** Checks a value against a skill's schema; resolves to the value to use (defaults applied). */
export type SkillValidator = (value: unknown) => Promise<unknown>;

const ajv = new Ajv2020({
  allErrors: true,
  useDefaults: true,
  strict: false,
  allowUnionTypes: true,
  verbose: true,
});
ajvFormats.default(ajv);

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';
const inputValidators = new WeakMap<AnySkill, SkillValidator | undefined>();
const outputValidators = new WeakMap<AnySkill, SkillValidator | undefined>();

/**
 * The validator for a skill's `input` (JSON Schema 2020-12 or Standard Schema), compiled once per
 * skill; undefined when the skill declares none. A mismatch rejects with `validation_failed`.
 * @example const input = await createInputValidator(skill)?.(raw) ?? raw;
 */
export function createInputValidator(skill: AnySkill): SkillValidator | undefined {
  return cached(inputValidators, skill, 'input');
}

/** As createInputValidator, for the skill's `output`. */
export function createOutputValidator(skill: AnySkill): SkillValidator | undefined {
  return cached(outputValidators, skill, 'output');
}

function cached(
  cache: WeakMap<AnySkill, SkillValidator | undefined>,
  skill: AnySkill,
  which: 'input' | 'output',
): SkillValidator | undefined {
  if (cache.has(skill)) return cache.get(skill);
  const schema = skill[which];
  const validator = schema === undefined ? undefined : compile(schema, `skill '${skill.name}' ${which}`);
  cache.set(skill, validator);
  return validator;
}

function compile(schema: SkillSchema, label: string): SkillValidator {
  if (isStandardSchema(schema)) return standardValidator(schema, label);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(withoutForeignDialect(schema));
  } catch (error) {
    throw new WeftError(
      'invalid_config',
      `${label} schema is not valid JSON Schema: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  // Ajv writes defaults into the value it checks; copy so the caller's object stays as it was.
  const copy = hasDefaults(schema);
  return async (value) => {
    const target = copy ? structuredClone(value) : value;
    if (validate(target)) return target;
    throw invalid(label, issuesFromAjv(validate.errors ?? []));
  };
}

function standardValidator(schema: StandardSchemaV1, label: string): SkillValidator {
  return async (value) => {
    const result = await schema['~standard'].validate(value);
    if (result.issues === undefined) return result.value;
    throw invalid(label, issuesFromStandard(result.issues));
  };
}

function invalid(label: string, errors: SchemaIssue[]): WeftError {
  return new WeftError('validation_failed', `${label}: ${formatIssues(errors)}`, { details: { errors } });
}

function isStandardSchema(schema: SkillSchema): schema is StandardSchemaV1 {
  return typeof (schema as Partial<StandardSchemaV1>)['~standard'] === 'object';
}

// Schemas written for draft-07 and older mostly mean the same in 2020-12; Ajv2020 refuses their `$schema`.
function withoutForeignDialect(schema: Record<string, unknown>): Record<string, unknown> {
  if (typeof schema.$schema !== 'string' || schema.$schema.startsWith(DRAFT_2020)) return schema;
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

function hasDefaults(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasDefaults);
  if (typeof schema !== 'object' || schema === null) return false;
  return Object.entries(schema).some(([key, value]) => key === 'default' || hasDefaults(value));
}
