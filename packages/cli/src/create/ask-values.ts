import type { InputSchema } from './catalog.js';
import { identifierCheck } from './checks.js';
import type { Choice } from './prompt-set.js';
import type { WizardSession } from './session.js';
import { parseValue, typesOf } from './values.js';

const VALUE_HINT = 'JSON, text, or a ${ } expression';

/**
 * Asks name/value pairs until an empty name (at least `min` of them): a set step's values, the
 * inputs of a skill without declared fields, of a workflow step.
 */
export async function askValues(
  session: WizardSession,
  options: { what: string; min?: number },
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (;;) {
    const count = Object.keys(values).length;
    const needed = count < (options.min ?? 0);
    const name = await session.prompts.input({
      message: `${options.what} name${needed ? '' : count === 0 ? ' (empty for none)' : ' (empty to finish)'}`,
      required: needed,
      validate: identifierCheck(`${options.what} name`, new Set(Object.keys(values))),
    });
    if (name === '') return values;
    values[name] = await askValue(session, `${options.what} '${name}' (${VALUE_HINT})`, [], true);
  }
}

/**
 * Asks the inputs a skill declares in its JSON Schema, required ones first; optional ones may be
 * left empty. A skill that declares no fields gets the name/value loop.
 */
export async function askSchemaInputs(
  session: WizardSession,
  owner: string,
  schema: InputSchema | undefined,
): Promise<Record<string, unknown>> {
  const properties = Object.entries(schema?.properties ?? {});
  if (properties.length === 0) {
    return schema?.additionalProperties === false ? {} : askValues(session, { what: `${owner} input` });
  }
  const required = new Set(schema?.required ?? []);
  properties.sort(([a], [b]) => Number(required.has(b)) - Number(required.has(a)));
  const values: Record<string, unknown> = {};
  for (const [name, property] of properties) {
    const types = typesOf(property.type);
    const optional = required.has(name)
      ? ''
      : `, optional${property.default === undefined ? '' : `: empty for ${JSON.stringify(property.default)}`}`;
    const kind = types.length === 0 ? 'any JSON' : types.join(' or ');
    const about = property.description ? `: ${property.description}` : '';
    const message = `${owner} input '${name}' (${kind}${optional})${about}`;
    const value = Array.isArray(property.enum)
      ? await askEnum(session, `${owner} input '${name}'${about}`, property, required.has(name))
      : await askValue(session, message, types, required.has(name));
    if (value !== undefined) values[name] = value;
  }
  return values;
}

const LEAVE_OUT = Symbol('leave out');

/** One of a property's `enum` values; optional ones may be left out (the skill's default applies). */
async function askEnum(
  session: WizardSession,
  message: string,
  property: InputSchema,
  required: boolean,
): Promise<unknown> {
  const choices: Choice<unknown>[] = (property.enum ?? []).map((value) => ({ value, name: String(value) }));
  if (!required) {
    const unset = property.default === undefined ? '(leave out)' : `(leave out: ${String(property.default)})`;
    choices.unshift({ value: LEAVE_OUT, name: unset });
  }
  const answer = await session.prompts.select({ message, choices });
  return answer === LEAVE_OUT ? undefined : answer;
}

/** One value; `undefined` when it is optional and left empty. */
async function askValue(
  session: WizardSession,
  message: string,
  types: readonly string[],
  required: boolean,
): Promise<unknown> {
  const text = await session.prompts.input({
    message,
    required,
    validate: (answer) => {
      if (answer === '') return true;
      const parsed = parseValue(answer, types);
      return 'error' in parsed ? parsed.error : true;
    },
  });
  if (text === '') return undefined;
  const parsed = parseValue(text, types);
  return 'value' in parsed ? parsed.value : text;
}
