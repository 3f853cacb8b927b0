import { describe, expect, it } from 'vitest';
import { formatProblem } from '../spec/problems.js';
import { parsePath, parseTemplate } from './parse-template.js';

const lines = (source: string, file = 'tpl.yaml') =>
  parseTemplate(source, { file }).problems.map(formatProblem);

describe('parseTemplate', () => {
  it('reads a valid template: parameters with their declarations, defaults converted, the body', () => {
    const { template, problems } = parseTemplate(`name: greet
description: Say hello
parameters:
  who: { type: string, required: true, pattern: '[a-z]+' }
  times: { type: integer, default: 2 }
  mood: { type: enum, values: [glad, calm], default: calm }
  wait: { type: duration, default: 5s }
workflow:
  steps:
    - id: hi
      type: skill
      skill: echo
      inputs: { who: "{{ who }}", times: "{{ times }}", mood: "{{ mood }}" }
    - { id: nap, type: wait, duration: "{{ wait }}" }
`);
    expect(problems).toEqual([]);
    expect(template).toMatchObject({
      name: 'greet',
      description: 'Say hello',
      parameters: {
        who: { type: 'string', required: true, pattern: '[a-z]+' },
        times: { type: 'integer', default: 2 },
        mood: { type: 'enum', values: ['glad', 'calm'], default: 'calm' },
        wait: { type: 'duration', default: '5s' },
      },
    });
    expect(template?.workflow.steps).toHaveLength(2);
  });

  it('reports every problem of the declaration at its line and column, with did-you-mean', () => {
    const source = `name: Bad Name
descripton: typo
parameters:
  retries: { type: integr }
  url: { type: string, pattern: '([a-z' }
  level: { type: enum }
  count: { type: integer, default: three, requird: true }
  flag: { type: boolean, values: [a] }
workflow:
  steps:
    - id: go
      type: skill
      skill: echo
      inputs: { n: "{{ retires }}", u: "{{ url }}", broken: "{{ 1x }}" }
`;
    expect(lines(source)).toEqual([
      "tpl.yaml:1:7: name: expected a name matching ^[a-z0-9][a-z0-9._-]{0,127}$, got string 'Bad Name'",
      "tpl.yaml:2:1: descripton: unknown field 'descripton' in a template (did you mean 'description'?); expected name, description, parameters, workflow",
      "tpl.yaml:4:20: parameters.retries.type: unknown parameter type string 'integr' (did you mean 'integer'?); expected one of string, integer, number, boolean, enum, duration, agent, workflow, skill",
      expect.stringMatching(/^tpl\.yaml:5:33: parameters\.url\.pattern: not a valid regular expression: /),
      'tpl.yaml:6:10: parameters.level: an enum parameter needs values: a non-empty list of strings, got nothing',
      "tpl.yaml:7:36: parameters.count.default: bad default: expected an integer, got string 'three'",
      "tpl.yaml:7:43: parameters.count.requird: unknown field 'requird' in a parameter (did you mean 'required'?); expected type, description, required, default, values, pattern",
      'tpl.yaml:8:34: parameters.flag.values: values applies to enum parameters only, not boolean',
      "tpl.yaml:14:20: workflow.steps[0].inputs.n: unknown parameter 'retires' in {{ }} (did you mean 'retries'?); declared: retries, url, level, count, flag",
      "tpl.yaml:14:61: workflow.steps[0].inputs.broken: expected a parameter name inside '{{ }}', got '{{ 1x }}' (write '\\{{' for a literal '{{')",
    ]);
  });

  it('checks defaults against their own type', () => {
    expect(
      lines(`name: t
parameters:
  count: { type: integer, default: three }
  wait: { type: duration, default: 30 }
workflow: { steps: [{ id: a, type: skill, skill: echo }] }
`),
    ).toEqual([
      "tpl.yaml:3:36: parameters.count.default: bad default: expected an integer, got string 'three'",
      "tpl.yaml:4:36: parameters.wait.default: bad default: expected a duration string such as '30s' or '30ms', got the bare number 30",
    ]);
  });

  it('checks the body as a workflow, leaving nodes with placeholders to instantiation', () => {
    const source = `name: t
parameters:
  attempts: { type: integer }
workflow:
  steps:
    - id: fetch
      type: skil
      skill: echo
    - id: use
      type: skill
      skill: echo
      needs: [fecth]
      retry: { max_attempts: "{{ attempts }}" }
`;
    const problems = lines(source);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^tpl\.yaml:7:13: workflow\.steps\[0\]\.type: .*skil/);
    expect(problems[1]).toBe(
      "tpl.yaml:12:15: workflow.steps[1].needs[0]: unknown step 'fecth' (did you mean 'fetch'?)",
    );
  });

  it('requires name and workflow; a JSON template is read with positions too', () => {
    expect(lines('description: x\n')).toEqual([
      'tpl.yaml:1:1: name is required',
      'tpl.yaml:1:1: workflow is required: the workflow document, with {{ name }} placeholders for the parameters',
    ]);
    const json =
      '{\n  "name": "j",\n  "parameters": { "n": { "type": "number" } },\n  "workflow": { "steps": [ { "id": "a", "type": "skill", "skill": "echo", "inputs": { "v": "{{ m }}" } } ] }\n}\n';
    expect(lines(json, 'tpl.json')).toEqual([
      "tpl.json:4:92: workflow.steps[0].inputs.v: unknown parameter 'm' in {{ }}; declared: n",
    ]);
  });

  it('parsePath reads paths as formatPath writes them', () => {
    expect(parsePath('steps[2].needs[0]')).toEqual(['steps', 2, 'needs', 0]);
    expect(parsePath('inputs["a-b"].c')).toEqual(['inputs', 'a-b', 'c']);
    expect(parsePath('')).toEqual([]);
  });
});
