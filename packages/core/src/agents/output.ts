import type { ValidateFunction } from 'ajv/dist/2020.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { AgentResponse } from './types.js';

const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
ajvFormats.default(ajv);

/** Compiles a step's `output_schema`. */
export function compileOutputSchema(schema: Record<string, unknown>): ValidateFunction {
  return ajv.compile(schema);
}

/** Strips a ```json fence a model may wrap its answer in. */
function unfence(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return (match ? match[1]! : text).trim();
}

/** The parsed answer when it is JSON matching the schema, else what is wrong with it. */
export function checkOutput(
  response: AgentResponse,
  validate: ValidateFunction,
): { value: unknown } | { problem: string } {
  let value: unknown = response.json;
  if (value === undefined) {
    try {
      value = JSON.parse(unfence(response.text));
    } catch (error) {
      return { problem: `not JSON (${(error as Error).message})` };
    }
  }
  if (validate(value)) return { value };
  const problem = (validate.errors ?? [])
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
  return { problem: problem || 'does not match' };
}

/** The prompt of the one repair attempt. */
export function repairPrompt(prompt: string, previous: string, problem: string): string {
  return `${prompt}\n\nYour previous answer was:\n${previous}\n\nIt was rejected: ${problem}. Answer again with only the corrected JSON.`;
}
