import { describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { logSkill } from './log.js';

describe('log', () => {
  it('writes through ctx.logger at info by default and returns null', async () => {
    const ctx = testSkillContext();
    expect(await invokeSkill(logSkill, { message: 'hello' }, ctx)).toBeNull();
    await invokeSkill(logSkill, { message: { n: 1 }, level: 'warn' }, ctx);
    expect(ctx.logs).toEqual([
      { level: 'info', message: 'hello' },
      { level: 'warn', message: '{"n":1}' },
    ]);
  });

  it('refuses an unknown level', async () => {
    const error = await rejectionOf(
      invokeSkill(logSkill, { message: 'x', level: 'loud' }, testSkillContext()),
    );
    expect(error.message).toBe(
      `skill 'log' input: /level must be one of "debug", "info", "warn", "error", got "loud"`,
    );
  });
});
