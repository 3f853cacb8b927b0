import { describe, expect, it } from 'vitest';
import { parseDuration } from '../util/duration.js';
import { formatProblem, loadWorkflow } from './index.js';
import { durationSchema } from './schema/common.js';

/** A document whose steps start on line 3. */
const withSteps = (steps: string) => `name: t\nsteps:\n${steps}`;
const problems = (source: string) => loadWorkflow(source, { file: 'flow.yaml' }).problems.map(formatProblem);
/** `path: message` only, for checks that are not about positions. */
const messages = (source: string) => loadWorkflow(source).problems.map((p) => `${p.path}: ${p.message}`);

describe('fields', () => {
  it('refuses unknown fields at the key, with a suggestion', () => {
    expect(problems(withSteps('  - id: a\n    type: skill\n    skill: echo\n    inptus: {}\n'))).toEqual([
      "flow.yaml:6:5: steps[0].inptus: unknown field 'inptus' (did you mean 'inputs'?)",
    ]);
  });

  it('says which step types have a field another type was given', () => {
    expect(messages(withSteps('  - { id: a, type: skill, skill: echo, branches: {} }\n'))).toEqual([
      "steps[0].branches: unknown field 'branches' for a skill step (it belongs to fork_join steps)",
    ]);
  });

  it('lists every step type that has the field', () => {
    expect(messages(withSteps('  - { id: a, type: skill, skill: echo, as: x }\n'))).toEqual([
      "steps[0].as: unknown field 'as' for a skill step (it belongs to loop and stream steps)",
    ]);
    expect(messages('name: t\nskill: echo\nsteps:\n  - { id: a, type: wait, duration: 1s }\n')).toEqual([
      "skill: unknown field 'skill'",
    ]);
  });

  it('says state machine fields need type: state_machine, and steps do not belong there', () => {
    expect(messages('name: t\ninitial: a\nsteps:\n  - { id: a, type: wait, duration: 1s }\n')).toEqual([
      "initial: unknown field 'initial' (state machines need 'type: state_machine')",
    ]);
    const machine =
      'name: t\ntype: state_machine\ninitial: a\nstates: { a: { terminal: true } }\nsteps: []\n';
    expect(messages(machine)).toEqual([
      "steps: unknown field 'steps': a state machine runs the steps of its states (on_enter, on_exit)",
    ]);
  });

  it('says what type was expected and what came', () => {
    expect(
      messages(withSteps('  - { id: a, type: skill, skill: 5, needs: x, async: "yes", inputs: [1] }\n')),
    ).toEqual([
      'steps[0].skill: expected a string, got number 5',
      "steps[0].needs: expected a list, got string 'x'",
      "steps[0].async: expected a boolean, got string 'yes'",
      'steps[0].inputs: expected a mapping of inputs or an expression, got a list',
    ]);
  });

  it('reports a missing required field at the mapping that lacks it', () => {
    expect(problems(withSteps('  - id: a\n    type: skill\n'))).toEqual([
      "flow.yaml:3:5: steps[0].skill: missing required field 'skill'",
    ]);
    expect(problems('steps:\n  - { id: a, type: wait, duration: 1s }\n')).toEqual([
      "flow.yaml:1:1: name: missing required field 'name'",
    ]);
  });

  it('names missing fields that take several forms', () => {
    const source = withSteps(`  - { id: s, type: stream, steps: [{ id: a, type: wait, duration: 1s }] }
  - { id: c, type: conditional, then: [{ id: b, type: wait, duration: 1s }] }
  - { id: w, type: switch, cases: [{ steps: [{ id: d, type: wait, duration: 1s }] }] }
`);
    expect(messages(source)).toEqual([
      "steps[0].source: missing required field 'source'",
      "steps[1].condition: missing required field 'condition'",
      "steps[2].cases[0].when: missing required field 'when'",
    ]);
  });

  it('wants steps to be mappings in a list', () => {
    expect(problems(withSteps('  - fetch\n  - 5\n'))).toEqual([
      "flow.yaml:3:5: steps[0]: expected a mapping, got string 'fetch'",
      'flow.yaml:4:5: steps[1]: expected a mapping, got number 5',
    ]);
    expect(messages('name: t\nsteps: { a: 1 }\n')).toEqual(['steps: expected a list, got a mapping']);
  });

  it('checks names and ids', () => {
    expect(messages(withSteps('  - { id: fetch-order, type: wait, duration: 1s }\n'))).toEqual([
      "steps[0].id: invalid step id string 'fetch-order': use letters, digits and '_', not starting with a digit",
    ]);
    expect(messages('name: Big Flow\nsteps:\n  - { id: a, type: wait, duration: 1s }\n')[0]).toMatch(
      /^name: invalid workflow name string 'Big Flow'/,
    );
  });

  it('suggests enum values', () => {
    expect(messages(withSteps('  - { id: a, type: skill, skill: echo, on_error: hlat }\n'))).toEqual([
      "steps[0].on_error: expected one of halt, skip, rollback, got string 'hlat' (did you mean 'halt'?)",
    ]);
  });

  it('checks conditions and loop collections', () => {
    expect(
      messages(
        withSteps(
          '  - { id: a, type: loop, for_each: 3, when: 1, steps: [{ id: b, type: wait, duration: 1s }] }\n',
        ),
      ),
    ).toEqual([
      'steps[0].for_each: expected a list or an expression giving one',
      'steps[0].when: expected a condition (an expression or a boolean), got number 1',
    ]);
  });
});

