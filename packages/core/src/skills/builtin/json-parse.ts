import { WeftError } from '../../errors.js';
import { jsonErrorPosition } from '../support/json-position.js';
import { defineSkill } from '../types.js';

export interface JsonParseInput {
  text: string;
}

export const jsonParseSkill = defineSkill<JsonParseInput, unknown>({
  name: 'json.parse',
  description: 'Parses JSON text into a value.',
  input: {
    type: 'object',
    properties: { text: { type: 'string' } },
    required: ['text'],
    additionalProperties: false,
  },
  run: ({ text }) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const at = jsonErrorPosition(text);
      const why = at
        ? ` at line ${at.line}, column ${at.column}: ${at.problem}`
        : `: ${(error as Error).message}`;
      throw new WeftError('skill_error', `json.parse: invalid JSON${why}`, {
        cause: error,
        details: at ? { offset: at.offset, line: at.line, column: at.column } : {},
      });
    }
  },
});
