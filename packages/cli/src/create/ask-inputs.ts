import { identifierCheck } from './checks.js';
import type { Choice } from './prompt-set.js';
import type { WizardSession } from './session.js';
import { parseValue } from './values.js';

type InputType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

const TYPES: Choice<InputType>[] = [
  { value: 'string', name: 'string' },
  { value: 'integer', name: 'integer' },
  { value: 'number', name: 'number' },
  { value: 'boolean', name: 'boolean (true or false)' },
  { value: 'array', name: 'array (a JSON list)' },
  { value: 'object', name: 'object (a JSON mapping)' },
];

/** The run's `inputs`: a JSON Schema object built one field at a time; undefined when there are none. */
export async function askInputs(session: WizardSession): Promise<Record<string, unknown> | undefined> {
  const { prompts } = session;
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (;;) {
    const first = Object.keys(properties).length === 0;
    const name = await prompts.input({
      message: first ? 'Run input name (empty for none)' : 'Another run input name (empty to finish)',
      validate: identifierCheck('input name', new Set(Object.keys(properties))),
    });
    if (name === '') break;
    const type = await prompts.select({
      message: `Type of input '${name}'`,
      choices: TYPES,
      default: 'string',
    });
    const property: Record<string, unknown> = { type };
    const description = (await prompts.input({ message: `Description of '${name}' (optional)` })).trim();
    if (description !== '') property.description = description;
    const defaultText = await prompts.input({
      message: `Default of '${name}' (empty for none)`,
      validate: (text) => {
        if (text === '') return true;
        const parsed = parseValue(text, [type], { expressions: false });
        return 'error' in parsed ? parsed.error : true;
      },
    });
    if (defaultText !== '') {
      const parsed = parseValue(defaultText, [type], { expressions: false });
      if ('value' in parsed) property.default = parsed.value;
    } else if (await prompts.confirm({ message: `Is '${name}' required?`, default: true })) {
      required.push(name);
    }
    properties[name] = property;
  }
  if (Object.keys(properties).length === 0) return undefined;
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}
