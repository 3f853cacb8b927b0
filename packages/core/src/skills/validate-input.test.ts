import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WeftError } from '../errors.js';
import { rejectionOf } from './testing.js';
import { defineSkill } from './types.js';
import { createInputValidator, createOutputValidator } from './validate-input.js';

const jsonSkill = defineSkill({
  name: 'acme.order',
  input: {
    type: 'object',
    properties: {
      url: { type: 'string', format: 'uri' },
      count: { type: 'integer', minimum: 1, default: 1 },
      tags: { type: 'array', items: { type: 'string' } },
      mode: { enum: ['fast', 'safe'] },
    },
    required: ['url'],
    additionalProperties: false,
  },
  run: (input) => input,
});

const zodSkill = defineSkill({
  name: 'acme.zod',
  input: z.object({
    name: z.string(),
    retries: z.number().int().default(3),
    nested: z.object({ on: z.boolean() }),
  }),
  output: z.object({ ok: z.literal(true) }),
  run: () => ({ ok: true }),
});

describe('createInputValidator with JSON Schema', () => {
  const validate = createInputValidator(jsonSkill)!;

  it('is undefined for a skill without an input schema, and compiled once per skill', () => {
    expect(createInputValidator(defineSkill({ name: 'free', run: () => null }))).toBeUndefined();
    expect(createInputValidator(jsonSkill)).toBe(validate);
  });

  it('applies defaults to a copy of the input', async () => {
    const input = { url: 'https://x.test/a' };
    expect(await validate(input)).toEqual({ url: 'https://x.test/a', count: 1 });
    expect(input).toEqual({ url: 'https://x.test/a' });
  });

  it('lists every problem with its path', async () => {
    const error = await rejectionOf(
      validate({ url: 'not a uri', count: 0, tags: ['a', 2], mode: 'slow', cont: 1 }),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(
      "skill 'acme.order' input: /cont is not allowed (did you mean 'count'?); " +
        '/url must match format "uri"; /count must be >= 1; /tags/1 must be string; ' +
        '/mode must be one of "fast", "safe", got "slow"',
    );
    expect(error.details.errors).toEqual([
      { path: '/cont', message: "is not allowed (did you mean 'count'?)" },
      { path: '/url', message: 'must match format "uri"' },
      { path: '/count', message: 'must be >= 1' },
      { path: '/tags/1', message: 'must be string' },
      { path: '/mode', message: 'must be one of "fast", "safe", got "slow"' },
    ]);
    expect((await rejectionOf(validate({}))).message).toBe("skill 'acme.order' input: /url is required");
  });

  it('accepts draft-07 schemas and refuses a broken schema with invalid_config', async () => {
    const draft7 = defineSkill({
      name: 'old',
      input: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['a'] },
      run: () => null,
    });
    expect((await rejectionOf(createInputValidator(draft7)!({}))).message).toBe(
      "skill 'old' input: /a is required",
    );
    const broken = defineSkill({
      name: 'broken',
      input: { type: 'object', properties: { a: { type: 'nope' } } },
      run: () => null,
    });
    let error: unknown;
    try {
      createInputValidator(broken);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(WeftError);
    expect((error as WeftError).code).toBe('invalid_config');
    expect((error as WeftError).message).toMatch(/^skill 'broken' input schema is not valid JSON Schema: /);
  });
});

describe('createInputValidator with a Standard Schema (zod)', () => {
  const validate = createInputValidator(zodSkill)!;

  it('returns the parsed value, defaults applied', async () => {
    expect(await validate({ name: 'a', nested: { on: true } })).toEqual({
      name: 'a',
      retries: 3,
      nested: { on: true },
    });
  });

  it('reports issues with JSON Pointer paths', async () => {
    const error = await rejectionOf(validate({ name: 5, nested: { on: 'yes' } }));
    expect(error.code).toBe('validation_failed');
    expect(error.details.errors).toEqual([
      { path: '/name', message: 'Invalid input: expected string, received number' },
      { path: '/nested/on', message: 'Invalid input: expected boolean, received string' },
    ]);
    expect(error.message).toBe(
      "skill 'acme.zod' input: /name Invalid input: expected string, received number; " +
        '/nested/on Invalid input: expected boolean, received string',
    );
  });

  it('checks outputs the same way', async () => {
    const validateOutput = createOutputValidator(zodSkill)!;
    expect(await validateOutput({ ok: true })).toEqual({ ok: true });
    expect((await rejectionOf(validateOutput({ ok: false }))).message).toMatch(
      /^skill 'acme\.zod' output: \/ok /,
    );
  });
});
