import { describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { echoSkill } from './echo.js';

describe('echo', () => {
  it('returns its input object', async () => {
    const input = { a: 1, nested: { b: [true] } };
    expect(await invokeSkill(echoSkill, input, testSkillContext())).toEqual(input);
  });

  it('takes objects only', async () => {
    expect((await rejectionOf(invokeSkill(echoSkill, 'text', testSkillContext()))).message).toBe(
      "skill 'echo' input: must be object",
    );
  });
});