describe('step types', () => {
  it('refuses an unknown or missing type, listing the known ones', () => {
    expect(problems(withSteps('  - id: a\n    type: lopo\n  - id: b\n'))).toEqual([
      "flow.yaml:4:11: steps[0].type: unknown step type 'lopo' (did you mean 'loop'?); expected one of skill, agent, parallel, conditional, switch, loop, fork_join, workflow, wait, event, approval, validate, set, fail, stream",
      'flow.yaml:5:5: steps[1].type: missing step type; expected one of skill, agent, parallel, conditional, switch, loop, fork_join, workflow, wait, event, approval, validate, set, fail, stream',
    ]);
  });

  it('checks nested steps of every composite', () => {
    const source = withSteps(`  - id: p
    type: parallel
    steps: [{ id: c1, type: skill }]
  - id: f
    type: fork_join
    branches:
      one: [{ id: c2, type: wait, duration: soon }]
  - id: s
    type: switch
    cases: [{ when: true, steps: [{ id: c3, type: set }] }]
`);
    expect(messages(source)).toEqual([
      "steps[0].steps[0].skill: missing required field 'skill'",
      "steps[1].branches.one[0].duration: expected a duration such as '250ms', '30s', '5m', '2h', '1d', '1h30m' or 'PT30S', got 'soon'",
      "steps[2].cases[0].steps[0].values: missing required field 'values'",
    ]);
  });

  it('reports the closest form of a stream source', () => {
    const source = withSteps(`  - id: s1
    type: stream
    source: { skill: file.lines, inputs: 3 }
    steps: [{ id: a, type: wait, duration: 1s }]
  - id: s2
    type: stream
    source: { event: reading, max_items: 0 }
    steps: [{ id: b, type: wait, duration: 1s }]
`);
    expect(messages(source)).toEqual([
      'steps[0].source.inputs: expected a mapping of inputs or an expression, got number 3',
      'steps[1].source.max_items: expected an integer >= 1, got number 0',
    ]);
  });

  it('refuses empty step lists', () => {
    expect(messages(withSteps('  - { id: a, type: loop, for_each: [1], steps: [] }\n'))).toEqual([
      'steps[0].steps: expected a non-empty list',
    ]);
  });
});

