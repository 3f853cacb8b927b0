import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { hasExpression } from '../expr/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import { describeValue, type Finding, type Path } from './problems.js';
import type { StepTree } from './step-tree.js';
import { isMapping, type Mapping, valueAt } from './values.js';

let ajv: Ajv2020 | undefined;

function compiler(): Ajv2020 {
  if (!ajv) {
    // strictSchema refuses unknown keywords (typos such as `requried`); type hints stay optional.
    ajv = new Ajv2020({ strict: false, strictSchema: true, addUsedSchema: false, logger: false });
    ajvFormats.default(ajv);
  }
  return ajv;
}

/** Inline JSON Schemas without expressions in them: field by step type. */
const SCHEMA_FIELDS: Record<string, string> = {
  agent: 'output_schema',
  approval: 'form',
  validate: 'schema',
};

/**
 * Compiles the JSON Schemas written in a document: the workflow `inputs` (SPEC section 1), and the
 * static `output_schema`, `form` and validate `schema` of steps.
 */
export function jsonSchemaFindings(document: Mapping, tree: StepTree): Finding[] {
  const findings: Finding[] = [];
  if (isMapping(document.inputs)) findings.push(...schemaProblems(document.inputs, ['inputs']));
  for (const node of tree.all) {
    const field = SCHEMA_FIELDS[node.type ?? ''];
    const schema = field === undefined ? undefined : node.raw[field];
    if (field && isMapping(schema) && !containsExpression(schema))
      findings.push(...schemaProblems(schema, [...node.path, field]));
  }
  return findings;
}

function schemaProblems(schema: Mapping, path: Path): Finding[] {
  const ajv = compiler();
  if (!ajv.validateSchema(schema)) {
    const first = ajv.errors?.[0];
    if (!first) return [{ path, message: 'invalid JSON Schema' }];
    const at = [...path, ...pointerToPath(schema, first.instancePath)];
    return [
      {
        path: at,
        message: `invalid JSON Schema: ${describeError(first, valueAt(schema, at.slice(path.length)))}`,
      },
    ];
  }
  try {
    ajv.compile(schema);
    return [];
  } catch (error) {
    return [
      { path, message: `invalid JSON Schema: ${(error as Error).message.replace(/^strict mode: /, '')}` },
    ];
  } finally {
    ajv.removeSchema(schema);
  }
}

function describeError(error: ErrorObject, value: unknown): string {
  const params = error.params as { allowedValues?: unknown[]; type?: string };
  if (error.keyword === 'enum' && params.allowedValues) {
    const allowed = params.allowedValues.map(String);
    const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
    return `expected one of ${allowed.join(', ')}, got ${describeValue(value)}${hint}`;
  }
  if (error.keyword === 'type' && params.type) return `expected ${params.type}, got ${describeValue(value)}`;
  return error.message ?? 'does not match the JSON Schema meta-schema';
}

/** `/properties/a/0` -> ['properties', 'a', 0], with list indexes as numbers. */
function pointerToPath(root: unknown, pointer: string): Path {
  const path: (string | number)[] = [];
  if (pointer === '') return path;
  let current = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const key = Array.isArray(current) ? Number(segment) : segment;
    path.push(key);
    current = valueAt(current, [key]);
  }
  return path;
}

function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return hasExpression(value);
  if (Array.isArray(value)) return value.some(containsExpression);
  return isMapping(value) && Object.values(value).some(containsExpression);
}
