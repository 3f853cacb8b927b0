import { describe, expect, it } from 'vitest';
import { describeError, EXIT, exitCodeFor, UsageError } from './errors.js';

function weftError(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { name: 'WeftError', code, details: {} });
}

describe('exitCodeFor', () => {
  it.each([
    ['invalid_document', 2],
    ['invalid_input', 2],
    ['invalid_config', 2],
    ['store_error', 2],
    ['not_found', 2],
    ['conflict', 2],
    ['not_supported', 2],
    ['cancelled', 1],
    ['lease_lost', 1],
    ['skill_error', 1],
  ])('maps %s to %i', (code, exit) => {
    expect(exitCodeFor(weftError(code))).toBe(exit);
  });

  it('treats usage errors and unreadable files as usage, anything else as failure', () => {
    expect(exitCodeFor(new UsageError('bad'))).toBe(EXIT.usage);
    expect(exitCodeFor(Object.assign(new Error('no'), { code: 'ENOENT' }))).toBe(EXIT.usage);
    expect(exitCodeFor(new TypeError('boom'))).toBe(EXIT.failed);
    expect(exitCodeFor('a string')).toBe(EXIT.failed);
  });
});

describe('describeError', () => {
  it('prints one weft: line, further lines indented, no stack', () => {
    expect(describeError(weftError('invalid_config', 'a.yaml:1:1: x\na.yaml:2:1: y'))).toEqual([
      'weft: a.yaml:1:1: x',
      '  a.yaml:2:1: y',
    ]);
  });

  it('adds the stack and causes with debug', () => {
    const error = new Error('outer', { cause: new Error('inner') });
    const lines = describeError(error, true);
    expect(lines[0]).toBe('weft: outer');
    expect(lines[1]).toMatch(/^Error: outer\n\s+at /);
    expect(lines[2]).toMatch(/^caused by: Error: inner/);
  });
});
