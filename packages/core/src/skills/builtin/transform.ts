import { defineSkill } from '../types.js';

export interface TransformInput {
  value: unknown;
}

export const transformSkill = defineSkill<TransformInput, unknown>({
  name: 'transform',
  description: 'Returns `value` (its expressions already evaluated): reshapes data between steps.',
  input: {
    type: 'object',
    properties: { value: { description: 'Any value; usually built from expressions.' } },
    required: ['value'],
    additionalProperties: false,
  },
  run: ({ value }) => value,
});
