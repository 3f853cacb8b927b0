import { describe, expect, it } from 'vitest';
import { WeftError } from '../../errors.js';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { sleepSkill } from './sleep.js';

describe('sleep', () => {
  it('waits for the duration and returns null', async () => {
    const began = performance.now();
    expect(await invokeSkill(sleepSkill, { duration: '60ms' }, testSkillContext())).toBeNull();
    expect(performance.now() - began).toBeGreaterThanOrEqual(55);
  });

  it('stops promptly on abort with the signal’s WeftError reason, or cancelled', async () => {
    const controller = new AbortController();
    const began = performance.now();
    const pending = invokeSkill(
      sleepSkill,
      { duration: '1h' },
      testSkillContext({ signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new WeftError('timeout', 'step timed out after 20ms')), 20);
    expect((await rejectionOf(pending)).code).toBe('timeout');
    expect(performance.now() - began).toBeLessThan(1000);
    const cancelled = await rejectionOf(
      invokeSkill(sleepSkill, { duration: '1h' }, testSkillContext({ signal: AbortSignal.abort() })),
    );
    expect(cancelled.code).toBe('cancelled');
  });

  it('refuses a duration without a unit', async () => {
    const error = await rejectionOf(invokeSkill(sleepSkill, { duration: '5' }, testSkillContext()));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(
      "sleep: /duration: expected a duration with a unit, got '5' (did you mean '5s' or '5ms'?)",
    );
    const bare = await rejectionOf(invokeSkill(sleepSkill, { duration: 5 }, testSkillContext()));
    expect(bare.message).toBe("skill 'sleep' input: /duration must be string");
  });
});