describe('durations', () => {
  it('accepts the forms of SPEC section 1', () => {
    for (const duration of ['250ms', '30s', '5m', '2h', '1d', '1h30m', 'PT30S', 'P1DT2H', '1.5s']) {
      expect(messages(withSteps(`  - { id: a, type: wait, duration: ${duration} }\n`)), duration).toEqual([]);
    }
  });

  it('agrees with parseDuration, which the engine uses', () => {
    const samples = [
      '1s',
      '0ms',
      '1h30m',
      '2d3h',
      '1.25m',
      'PT1H30M',
      'P2D',
      'P1DT1S',
      'PT',
      'P',
      'P1DT',
      '1',
      '1x',
      's',
      '1s2',
      'PT1.5S',
    ];
    for (const sample of samples) {
      let parsed = true;
      try {
        parseDuration(sample);
      } catch {
        parsed = false;
      }
      expect(durationSchema.safeParse(sample).success, sample).toBe(parsed);
    }
  });

  it('refuses a bare number with the unit it probably meant', () => {
    expect(
      messages(
        withSteps('  - { id: a, type: wait, duration: "30" }\n  - { id: b, type: wait, duration: 30 }\n'),
      ),
    ).toEqual([
      "steps[0].duration: expected a duration with a unit, got '30' (did you mean '30s' or '30ms'?)",
      "steps[1].duration: expected a duration string such as '30s' or '30ms', got the bare number 30",
    ]);
  });

  it('checks every duration field', () => {
    const source = `name: t
defaults: { timeout: 1 }
limits: { timeout: 2 }
notify: [{ url: https://x.test, delay_after: 3 }]
steps:
  - id: a
    type: skill
    skill: echo
    retry: { delay: 4, max_delay: 5, increment: 6 }
    cache: { ttl: 7 }
  - { id: f, type: fork_join, branches: { x: [{ id: b, type: wait, until: tomorrow }] }, branch_timeout: 8 }
  - { id: g, type: agent, agent: x, guardrails: { timeout: 9 } }
  - { id: s, type: stream, source: { event: e, idle_timeout: 10 }, batch: { size: 1, window: 11 }, steps: [{ id: c, type: wait, duration: 1s }] }
`;
    const bare = messages(source).filter((m) => m.includes('bare number'));
    expect(bare.map((m) => m.split(':')[0])).toEqual([
      'defaults.timeout',
      'limits.timeout',
      'notify[0].delay_after',
      'steps[0].retry.delay',
      'steps[0].retry.max_delay',
      'steps[0].retry.increment',
      'steps[0].cache.ttl',
      'steps[1].branch_timeout',
      'steps[2].guardrails.timeout',
      'steps[3].source.idle_timeout',
      'steps[3].batch.window',
    ]);
  });
});

describe('resilience and limits', () => {
  it('checks retry policies', () => {
    const source = withSteps(`  - id: a
    type: skill
    skill: echo
    retry:
      max_attempts: 0
      backoff: exponentail
      multiplier: 0
      jitter: 1.5
      retry_on: [timout, http_status]
      retry_on_status: [429, 600]
`);
    expect(messages(source)).toEqual([
      'steps[0].retry.max_attempts: expected an integer >= 1, got number 0',
      "steps[0].retry.backoff: expected one of fixed, exponential, linear, immediate, got string 'exponentail' (did you mean 'exponential'?)",
      'steps[0].retry.multiplier: expected a number > 0, got number 0',
      'steps[0].retry.jitter: expected a number <= 1, got number 1.5',
      expect.stringMatching(
        /^steps\[0\]\.retry\.retry_on\[0\]: expected one of timeout, .* got string 'timout' \(did you mean 'timeout'\?\)$/,
      ),
      'steps[0].retry.retry_on_status[1]: expected an integer <= 599, got number 600',
    ]);
  });

  it('checks limits, concurrency and cache', () => {
    const source = `name: t
limits: { max_parallelism: 0 }
concurrency: { limit: 1.5, on_conflict: drop }
steps:
  - { id: a, type: skill, skill: echo, concurrency: { limit: 2 }, cache: { scope: team } }
  - { id: b, type: loop, for_each: [1], max_parallelism: -1, steps: [{ id: c, type: wait, duration: 1s }] }
`;
    expect(messages(source)).toEqual([
      'limits.max_parallelism: expected an integer >= 1, got number 0',
      'concurrency.limit: expected an integer, got number 1.5',
      "concurrency.on_conflict: expected one of queue, cancel_new, cancel_running, got string 'drop'",
      "steps[0].concurrency.key: missing required field 'key'",
      "steps[0].cache.scope: expected one of global, workflow, user, got string 'team'",
      'steps[1].max_parallelism: expected an integer >= 1, got number -1',
    ]);
  });

  it('refuses an unknown document type', () => {
    expect(messages('name: t\ntype: state_machin\n')).toEqual([
      "type: expected type 'steps' or 'state_machine', got string 'state_machin' (did you mean 'state_machine'?)",
    ]);
  });
});
