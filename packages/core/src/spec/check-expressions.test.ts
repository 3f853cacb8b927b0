// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the YAML sources hold expressions.
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflow } from './index.js';

const problems = (source: string) => loadWorkflow(source, { file: 'flow.yaml' }).problems.map(formatProblem);
const messages = (source: string) => loadWorkflow(source).problems.map((p) => `${p.path}: ${p.message}`);
const doc = (steps: string) => `name: t\nsteps:\n${steps}`;

describe('expression syntax', () => {
  it('reports a syntax error at the string that holds it', () => {
    const source = doc(
      '  - id: a\n    type: set\n    values:\n      x: "${ 1 + }"\n      y: "${ inputs.a"\n',
    );
    expect(problems(source)).toEqual([
      "flow.yaml:6:10: steps[0].values.x: invalid expression '1 +': Unexpected token: EOF",
      "flow.yaml:7:10: steps[0].values.y: '${' at offset 0 is never closed with '}'",
    ]);
  });

  it('compiles condition fields also as bare expressions', () => {
    const source = doc(`  - id: a
    type: conditional
    condition: inputs.x > 1 &&
    when: inputs.ok
    then: [{ id: b, type: wait, duration: 1s }]
`);
    expect(messages(source)).toEqual([
      expect.stringMatching(/^steps\[0\]\.condition: invalid expression 'inputs\.x > 1 &&'/),
    ]);
  });

  it('leaves strings without ${ alone, and reads $${ as text', () => {
    const source = doc(`  - id: a
    type: skill
    skill: shell
    inputs: { command: "echo $\${HOME} {not an expression}" }
  - { id: w, type: wait, until: "2030-01-01T00:00:00Z" }
`);
    expect(messages(source)).toEqual([]);
  });
});

describe('names', () => {
  it('refuses unknown root names with a suggestion', () => {
    expect(
      messages(doc('  - { id: a, type: set, values: { x: "${ inptus.x + size(secrets.KEY) }" } }\n')),
    ).toEqual(["steps[0].values.x: unknown name 'inptus' (did you mean 'inputs'?)"]);
  });

  it('knows every root of SPEC section 5, CEL type names and macro variables', () => {
    const value =
      '${ [inputs, context, vars, batch, error, event, data, run, state, secrets, now, int].map(v, v) }';
    expect(messages(doc(`  - { id: a, type: set, values: { x: "${value}" } }\n`))).toEqual([]);
  });

  it('allows result only in a step output', () => {
    const source = `name: t
steps:
  - { id: a, type: skill, skill: echo, output: "\${ result.body }", inputs: { x: "\${ result }" } }
output: \${ result }
`;
    expect(messages(source)).toEqual([
      "steps[0].inputs.x: 'result' is only available in a step's output",
      "output: 'result' is only available in a step's output",
    ]);
  });

  it('binds a loop or stream alias in its body only', () => {
    const source = doc(`  - id: each
    type: loop
    for_each: \${ inputs.items }
    as: item
    steps:
      - { id: use, type: set, values: { x: "\${ item.price }" } }
  - { id: after, type: set, values: { x: "\${ item }" } }
`);
    expect(messages(source)).toEqual(["steps[1].values.x: unknown name 'item'"]);
  });

  it('allows output in on_complete', () => {
    const source = `name: t
steps:
  - { id: a, type: wait, duration: 1s }
on_complete:
  - { workflow: next, when: "\${ output.total > 0 }", inputs: { total: "\${ output.total }" } }
`;
    expect(messages(source)).toEqual([]);
  });
});

