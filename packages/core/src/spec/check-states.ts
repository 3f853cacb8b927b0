import { didYouMean } from '../util/did-you-mean.js';
import type { Finding } from './problems.js';
import { entriesOf, isMapping, type Mapping } from './values.js';

/**
 * State machine rules (SPEC section 6): `initial` and transition targets name states, every state is
 * reachable, some state is terminal, and a state either is terminal or has transitions.
 */
export function stateFindings(document: Mapping): Finding[] {
  if (document.type !== 'state_machine' || !isMapping(document.states)) return [];
  const findings: Finding[] = [];
  const states = entriesOf(document.states);
  const names = states.map(([name]) => name);
  if (names.length === 0) return [{ path: ['states'], message: 'expected at least one state' }];
  const targets = new Map<string, string[]>();
  for (const [name, state] of states) {
    if (!isMapping(state)) continue;
    const transitions = Array.isArray(state.transitions) ? state.transitions : [];
    const to: string[] = [];
    transitions.forEach((transition, i) => {
      if (!isMapping(transition) || typeof transition.to !== 'string') return;
      if (names.includes(transition.to)) to.push(transition.to);
      else {
        findings.push({
          path: ['states', name, 'transitions', i, 'to'],
          message: `unknown state '${transition.to}'${didYouMean(transition.to, names)}`,
        });
      }
      if (transition.match !== undefined && transition.event === undefined) {
        findings.push({
          path: ['states', name, 'transitions', i, 'match'],
          message: 'match applies only with event',
        });
      }
    });
    targets.set(name, to);
    if (state.terminal === true && transitions.length > 0) {
      findings.push({
        path: ['states', name, 'transitions'],
        message: `state '${name}' is terminal: the run completes there, so its transitions never fire`,
      });
    } else if (state.terminal !== true && transitions.length === 0) {
      findings.push({
        path: ['states', name],
        anchor: 'key',
        message: `state '${name}' is not terminal and has no transitions (add transitions or terminal: true)`,
      });
    }
  }
  if (!states.some(([, state]) => isMapping(state) && state.terminal === true)) {
    findings.push({ path: ['states'], message: 'expected at least one terminal state (terminal: true)' });
  }
  const initial = document.initial;
  if (typeof initial !== 'string') return findings;
  if (!names.includes(initial)) {
    findings.push({ path: ['initial'], message: `unknown state '${initial}'${didYouMean(initial, names)}` });
    return findings;
  }
  const reached = new Set([initial]);
  const queue = [initial];
  while (queue.length > 0) {
    for (const next of targets.get(queue.pop()!) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  for (const name of names) {
    if (!reached.has(name)) {
      findings.push({
        path: ['states', name],
        anchor: 'key',
        message: `state '${name}' cannot be reached from the initial state '${initial}'`,
      });
    }
  }
  return findings;
}
