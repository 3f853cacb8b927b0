import { describe, expect, it } from 'vitest';
import { PositionMap } from './positions.js';
import { formatPath, formatProblem, toProblems } from './problems.js';

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['steps', 2, 'needs', 0])).toBe('steps[2].needs[0]');
    expect(formatPath(['steps', 0, 'steps', 1, 'inputs'])).toBe('steps[0].steps[1].inputs');
  });

  it('quotes keys that are not identifiers', () => {
    expect(formatPath(['steps', 0, 'inputs', 'headers', 'Content-Type'])).toBe(
      'steps[0].inputs.headers["Content-Type"]',
    );
    expect(formatPath([])).toBe('');
  });
});

describe('formatProblem', () => {
  it('prints file:line:column: path: message', () => {
    const line = formatProblem({
      file: 'flow.yaml',
      line: 14,
      column: 9,
      path: 'steps[2].needs[0]',
      message: 'x',
    });
    expect(line).toBe('flow.yaml:14:9: steps[2].needs[0]: x');
  });

  it('leaves the path out for the document itself', () => {
    expect(formatProblem({ file: 'f.json', line: 1, column: 1, path: '', message: 'invalid JSON' })).toBe(
      'f.json:1:1: invalid JSON',
    );
  });
});

describe('toProblems', () => {
  it('places findings at the node, else the closest ancestor, and sorts them', () => {
    const positions = new PositionMap();
    positions.setValue(['steps', 0], { line: 3, column: 5 });
    positions.setKey(['steps', 0, 'nedds'], { line: 4, column: 5 });
    positions.setValue(['steps', 0, 'nedds'], { line: 4, column: 12 });
    const problems = toProblems(
      [
        { path: ['steps', 0, 'nedds'], message: 'unknown field', anchor: 'key' },
        { path: ['steps', 0, 'skill'], message: 'missing' },
        { path: ['steps', 0, 'skill'], message: 'missing' },
      ],
      'f.yaml',
      positions,
    );
    expect(problems.map(formatProblem)).toEqual([
      'f.yaml:3:5: steps[0].skill: missing',
      'f.yaml:4:5: steps[0].nedds: unknown field',
    ]);
  });
});
