import { describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { jsonErrorPosition } from '../support/json-position.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { jsonParseSkill } from './json-parse.js';

const parse = (text: unknown) => invokeSkill(jsonParseSkill, { text }, testSkillContext());

describe('json.parse', () => {
  it('parses any JSON value', async () => {
    expect(await parse('{"a":[1,2.5,"x",true,null]}')).toEqual({ a: [1, 2.5, 'x', true, null] });
    expect(await parse(' 42 ')).toBe(42);
    expect(await parse('"s"')).toBe('s');
  });

  it('fails with skill_error giving the line and column', async () => {
    const error = await rejectionOf(parse('{\n  "a": 1,\n  "b": }\n'));
    expect(error.code).toBe('skill_error');
    expect(error.message).toBe(`json.parse: invalid JSON at line 3, column 8: unexpected "}"`);
    expect(error.details).toEqual({ offset: 19, line: 3, column: 8 });
    expect((await rejectionOf(parse('[1, 2'))).message).toBe(
      'json.parse: invalid JSON at line 1, column 6: unexpected end of text',
    );
  });

  it('requires text to be a string', async () => {
    expect((await rejectionOf(parse({ a: 1 }))).message).toBe(
      "skill 'json.parse' input: /text must be string",
    );
  });
});

describe('jsonErrorPosition', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const samples = [
      '{}',
      '[]',
      '{"a":{"b":[1,{"c":"\\u00e9\\n"}]}}',
      '-0.5e+3',
      'true',
      ' null ',
      '',
      '{',
      '{"a"}',
      '{"a":1,}',
      '[1,]',
      '01',
      '1.',
      '"\\x"',
      '"a\nb"',
      'nul',
      '{"a":1}}',
      "{'a':1}",
    ];
    for (const text of samples) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(jsonErrorPosition(text) === undefined, text).toBe(valid);
    }
  });

  it('points at the first bad character', () => {
    expect(jsonErrorPosition('[1,]')).toMatchObject({ offset: 3, problem: 'unexpected "]"' });
    expect(jsonErrorPosition('{"a":1}}')).toMatchObject({ offset: 7 });
  });
});
