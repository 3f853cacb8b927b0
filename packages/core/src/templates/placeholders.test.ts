import { describe, expect, it } from 'vitest';
import { findPlaceholders, splitPlaceholders, substitute } from './placeholders.js';

describe('placeholders', () => {
  it('a string that is exactly one placeholder takes the typed value; text around makes a string', () => {
    const body = {
      retry: { max_attempts: '{{ n }}', on: '{{ flag }}' },
      message: 'tried {{n}} times, flag={{ flag }}',
      list: ['{{ n }}', 'x{{ n }}'],
      expression: '${ inputs.total > {{ n }} }',
    };
    expect(substitute(body, { n: 3, flag: false })).toEqual({
      retry: { max_attempts: 3, on: false },
      message: 'tried 3 times, flag=false',
      list: [3, 'x3'],
      expression: '${ inputs.total > 3 }',
    });
  });

  it('leaves run-time ${ } expressions alone and escapes ${ inside values, so values stay data', () => {
    const body = { a: '${ steps.x.output }', cmd: '{{ cmd }}', text: 'run: {{ cmd }}' };
    expect(substitute(body, { cmd: 'echo ${HOME}' })).toEqual({
      a: '${ steps.x.output }',
      cmd: 'echo $${HOME}',
      text: 'run: echo $${HOME}',
    });
  });

  it('an optional parameter without a value leaves its entry out, is null in a list, empty in text', () => {
    expect(substitute({ keep: 1, drop: '{{ x }}', list: ['{{ x }}'], text: 'a{{ x }}b' }, {})).toEqual({
      keep: 1,
      list: [null],
      text: 'ab',
    });
  });

  it('\\{{ is a literal {{; malformed placeholders and placeholders in keys are issues', () => {
    expect(substitute({ f: "docker inspect --format '\\{{.State}}'" }, {})).toEqual({
      f: "docker inspect --format '{{.State}}'",
    });
    expect(splitPlaceholders('a {{ b-c }}')).toEqual({
      error: "expected a parameter name inside '{{ }}', got '{{ b-c }}' (write '\\{{' for a literal '{{')",
    });
    expect(splitPlaceholders('a {{ b')).toMatchObject({
      error: expect.stringContaining('without a closing'),
    });
    const { found, issues } = findPlaceholders({
      steps: [{ id: '{{ a }}', inputs: { '{{ k }}': 'x{{ b }}' } }],
    });
    expect(found).toEqual([
      { path: ['steps', 0, 'id'], parameter: 'a' },
      { path: ['steps', 0, 'inputs', '{{ k }}'], parameter: 'b' },
    ]);
    expect(issues).toEqual([
      {
        path: ['steps', 0, 'inputs', '{{ k }}'],
        message: 'placeholders are replaced in values only, not in mapping keys',
        anchor: 'key',
      },
    ]);
  });
});
