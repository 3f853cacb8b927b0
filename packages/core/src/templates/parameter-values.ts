import { describeValue } from '../spec/problems.js';
import { didYouMean } from '../util/did-you-mean.js';
import { parseDuration } from '../util/duration.js';
import type { ParameterProblem, TemplateDefinition, TemplateParameter } from './template-types.js';

/** The names `agent`, `workflow` and `skill` parameters must be one of. */
export interface KnownNames {
  agents(): ReadonlySet<string>;
  skills(): ReadonlySet<string>;
  workflows(): Promise<ReadonlySet<string>>;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A value checked against its parameter's type, `pattern` and `values`. A string (`--param k=v`) is
 * converted to the type; a typed value (JSON, the API) must already have it.
 * @example checkValue({ type: 'integer' }, '3') // { value: 3 }
 */
export function checkValue(
  parameter: TemplateParameter,
  given: unknown,
): { value: unknown } | { error: string } {
  const text = typeof given === 'string' ? given.trim() : undefined;
  switch (parameter.type) {
    case 'integer': {
      if (typeof given === 'number' && Number.isSafeInteger(given)) return { value: given };
      if (text !== undefined && INTEGER.test(text) && Number.isSafeInteger(Number(text)))
        return { value: Number(text) };
      return { error: `expected an integer, got ${describeValue(given)}` };
    }
    case 'number': {
      if (typeof given === 'number' && Number.isFinite(given)) return { value: given };
      if (text !== undefined && NUMBER.test(text)) return { value: Number(text) };
      return { error: `expected a number, got ${describeValue(given)}` };
    }
    case 'boolean': {
      if (typeof given === 'boolean') return { value: given };
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `expected true or false, got ${describeValue(given)}` };
    }
    case 'duration': {
      try {
        parseDuration(given);
        return { value: text };
      } catch (error) {
        return { error: (error as Error).message };
      }
    }
    case 'enum': {
      const values = parameter.values ?? [];
      if (typeof given === 'string' && values.includes(given)) return { value: given };
      const hint = typeof given === 'string' ? didYouMean(given, values) : '';
      return {
        error: `expected one of ${values.map((v) => `'${v}'`).join(', ')}, got ${describeValue(given)}${hint}`,
      };
    }
    default: {
      if (typeof given !== 'string') return { error: `expected a string, got ${describeValue(given)}` };
      if (parameter.type !== 'string' && given.trim() === '') {
        return { error: `expected the name of ${article(parameter.type)}, got an empty string` };
      }
      if (parameter.pattern !== undefined && !new RegExp(`^(?:${parameter.pattern})$`, 'u').test(given)) {
        return { error: `expected a value matching /${parameter.pattern}/, got ${describeValue(given)}` };
      }
      return { value: given };
    }
  }
}

/**
 * The values an instantiation uses: the given ones checked and converted, defaults for the rest.
 * Every problem is reported (wrong types, missing required, pattern and enum mismatches, unknown
 * parameter names, agents, workflows and skills that do not exist), each naming its parameter.
 */
export async function resolveParameters(
  template: TemplateDefinition,
  given: Readonly<Record<string, unknown>>,
  known: KnownNames,
): Promise<{ values: Record<string, unknown>; problems: ParameterProblem[] }> {
  const declared = Object.keys(template.parameters);
  const problems: ParameterProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(template.parameters, name)) continue;
    const list = declared.length === 0 ? 'it has none' : `it has ${declared.join(', ')}`;
    problems.push({
      parameter: name,
      message: `unknown parameter${didYouMean(name, declared)}; template '${template.name}' does not declare it (${list})`,
    });
  }
  let workflows: ReadonlySet<string> | undefined;
  for (const [name, parameter] of Object.entries(template.parameters)) {
    const raw = Object.hasOwn(given, name) ? given[name] : parameter.default;
    if (raw === undefined) {
      if (parameter.required)
        problems.push({ parameter: name, message: `required, and not given${hint(parameter)}` });
      continue;
    }
    const checked = checkValue(parameter, raw);
    if ('error' in checked) {
      problems.push({ parameter: name, message: checked.error });
      continue;
    }
    const value = checked.value as string;
    if (parameter.type === 'agent') {
      const missing = absent('agent', value, known.agents(), 'under `agents:` in weft.config.yaml');
      if (missing) problems.push({ parameter: name, message: missing });
    } else if (parameter.type === 'skill') {
      const missing = absent('skill', value, known.skills(), 'built in, or from a skill module');
      if (missing) problems.push({ parameter: name, message: missing });
    } else if (parameter.type === 'workflow') {
      workflows ??= await known.workflows();
      const missing = absent('registered workflow', value, workflows, 'with `weft workflows push <file>`');
      if (missing) problems.push({ parameter: name, message: missing });
    }
    values[name] = checked.value;
  }
  return { values, problems };
}

function absent(what: string, name: string, names: ReadonlySet<string>, how: string): string | undefined {
  if (names.has(name)) return undefined;
  const listed =
    names.size === 0 ? `there are none (add one ${how})` : `known: ${[...names].sort().join(', ')}`;
  return `no ${what} '${name}'${didYouMean(name, names)}; ${listed}`;
}

function hint(parameter: TemplateParameter): string {
  const about = parameter.description ? `: ${parameter.description}` : '';
  const values =
    parameter.type === 'enum' ? ` (one of ${(parameter.values ?? []).join(', ')})` : ` (${parameter.type})`;
  return `${values}${about}`;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
