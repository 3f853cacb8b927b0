// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the YAML sources hold expressions.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYamlText } from 'yaml';
import {
  formatProblem,
  type LoadOptions,
  loadWorkflow,
  loadWorkflowFile,
  STEP_TYPES,
  type StepDef,
  validateDocument,
} from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const lines = (source: string, options: LoadOptions = {}) =>
  loadWorkflow(source, { file: 'flow.yaml', ...options }).problems.map(formatProblem);

function allSteps(steps: readonly StepDef[]): StepDef[] {
  return steps.flatMap((step) => {
    const nested: StepDef[] = [...(step.catch ?? []), ...(step.compensate ?? [])];
    if ('steps' in step && Array.isArray(step.steps)) nested.push(...step.steps);
    if (step.type === 'conditional') nested.push(...step.then, ...(step.else ?? []));
    if (step.type === 'switch') nested.push(...step.cases.flatMap((c) => c.steps), ...(step.default ?? []));
    if (step.type === 'fork_join') nested.push(...Object.values(step.branches).flat());
    return [step, ...allSteps(nested)];
  });
}

describe('valid documents', () => {
  it('load a document with every step type and every workflow field', () => {
    const { document, problems } = loadWorkflow(fixture('every-step.yaml'), {
      file: 'every-step.yaml',
      skills: new Set(['http', 'log', 'echo', 'transform', 'file.lines']),
      agents: new Set(['reviewer']),
    });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(document?.type ?? 'steps').toBe('steps');
    const steps = document && 'steps' in document ? document.steps : [];
    expect(new Set(allSteps(steps).map((s) => s.type))).toEqual(new Set(STEP_TYPES));
  });

  it('keep values as written: expressions stay strings, durations stay strings', () => {
    const { document } = loadWorkflow(fixture('every-step.yaml'));
    const fetch = document && 'steps' in document ? document.steps[0] : undefined;
    expect(fetch).toMatchObject({
      id: 'fetch',
      timeout: '10s',
      inputs: { method: 'GET', url: 'https://api.example.test/orders/${ inputs.order_id }' },
      retry: { max_attempts: 5, jitter: 0.1, retry_on: ['timeout', 'http_status'] },
    });
  });

  it('load a state machine', () => {
    const { document, problems } = loadWorkflow(fixture('order-lifecycle.yaml'), {
      file: 'order-lifecycle.yaml',
    });
    expect(problems).toEqual([]);
    expect(document).toMatchObject({
      type: 'state_machine',
      initial: 'pending',
      states: { shipped: { terminal: true } },
    });
  });

  it('read the same from JSON as from YAML', () => {
    const yaml = fixture('every-step.yaml');
    const json = JSON.stringify(parseYamlText(yaml), null, 2);
    const fromYaml = loadWorkflow(yaml, { file: 'flow.yaml' });
    const fromJson = loadWorkflow(json, { file: 'flow.json' });
    expect(fromJson.problems).toEqual([]);
    expect(fromJson.document).toEqual(fromYaml.document);
  });

  it('accept already parsed objects', () => {
    const result = validateDocument({ name: 'x', steps: [{ id: 'a', type: 'skill', skill: 'echo' }] });
    expect(result).toEqual({
      document: { name: 'x', steps: [{ id: 'a', type: 'skill', skill: 'echo' }] },
      problems: [],
    });
  });
});

describe('problems', () => {
  it('come out as file:line:column: path: message', () => {
    const source = `name: orders
steps:
  - id: fetch
    type: skill
    skill: http
    inputs: { url: https://x.test }
  - id: check
    type: skill
    skill: echo
  - id: ship
    type: skill
    skill: echo
    needs:
      - fecth
`;
    expect(lines(source)).toEqual([
      "flow.yaml:14:9: steps[2].needs[0]: unknown step 'fecth' (did you mean 'fetch'?)",
    ]);
  });

  it('are all reported at once, in document order', () => {
    const source = `name: Orders
steps:
  - id: fetch
    type: skill
    skill: htp
    timeout: 30
    nedds: []
  - id: each
    type: lopo
  - id: ship
    type: skill
    skill: echo
    inputs: { a: "\${ steps.fecth.output }" }
`;
    expect(lines(source, { skills: new Set(['http', 'echo']) })).toEqual([
      "flow.yaml:1:7: name: invalid workflow name string 'Orders': use lowercase letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)",
      "flow.yaml:5:12: steps[0].skill: unknown skill 'htp' (did you mean 'http'?)",
      "flow.yaml:6:14: steps[0].timeout: expected a duration string such as '30s' or '30ms', got the bare number 30",
      "flow.yaml:7:5: steps[0].nedds: unknown field 'nedds' (did you mean 'needs'?)",
      "flow.yaml:9:11: steps[1].type: unknown step type 'lopo' (did you mean 'loop'?); expected one of skill, agent, parallel, conditional, switch, loop, fork_join, workflow, wait, event, approval, validate, set, fail, stream",
      "flow.yaml:13:18: steps[2].inputs.a: unknown step 'fecth' (did you mean 'fetch'?)",
    ]);
  });

  it('are placed in JSON files too', () => {
    const source =
      '{\n  "name": "x",\n  "steps": [\n    { "id": "a", "type": "skill", "skill": "echo", "needs": ["build"] }\n  ]\n}\n';
    expect(lines(source, { file: 'flow.json' })).toEqual([
      "flow.json:4:62: steps[0].needs[0]: unknown step 'build'",
    ]);
  });

  it('have no document', () => {
    const result = loadWorkflow('name: x\nsteps: []\n');
    expect(result.document).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual(['<input>:2:8: steps: expected a non-empty list']);
  });

  it('of objects are placed at 1:1 with their path', () => {
    const { problems } = validateDocument(
      { name: 'x', steps: [{ id: 'a', type: 'skill' }] },
      { file: 'api' },
    );
    expect(problems.map(formatProblem)).toEqual(["api:1:1: steps[0].skill: missing required field 'skill'"]);
  });
});

describe('loadWorkflowFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-spec-'));

  it('reads YAML and JSON files by extension', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'name: a\nsteps:\n  - { id: x, type: wait, duration: 1s }\n');
    writeFileSync(
      join(dir, 'b.json'),
      '{"name": "b", "steps": [{"id": "x", "type": "wait", "duration": "1s"}]}',
    );
    expect((await loadWorkflowFile(join(dir, 'a.yaml'))).document?.name).toBe('a');
    expect((await loadWorkflowFile(join(dir, 'b.json'))).document?.name).toBe('b');
  });

  it('names the file in problems', async () => {
    writeFileSync(join(dir, 'c.yml'), 'name: c\nsteps:\n  - { id: x, type: wait, duration: 5 }\n');
    const { problems } = await loadWorkflowFile(join(dir, 'c.yml'));
    expect(problems.map(formatProblem)).toEqual([
      `${join(dir, 'c.yml')}:3:36: steps[0].duration: expected a duration string such as '5s' or '5ms', got the bare number 5`,
    ]);
  });

  it('reports a missing file or a directory as one problem at 1:1', async () => {
    const missing = await loadWorkflowFile(join(dir, 'nope.yaml'), { file: 'nope.yaml' });
    expect(missing.problems.map(formatProblem)).toEqual(['nope.yaml:1:1: file not found']);
    const directory = await loadWorkflowFile(dir, { file: 'dir' });
    expect(directory.problems.map(formatProblem)).toEqual([
      'dir:1:1: is a directory, expected a workflow file (.yaml, .yml or .json)',
    ]);
  });
});
