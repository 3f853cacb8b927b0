import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflow } from './index.js';

const problems = (source: string) => loadWorkflow(source, { file: 'flow.yaml' }).problems.map(formatProblem);
const messages = (source: string) => loadWorkflow(source).problems.map((p) => `${p.path}: ${p.message}`);
const wait = (id: string, extra = '') => `  - { id: ${id}, type: wait, duration: 1s${extra} }\n`;

describe('needs', () => {
  it('accepts a graph of siblings', () => {
    const source = `name: t\nsteps:\n${wait('a')}${wait('b', ', needs: [a]')}${wait('c', ', needs: [a, b]')}`;
    expect(messages(source)).toEqual([]);
  });

  it('refuses an unknown id with a suggestion', () => {
    expect(problems(`name: t\nsteps:\n${wait('fetch')}${wait('ship', ', needs: [fecth]')}`)).toEqual([
      "flow.yaml:4:51: steps[1].needs[0]: unknown step 'fecth' (did you mean 'fetch'?)",
    ]);
  });

  it('refuses a step that is not a sibling', () => {
    const source = `name: t
steps:
  - id: outer
    type: loop
    for_each: [1]
    steps:
${wait('inner').replace('  -', '      -')}${wait('after', ', needs: [inner]')}`;
    expect(messages(source)).toEqual([
      "steps[1].needs[0]: 'inner' is not a sibling of 'after': needs names steps of the same list",
    ]);
  });

  it('refuses a step that needs itself', () => {
    expect(messages(`name: t\nsteps:\n${wait('a', ', needs: [a]')}`)).toEqual([
      "steps[0].needs[0]: step 'a' cannot need itself",
    ]);
  });

  it('reports each cycle once, at the need that starts it', () => {
    const source = `name: t\nsteps:\n${wait('a', ', needs: [c]')}${wait('b', ', needs: [a]')}${wait('c', ', needs: [b]')}${wait('d', ', needs: [e]')}${wait('e', ', needs: [d]')}`;
    expect(problems(source)).toEqual([
      'flow.yaml:3:48: steps[0].needs[0]: cycle: a -> c -> b -> a',
      'flow.yaml:6:48: steps[3].needs[0]: cycle: d -> e -> d',
    ]);
  });

  it('checks needs in nested lists against their own siblings', () => {
    const source = `name: t
steps:
  - id: c
    type: conditional
    condition: true
    then:
      - { id: x, type: wait, duration: 1s }
      - { id: y, type: wait, duration: 1s, needs: [x, zebra] }
`;
    expect(messages(source)).toEqual(["steps[0].then[1].needs[1]: unknown step 'zebra'"]);
  });

  it('refuses needs inside a parallel step', () => {
    const source = `name: t
steps:
  - id: p
    type: parallel
    steps:
      - { id: x, type: wait, duration: 1s }
      - { id: y, type: wait, duration: 1s, needs: [x] }
`;
    expect(problems(source)).toEqual([
      'flow.yaml:7:51: steps[0].steps[1].needs: needs cannot be used inside a parallel step: its children all start at once',
    ]);
  });
});
