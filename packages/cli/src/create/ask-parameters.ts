import type { TemplateDefinition, TemplateParameter } from '@weft/core';
import { durationCheck } from './checks.js';
import type { Choice, Validation } from './prompt-set.js';
import type { WizardSession } from './session.js';

// An optional parameter without a default may be left out; in a select, this choice does it.
const LEAVE_OUT = Symbol('leave out');

/**
 * A template's parameters, one question each with the prompt that fits its type (enum -> a list,
 * boolean -> yes/no, integer/number -> a number, agent/workflow/skill -> the known ones), the
 * default pre-filled and the description in the question. Left-out optional ones are absent.
 */
export async function askParameters(
  session: WizardSession,
  template: TemplateDefinition,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(template.parameters)) {
    const value = await askParameter(session, name, parameter);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

async function askParameter(
  session: WizardSession,
  name: string,
  parameter: TemplateParameter,
): Promise<unknown> {
  const { prompts, core } = session;
  const required = parameter.required === true && parameter.default === undefined;
  const about = parameter.description ? `: ${parameter.description}` : '';
  const message = `${name} (${parameter.type}${required ? '' : ', optional'})${about}`;
  const asked: Asked = { name, message, parameter, required };
  switch (parameter.type) {
    case 'boolean':
      return prompts.confirm({ message, default: parameter.default === true });
    case 'integer':
    case 'number':
      return prompts.number({
        message,
        default: typeof parameter.default === 'number' ? parameter.default : undefined,
        step: parameter.type === 'integer' ? 1 : 'any',
        required,
      });
    case 'enum':
      return pick(session, asked, parameter.values ?? []);
    case 'agent':
      return pick(session, asked, names(session.catalog.agents), 'agents: in weft.config.yaml');
    case 'skill':
      return pick(session, asked, names(session.catalog.skills), 'skills: in weft.config.yaml');
    case 'workflow':
      return pick(session, asked, session.catalog.workflows, 'weft workflows push <file>');
    default: {
      const check =
        parameter.type === 'duration' ? durationCheck(core, !required) : patternCheck(parameter.pattern);
      const text = await prompts.input({
        message,
        default: parameter.default === undefined ? undefined : String(parameter.default),
        required,
        validate: (value) => (value === '' && !required ? true : check(value)),
      });
      return text === '' ? undefined : text;
    }
  }
}

interface Asked {
  name: string;
  message: string;
  parameter: TemplateParameter;
  required: boolean;
}

/** A select over `options`; a template that needs a kind of thing none of which exists is refused. */
async function pick(
  session: WizardSession,
  asked: Asked,
  options: readonly string[],
  howToAdd?: string,
): Promise<string | undefined> {
  const { name, message, parameter, required } = asked;
  if (options.length === 0 && required) {
    const add = howToAdd ? ` (add one: ${howToAdd})` : '';
    throw new session.core.WeftError(
      'invalid_input',
      `template parameter '${name}' needs ${parameter.type === 'enum' ? 'values' : `a ${parameter.type}`}, and there is none to pick${add}`,
    );
  }
  const choices: Choice<string | typeof LEAVE_OUT>[] = options.map((value) => ({ value, name: value }));
  if (!required && parameter.default === undefined) choices.push({ value: LEAVE_OUT, name: '(leave out)' });
  const fallback = typeof parameter.default === 'string' && options.includes(parameter.default);
  const answer = await session.prompts.select({
    message,
    choices,
    default: fallback ? (parameter.default as string) : undefined,
  });
  return answer === LEAVE_OUT ? undefined : answer;
}

function names(items: readonly { name: string }[]): string[] {
  return items.map((item) => item.name);
}

function patternCheck(pattern: string | undefined): (value: string) => Validation {
  if (pattern === undefined) return () => true;
  // The same anchoring as the template's own check: the whole value must match.
  const regex = new RegExp(`^(?:${pattern})$`, 'u');
  return (value) => (regex.test(value) ? true : `expected a value matching /${pattern}/, got '${value}'`);
}
