// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the YAML sources hold expressions.
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflow } from './index.js';

const problems = (source: string) => loadWorkflow(source, { file: 'flow.yaml' }).problems.map(formatProblem);
const machine = (states: string, initial = 'pending') =>
  `name: t\ntype: state_machine\ninitial: ${initial}\nstates:\n${states}`;

describe('state machines', () => {
  it('need a known initial state', () => {
    expect(problems(machine('  pending: { terminal: true }\n', 'pendng'))).toEqual([
      "flow.yaml:3:10: initial: unknown state 'pendng' (did you mean 'pending'?)",
    ]);
  });

  it('need known transition targets', () => {
    const states =
      '  pending:\n    transitions: [{ to: shiped }, { to: shipped }]\n  shipped: { terminal: true }\n';
    expect(problems(machine(states))).toEqual([
      "flow.yaml:6:25: states.pending.transitions[0].to: unknown state 'shiped' (did you mean 'shipped'?)",
    ]);
  });

  it('refuse unreachable states, at their name', () => {
    const states =
      '  pending:\n    transitions: [{ to: done }]\n  orphan:\n    transitions: [{ to: done }]\n  done: { terminal: true }\n';
    expect(problems(machine(states))).toEqual([
      "flow.yaml:7:3: states.orphan: state 'orphan' cannot be reached from the initial state 'pending'",
    ]);
  });

  it('need a terminal state, and states that are terminal or can move on', () => {
    const states = '  pending:\n    transitions: [{ to: stuck }]\n  stuck: {}\n';
    expect(problems(machine(states))).toEqual([
      'flow.yaml:5:3: states: expected at least one terminal state (terminal: true)',
      "flow.yaml:7:3: states.stuck: state 'stuck' is not terminal and has no transitions (add transitions or terminal: true)",
    ]);
  });

  it('refuse transitions out of a terminal state, and match without event', () => {
    const states = '  pending:\n    terminal: true\n    transitions: [{ to: pending, match: "${ true }" }]\n';
    expect(problems(machine(states))).toEqual([
      "flow.yaml:7:18: states.pending.transitions: state 'pending' is terminal: the run completes there, so its transitions never fire",
      'flow.yaml:7:41: states.pending.transitions[0].match: match applies only with event',
    ]);
  });

  it('check the fields of states and transitions', () => {
    const states =
      '  pending:\n    on_entry: []\n    transitions: [{ to: done, after: 1s }]\n  done: { terminal: true }\n';
    expect(problems(machine(states))).toEqual([
      "flow.yaml:6:5: states.pending.on_entry: unknown field 'on_entry' (did you mean 'on_enter'?)",
      "flow.yaml:7:31: states.pending.transitions[0].after: unknown field 'after'",
    ]);
  });
});
