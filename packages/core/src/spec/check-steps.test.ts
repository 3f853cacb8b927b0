import { describe, expect, it } from 'vitest';
import { formatProblem, type LoadOptions, loadWorkflow } from './index.js';

const problems = (source: string) => loadWorkflow(source, { file: 'flow.yaml' }).problems.map(formatProblem);
const messages = (source: string, options: LoadOptions = {}) =>
  loadWorkflow(source, options).problems.map((p) => `${p.path}: ${p.message}`);
const doc = (steps: string) => `name: t\nsteps:\n${steps}`;

describe('step ids', () => {
  it('are unique in the whole document, nested steps included', () => {
    const source = doc(`  - id: fetch
    type: skill
    skill: http
  - id: each
    type: loop
    for_each: [1]
    steps:
      - id: fetch
        type: wait
        duration: 1s
`);
    expect(problems(source)).toEqual([
      "flow.yaml:10:13: steps[1].steps[0].id: duplicate step id 'fetch' (first defined at flow.yaml:3)",
    ]);
  });

  it('cannot be CEL keywords that steps.<id> could not read', () => {
    expect(messages(doc('  - { id: in, type: wait, duration: 1s }\n'))).toEqual([
      "steps[0].id: 'in' is a CEL keyword: expressions could not read steps.in",
    ]);
  });
});

describe('skills and agents', () => {
  const source = doc(`  - { id: a, type: skill, skill: htp }
  - { id: b, type: agent, agent: reviewr }
  - { id: c, type: stream, source: { skill: file.line }, steps: [{ id: d, type: wait, duration: 1s }] }
`);

  it('are checked against the known names when given', () => {
    const options = { skills: new Set(['http', 'file.lines']), agents: new Set(['reviewer']) };
    expect(messages(source, options)).toEqual([
      "steps[0].skill: unknown skill 'htp' (did you mean 'http'?)",
      "steps[1].agent: unknown agent 'reviewr' (did you mean 'reviewer'?)",
      "steps[2].source.skill: unknown skill 'file.line' (did you mean 'file.lines'?)",
    ]);
  });

  it('are not checked when no names are given', () => {
    expect(messages(source)).toEqual([]);
  });
});

describe('step rules', () => {
  it('keeps retry, cache and async to skill, agent and workflow steps', () => {
    const source =
      doc(`  - { id: a, type: wait, duration: 1s, retry: { max_attempts: 2 }, cache: {}, async: true }
  - { id: b, type: skill, skill: echo, async: true, needs: [a] }
  - { id: c, type: workflow, workflow: other, async: true }
`);
    expect(messages(source)).toEqual([
      'steps[0].retry: retry applies only to skill, agent and workflow steps',
      'steps[0].cache: cache applies only to skill, agent and workflow steps',
      'steps[0].async: async applies only to skill, agent and workflow steps',
      'steps[1].async: async applies only in a sequential list (one where no step names needs)',
      'steps[2].async: async applies only in a sequential list (one where no step names needs)',
    ]);
  });

  it('wants exactly one of for_each, while and until in a loop, and as only with for_each', () => {
    const body = 'steps: [{ id: x, type: wait, duration: 1s }]';
    const source = doc(`  - { id: a, type: loop, ${body.replace('x', 'x1')} }
  - { id: b, type: loop, for_each: [1], while: true, ${body.replace('x', 'x2')} }
  - { id: c, type: loop, until: true, as: item, ${body.replace('x', 'x3')} }
  - { id: d, type: loop, for_each: [1], as: inputs, ${body.replace('x', 'x4')} }
  - { id: e, type: loop, for_each: [1], as: for, ${body.replace('x', 'x5')} }
`);
    expect(messages(source)).toEqual([
      'steps[0]: a loop needs one of for_each, while or until',
      'steps[1].while: a loop takes one of for_each, while or until, not for_each and while',
      'steps[2].as: as names the item of for_each; it needs for_each',
      "steps[3].as: 'inputs' is already a name in expressions; choose another alias",
      "steps[4].as: 'for' is a reserved word in CEL expressions; choose another alias",
    ]);
  });

  it('checks fork_join policies', () => {
    const branches = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `b${i}: [{ id: s${n}_${i}, type: wait, duration: 1s }]`).join(', ')} }`;
    const source = doc(`  - { id: a, type: fork_join, join: n_of_m, branches: ${branches(2)} }
  - { id: b, type: fork_join, join: n_of_m, n_required: 3, branches: ${branches(3)} }
  - { id: c, type: fork_join, join: n_of_m, n_required: 3, branches: ${branches(1)} }
  - { id: d, type: fork_join, branches: {}, n_required: 1 }
`);
    expect(messages(source)).toEqual([
      'steps[0].join: join: n_of_m needs n_required',
      'steps[2].n_required: n_required is 3, but there is 1 branch',
      'steps[3].branches: expected at least one branch',
      'steps[3].n_required: n_required applies only with join: n_of_m',
    ]);
  });

  it('wants one of duration and until in a wait step', () => {
    expect(
      messages(
        doc('  - { id: a, type: wait }\n  - { id: b, type: wait, duration: 1s, until: "2030-01-01" }\n'),
      ),
    ).toEqual([
      'steps[0]: a wait step needs either duration or until (exactly one)',
      'steps[1].until: a wait step needs either duration or until (exactly one)',
    ]);
  });

  it('wants data and a schema or assertions in a validate step', () => {
    expect(messages(doc('  - { id: a, type: validate, mode: warn }\n'))).toEqual([
      "steps[0].data: missing required field 'data'",
      'steps[0]: a validate step needs a schema or assertions',
    ]);
  });

  it('refuses a workflow step that runs its own workflow', () => {
    expect(messages(doc('  - { id: a, type: workflow, workflow: t }\n'))).toEqual([
      "steps[0].workflow: workflow 't' would run itself",
    ]);
  });
});
