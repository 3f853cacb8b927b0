import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { invokeSkill } from './invoke.js';
import { rejectionOf, testSkillContext } from './testing.js';
import { defineSkill } from './types.js';

describe('invokeSkill', () => {
  it('validates, runs and returns the output', async () => {
    const add = defineSkill<{ a: number; b: number }, number>({
      name: 'add',
      input: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number', default: 1 } },
        required: ['a'],
      },
      output: { type: 'number' },
      run: ({ a, b }) => a + b,
    });
    expect(await invokeSkill(add, { a: 2 }, testSkillContext())).toBe(3);
    expect((await rejectionOf(invokeSkill(add, { a: 'x' }, testSkillContext()))).code).toBe(
      'validation_failed',
    );
  });

  it('keeps a WeftError, turns other throws into skill_error, and an abort into its reason', async () => {
    const coded = defineSkill({
      name: 'coded',
      run: () => Promise.reject(new WeftError('http_status', 'nope')),
    });
    expect((await rejectionOf(invokeSkill(coded, {}, testSkillContext()))).code).toBe('http_status');
    const plain = defineSkill({
      name: 'plain',
      run: () => {
        throw new TypeError('bad thing');
      },
    });
    const error = await rejectionOf(invokeSkill(plain, {}, testSkillContext()));
    expect(error.code).toBe('skill_error');
    expect(error.message).toBe('bad thing');
    const aborted = await rejectionOf(
      invokeSkill(
        plain,
        {},
        testSkillContext({ signal: AbortSignal.abort(new WeftError('timeout', 'too slow')) }),
      ),
    );
    expect(aborted.message).toBe('too slow');
  });

  it('refuses an output that breaks the output schema', async () => {
    const liar = defineSkill({ name: 'liar', output: { type: 'string' }, run: () => 5 });
    expect((await rejectionOf(invokeSkill(liar, {}, testSkillContext()))).message).toBe(
      "skill 'liar' output: must be string",
    );
  });
});
