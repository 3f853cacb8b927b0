import { WeftError } from '../errors.js';
import { abortError } from './support/abort.js';
import type { AnySkill, SkillContext } from './types.js';
import { createInputValidator } from './validate-input.js';

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function normalise(error: unknown, ctx: SkillContext): WeftError {
  if (error instanceof WeftError) return error;
  return ctx.signal.aborted ? abortError(ctx.signal) : WeftError.from(error);
}

/**
 * The items a skill yields as a `stream` source: its `iterate` (pulled one at a time, so a paused
 * consumer pauses the skill), else what `run` returns: an async iterable or a list. The input is
 * validated first; whatever the skill throws comes out as a WeftError.
 * @example for await (const line of iterateSkill(registry.require('file.lines'), { path }, ctx)) ...
 */
export async function* iterateSkill(
  skill: AnySkill,
  input: unknown,
  ctx: SkillContext,
): AsyncGenerator<unknown, void, undefined> {
  const validate = createInputValidator(skill);
  const checked = validate === undefined ? input : await validate(input);
  let items: unknown;
  try {
    items = skill.iterate ? skill.iterate(checked, ctx) : await skill.run(checked, ctx);
  } catch (error) {
    throw normalise(error, ctx);
  }
  if (Array.isArray(items)) {
    yield* items;
    return;
  }
  if (!isAsyncIterable(items)) {
    const got = items === null || items === undefined ? 'null' : typeof items;
    throw new WeftError(
      'skill_error',
      `skill '${skill.name}' cannot be a stream source: expected iterate(), or run() returning an async iterable or a list, got ${got}`,
    );
  }
  try {
    yield* items;
  } catch (error) {
    throw normalise(error, ctx);
  }
}
