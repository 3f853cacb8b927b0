import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { builtinSkills } from './builtin/index.js';
import { SkillRegistry } from './registry.js';
import { type AnySkill, defineSkill } from './types.js';

const greet = defineSkill({ name: 'acme.greet', run: () => 'hi' });

function thrown(action: () => unknown): WeftError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(WeftError);
    return error as WeftError;
  }
  throw new Error('expected a throw');
}

describe('SkillRegistry', () => {
  it('registers, gets and lists skills', () => {
    const registry = new SkillRegistry(builtinSkills).register(greet);
    expect(registry.get('acme.greet')).toBe(greet);
    expect(registry.require('shell').name).toBe('shell');
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.has('file.read')).toBe(true);
    expect(registry.names().has('acme.greet')).toBe(true);
    expect([...registry]).toHaveLength(builtinSkills.length + 1);
  });

  it('refuses a second skill with the same name', () => {
    const registry = new SkillRegistry([greet]);
    const error = thrown(() => registry.register({ name: 'acme.greet', run: () => 'hello' }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toBe("skill 'acme.greet' is already registered; skill names must be unique");
  });

  it('refuses invalid names and shapes', () => {
    const registry = new SkillRegistry();
    for (const name of ['Shell', 'file..read', '1up', 'file.', 'my-skill', '']) {
      const error = thrown(() => registry.register({ name, run: () => null }));
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain(
        `skill name '${name}' is invalid: expected lower-case words joined by dots`,
      );
    }
    expect(thrown(() => registry.register({ name: 'x' } as unknown as AnySkill)).message).toBe(
      "skill 'x' has no 'run' function",
    );
    expect(
      thrown(() => registry.register({ name: 'x', input: 'string', run: () => 1 } as unknown as AnySkill))
        .message,
    ).toBe("skill 'x': 'input' must be a JSON Schema object or a Standard Schema, got the string 'string'");
    expect(thrown(() => registry.register(null as unknown as AnySkill)).message).toBe(
      'expected a skill object, got null',
    );
  });

  it('suggests the closest name for an unknown skill', () => {
    const registry = new SkillRegistry(builtinSkills);
    const typo = thrown(() => registry.require('file.raed'));
    expect(typo.code).toBe('not_found');
    expect(typo.message).toBe("unknown skill 'file.raed' (did you mean 'file.read'?)");
    expect(thrown(() => registry.require('shel')).message).toBe(
      "unknown skill 'shel' (did you mean 'shell'?)",
    );
    expect(thrown(() => registry.require('kubernetes')).message).toBe("unknown skill 'kubernetes'");
  });
});
