import { describeValue, type Finding, type Path } from '../spec/problems.js';
import { isMapping } from '../spec/values.js';
import { didYouMean } from '../util/did-you-mean.js';
import { checkValue } from './parameter-values.js';
import { PARAMETER_NAME } from './placeholders.js';
import type { TemplateParameter, TemplateParameterType } from './template-types.js';

/** The `parameters:` of a template checked: each declaration's type, values, pattern and default. */

export const PARAMETER_TYPES: readonly TemplateParameterType[] = [
  'string',
  'integer',
  'number',
  'boolean',
  'enum',
  'duration',
  'agent',
  'workflow',
  'skill',
];

const PARAMETER_FIELDS = ['type', 'description', 'required', 'default', 'values', 'pattern'];

/** Reports fields not in `known`, with did-you-mean. */
export function unknownFields(
  value: Record<string, unknown>,
  path: Path,
  known: readonly string[],
  what: string,
  findings: Finding[],
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    findings.push({
      path: [...path, key],
      anchor: 'key',
      message: `unknown field '${key}' in a ${what}${didYouMean(key, known)}; expected ${known.join(', ')}`,
    });
  }
}

/** The valid declarations by name; each problem of the others is a finding. */
export function checkParameters(value: unknown, findings: Finding[]): Record<string, TemplateParameter> {
  const out: Record<string, TemplateParameter> = {};
  if (value === undefined || value === null) return out;
  if (!isMapping(value)) {
    findings.push({
      path: ['parameters'],
      message: `expected a mapping of parameters by name, got ${describeValue(value)}`,
    });
    return out;
  }
  for (const [name, declared] of Object.entries(value)) {
    const path: Path = ['parameters', name];
    if (!PARAMETER_NAME.test(name)) {
      findings.push({
        path,
        anchor: 'key',
        message: `expected a parameter name matching ${PARAMETER_NAME.source}, got '${name}'`,
      });
    }
    if (!isMapping(declared)) {
      findings.push({
        path,
        message: `expected a mapping with at least \`type\`, got ${describeValue(declared)}`,
      });
      continue;
    }
    const parameter = checkParameter(declared, path, findings);
    if (parameter) out[name] = parameter;
  }
  return out;
}

function checkParameter(
  declared: Record<string, unknown>,
  path: Path,
  findings: Finding[],
): TemplateParameter | undefined {
  unknownFields(declared, path, PARAMETER_FIELDS, 'parameter', findings);
  const before = findings.length;
  const type = declared.type;
  if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
    const hint = typeof type === 'string' ? didYouMean(type, PARAMETER_TYPES) : '';
    findings.push({
      path: type === undefined ? path : [...path, 'type'],
      message:
        type === undefined
          ? `type is required: one of ${PARAMETER_TYPES.join(', ')}`
          : `unknown parameter type ${describeValue(type)}${hint}; expected one of ${PARAMETER_TYPES.join(', ')}`,
    });
    return undefined;
  }
  const parameter: TemplateParameter = { type: type as TemplateParameterType };
  if (declared.description !== undefined) {
    if (typeof declared.description === 'string') parameter.description = declared.description;
    else
      findings.push({
        path: [...path, 'description'],
        message: `expected text, got ${describeValue(declared.description)}`,
      });
  }
  if (declared.required !== undefined) {
    if (typeof declared.required === 'boolean') parameter.required = declared.required;
    else
      findings.push({
        path: [...path, 'required'],
        message: `expected true or false, got ${describeValue(declared.required)}`,
      });
  }
  checkValues(declared, parameter, path, findings);
  checkPattern(declared, parameter, path, findings);
  if (declared.default !== undefined && findings.length === before) {
    const checked = checkValue(parameter, declared.default);
    if ('error' in checked)
      findings.push({ path: [...path, 'default'], message: `bad default: ${checked.error}` });
    else parameter.default = checked.value;
  }
  return findings.length === before ? parameter : undefined;
}

function checkValues(
  declared: Record<string, unknown>,
  parameter: TemplateParameter,
  path: Path,
  findings: Finding[],
): void {
  const values = declared.values;
  if (parameter.type !== 'enum') {
    if (values !== undefined)
      findings.push({
        path: [...path, 'values'],
        message: `values applies to enum parameters only, not ${parameter.type}`,
      });
    return;
  }
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
    findings.push({
      path: values === undefined ? path : [...path, 'values'],
      message: `an enum parameter needs values: a non-empty list of strings, got ${describeValue(values)}`,
    });
    return;
  }
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined)
    findings.push({ path: [...path, 'values'], message: `'${repeated}' is listed twice` });
  parameter.values = values as string[];
}

function checkPattern(
  declared: Record<string, unknown>,
  parameter: TemplateParameter,
  path: Path,
  findings: Finding[],
): void {
  const pattern = declared.pattern;
  if (pattern === undefined) return;
  if (parameter.type !== 'string') {
    findings.push({
      path: [...path, 'pattern'],
      message: `pattern applies to string parameters only, not ${parameter.type}`,
    });
    return;
  }
  if (typeof pattern !== 'string') {
    findings.push({
      path: [...path, 'pattern'],
      message: `expected a regular expression as text, got ${describeValue(pattern)}`,
    });
    return;
  }
  try {
    new RegExp(pattern, 'u');
    parameter.pattern = pattern;
  } catch (error) {
    findings.push({
      path: [...path, 'pattern'],
      message: `not a valid regular expression: ${(error as Error).message}`,
    });
  }
}
