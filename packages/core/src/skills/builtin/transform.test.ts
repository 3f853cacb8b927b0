import { describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { transformSkill } from './transform.js';

describe('transform', () => {
  it('returns value, whatever it is', async () => {
    for (const value of [{ a: [1] }, [1, 2], 'text', 0, null]) {
      expect(await invokeSkill(transformSkill, { value }, testSkillContext())).toEqual(value);
    }
  });

  it('requires value', async () => {
    expect((await rejectionOf(invokeSkill(transformSkill, {}, testSkillContext()))).message).toBe(
      "skill 'transform' input: /value is required",
    );
  });
});
