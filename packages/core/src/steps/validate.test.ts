import { describe, expect, it } from 'vitest';
import { runDoc, useStepEngines } from '../../test/support/step-engine.js';

const engines = useStepEngines();
const setup = async () => (await engines()).engine;

const doc = (mode = 'strict') => `name: check
steps:
  - id: check
    type: validate
    data: \${ inputs.order }
    mode: ${mode}
    schema:
      type: object
      required: [id, items]
      properties:
        id: { type: string }
        email: { type: string, format: email }
        items: { type: array, items: { type: object, required: [sku] } }
    assertions:
      - that: \${ data.items.size() > 0 }
        message: an order needs items
      - that: data.total >= 0
        message: total must not be negative
`;

describe('validate', () => {
  it('completes with { valid: true, errors: [] } when schema and assertions hold', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(), { order: { id: 'o1', items: [{ sku: 'x' }], total: 3 } });
    expect(result).toMatchObject({ status: 'completed', output: { valid: true, errors: [] } });
  });

  it('strict: fails with validation_failed, listing every problem with a JSON Pointer path', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(), { order: { id: 7, email: 'nope', items: [{}], total: -1 } });
    expect(result.error).toMatchObject({ code: 'validation_failed', step: 'check' });
    expect(result.error?.errors).toEqual([
      { path: '/id', message: 'must be string' },
      { path: '/email', message: 'must match format "email"' },
      { path: '/items/0/sku', message: 'is required' },
      { path: '', message: 'total must not be negative' },
    ]);
    expect(result.error?.message).toContain("step 'check': the data is not valid: /id must be string;");
  });

  it('an assertion that cannot be evaluated (a key missing in data) fails as an assertion', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc('warn'), { order: { id: 'o1', items: [{ sku: 'x' }] } });
    expect(result.status).toBe('completed');
    const output = result.output as { valid: boolean; errors: { path: string; message: string }[] };
    expect(output.valid).toBe(false);
    expect(output.errors).toHaveLength(1);
    expect(output.errors[0]?.message).toMatch(/^total must not be negative \(step 'check': expression/);
  });

  it('warn: completes with valid false and the errors', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc('warn'), { order: { items: [], total: 1 } });
    expect(result).toMatchObject({
      status: 'completed',
      output: {
        valid: false,
        errors: [
          { path: '/id', message: 'is required' },
          { path: '', message: 'an order needs items' },
        ],
      },
    });
  });

  it('takes a schema from an expression, compiled when the step runs', async () => {
    const engine = await setup();
    const source = `name: dynamic
steps:
  - { id: v, type: validate, data: "\${ inputs.value }", schema: "\${ inputs.schema }", mode: warn }
`;
    const schema = { type: 'integer', minimum: 10 };
    expect((await runDoc(engine, source, { value: 12, schema })).output).toEqual({ valid: true, errors: [] });
    expect((await runDoc(engine, source, { value: 3, schema })).output).toEqual({
      valid: false,
      errors: [{ path: '', message: 'must be >= 10' }],
    });
    const notSchema = await runDoc(engine, source, { value: 3, schema: 'nope' });
    expect(notSchema.error).toMatchObject({ code: 'expression_error', step: 'v' });
  });

  it('refuses a written schema that is not valid JSON Schema when the document loads', async () => {
    const engine = await setup();
    const source = `name: badschema
steps:
  - { id: v, type: validate, data: 1, schema: { type: 12 } }
`;
    await expect(engine.start({ source })).rejects.toThrow(/schema/);
  });
});
