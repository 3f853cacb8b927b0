import { defineSkill } from '../types.js';

export const echoSkill = defineSkill<Record<string, unknown>, Record<string, unknown>>({
  name: 'echo',
  description: 'Returns its input object unchanged.',
  input: { type: 'object' },
  run: (input) => input,
});
