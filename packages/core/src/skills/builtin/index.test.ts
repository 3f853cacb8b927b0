import { describe, expect, it } from 'vitest';
import { SkillRegistry } from '../registry.js';
import { createInputValidator } from '../validate-input.js';
import { builtinSkills } from './index.js';

describe('builtinSkills', () => {
  it('holds the skills of SPEC.md section 2, each with a description and a valid input schema', () => {
    const registry = new SkillRegistry(builtinSkills);
    expect([...registry.names()]).toEqual([
      'echo',
      'log',
      'sleep',
      'shell',
      'http',
      'file.read',
      'file.write',
      'file.exists',
      'file.lines',
      'json.parse',
      'transform',
    ]);
    for (const skill of builtinSkills) {
      expect(skill.description, skill.name).toMatch(/\.$/);
      expect(createInputValidator(skill), skill.name).toBeTypeOf('function');
    }
  });
});