describe('step references', () => {
  it('refuses an unknown step with a suggestion', () => {
    expect(
      messages(
        doc(
          '  - { id: fetch, type: wait, duration: 1s }\n  - { id: b, type: set, values: { x: "${ steps.fecth.output }" } }\n',
        ),
      ),
    ).toEqual(["steps[1].values.x: unknown step 'fecth' (did you mean 'fetch'?)"]);
  });

  it('in a sequence, sees earlier steps and what is nested in them', () => {
    const source = doc(`  - id: first
    type: loop
    for_each: [1]
    steps: [{ id: inner, type: wait, duration: 1s }]
  - { id: second, type: set, values: { a: "\${ steps.first.output }", b: "\${ steps.inner.output }", c: "\${ steps.third.output }" } }
  - { id: third, type: wait, duration: 1s }
`);
    expect(messages(source)).toEqual([
      "steps[1].values.c: step 'third' runs after 'second', so it has not run yet",
    ]);
  });

  it('in a graph, sees the transitive needs only', () => {
    const source = doc(`  - { id: a, type: wait, duration: 1s }
  - { id: b, type: wait, duration: 1s, needs: [a] }
  - { id: c, type: wait, duration: 1s }
  - { id: d, type: set, needs: [b], values: { x: "\${ steps.a.output }", y: "\${ steps.c.output }" } }
`);
    expect(messages(source)).toEqual([
      "steps[3].values.y: step 'c' is not among the needs of 'd': add it to needs to use it",
    ]);
  });

  it('inside a composite, sees what precedes it and what precedes the composite', () => {
    const source = doc(`  - { id: before, type: wait, duration: 1s }
  - id: branch
    type: conditional
    condition: \${ steps.before.output == null }
    then:
      - { id: one, type: wait, duration: 1s }
      - { id: two, type: set, values: { a: "\${ steps.before.status }", b: "\${ steps.one.status }", c: "\${ steps.branch.branch }" } }
    else:
      - { id: three, type: set, values: { a: "\${ steps.one.status }" } }
`);
    expect(messages(source)).toEqual([
      "steps[1].then[1].values.c: step 'branch' encloses this step and has not finished when it runs",
      "steps[1].else[0].values.a: step 'one' cannot have run before this expression is evaluated",
    ]);
  });

  it('does not let parallel children or fork branches see each other', () => {
    const source = doc(`  - id: p
    type: parallel
    steps:
      - { id: x, type: wait, duration: 1s }
      - { id: y, type: set, values: { a: "\${ steps.x.output }" } }
  - id: f
    type: fork_join
    branches:
      left: [{ id: l, type: wait, duration: 1s }]
      right: [{ id: r, type: set, values: { a: "\${ steps.l.output }" } }]
`);
    expect(messages(source)).toEqual([
      "steps[0].steps[1].values.a: step 'x' runs at the same time as 'y' (both are in a parallel step)",
      "steps[1].branches.right[0].values.a: step 'l' cannot have run before this expression is evaluated",
    ]);
  });

  it("lets a step's output, catch and compensate refer to the step itself", () => {
    const source = doc(`  - id: call
    type: skill
    skill: echo
    when: \${ steps.call.status == 'pending' }
    output: \${ steps.call.attempts }
    catch: [{ id: handle, type: set, values: { e: "\${ error.message }", s: "\${ steps.call.status }" } }]
    compensate: [{ id: undo, type: set, values: { o: "\${ steps.call.output }" } }]
`);
    expect(messages(source)).toEqual([
      "steps[0].when: step 'call' cannot refer to itself here (only in its output, catch and compensate)",
    ]);
  });

  it("lets a loop's while, until and body see its body steps", () => {
    const source = doc(`  - id: poll
    type: loop
    until: \${ steps.probe.output.ready && steps.check.output }
    steps:
      - { id: check, type: set, values: { last: "\${ steps.probe.output }" } }
      - { id: probe, type: skill, skill: echo }
  - id: again
    type: loop
    for_each: \${ steps.probe.output }
    steps: [{ id: z, type: wait, duration: 1s }]
`);
    expect(messages(source)).toEqual([]);
  });

  it('lets the workflow output, on_complete and notify see every step', () => {
    const source = `name: t
steps:
  - id: outer
    type: loop
    for_each: [1]
    steps: [{ id: deep, type: wait, duration: 1s }]
output: { a: "\${ steps.deep.output }", b: "\${ steps.outer.output }" }
on_complete: [{ workflow: next, inputs: { x: "\${ steps.deep.output }" } }]
notify: [{ url: "https://x.test/\${ steps.outer.status }" }]
context: { early: "\${ steps.outer.output }" }
`;
    expect(messages(source)).toEqual([
      "context.early: step 'outer' cannot have run before this expression is evaluated",
    ]);
  });

  it('checks switch cases, cache, stream sources and assertions', () => {
    const source = doc(`  - id: s
    type: switch
    cases: [{ when: "inptus.x > 1", steps: [{ id: a, type: wait, duration: 1s }] }]
  - { id: c, type: skill, skill: echo, cache: { key: "\${ steps.nope }", when: "\${ 1 + }" } }
  - { id: st, type: stream, source: { event: e, match: "evnt.data" }, steps: [{ id: b, type: wait, duration: 1s }] }
  - { id: v, type: validate, data: {}, assertions: [{ that: "dta.x > 0" }] }
`);
    expect(messages(source)).toEqual([
      "steps[0].cases[0].when: unknown name 'inptus' (did you mean 'inputs'?)",
      "steps[1].cache.key: unknown step 'nope'",
      "steps[1].cache.when: invalid expression '1 +': Unexpected token: EOF",
      "steps[2].source.match: unknown name 'evnt' (did you mean 'event'?)",
      "steps[3].assertions[0].that: unknown name 'dta' (did you mean 'data'?)",
    ]);
  });

  it('in a state machine, every step is visible everywhere', () => {
    const source = `name: t
type: state_machine
initial: one
states:
  one:
    on_enter: [{ id: a, type: set, values: { x: "\${ steps.b.output }" } }]
    transitions: [{ to: two, when: "steps.b.output > 1" }, { to: two, event: go, match: "\${ stepz }" }]
  two:
    on_enter: [{ id: b, type: set, values: { y: "\${ steps.a.output }" } }]
    terminal: true
`;
    expect(messages(source)).toEqual([
      "states.one.transitions[1].match: unknown name 'stepz' (did you mean 'steps'?)",
    ]);
  });
});
