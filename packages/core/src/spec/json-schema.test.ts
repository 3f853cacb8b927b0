import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKFLOW_SCHEMA_ID, workflowJsonSchema } from './index.js';

const committed = new URL('../../../../schema/workflow.schema.json', import.meta.url);
const fixture = (name: string): unknown =>
  parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('workflow JSON Schema', () => {
  it('is committed as generated (run `npm run schema` after changing the model)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
  });

  it('names itself for editors', () => {
    expect(workflowJsonSchema()).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: WORKFLOW_SCHEMA_ID,
      title: 'Weft workflow',
    });
  });

  it('is a valid 2020-12 schema that accepts valid documents and refuses broken ones', () => {
    const validate = new Ajv2020({ strict: false }).compile(workflowJsonSchema());
    expect(validate(fixture('every-step.yaml'))).toBe(true);
    expect(validate(fixture('order-lifecycle.yaml'))).toBe(true);
    expect(validate({ name: 'x', steps: [{ id: 'a', type: 'skill', skill: 'echo', nedds: [] }] })).toBe(
      false,
    );
    expect(validate({ name: 'x', steps: [{ id: 'a', type: 'wait', duration: '30' }] })).toBe(false);
    expect(validate({ name: 'x', steps: [{ id: 'a', type: 'lopo' }] })).toBe(false);
    expect(validate({ name: 'x', type: 'state_machine', initial: 'a', states: {}, steps: [] })).toBe(false);
  });
});
