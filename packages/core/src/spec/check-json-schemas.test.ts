import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflow } from './index.js';

const problems = (source: string) => loadWorkflow(source, { file: 'flow.yaml' }).problems.map(formatProblem);
const steps = 'steps:\n  - { id: a, type: wait, duration: 1s }\n';

describe('inline JSON Schemas', () => {
  it('accept a valid inputs schema', () => {
    const source = `name: t\ninputs:\n  type: object\n  properties:\n    email: { type: string, format: email }\n  required: [email]\n${steps}`;
    expect(problems(source)).toEqual([]);
  });

  it('refuse an inputs schema that breaks the meta-schema, at the offending node', () => {
    const source = `name: t\ninputs:\n  type: object\n  properties:\n    id: { type: strng }\n  required: id\n${steps}`;
    expect(problems(source)).toEqual([
      "flow.yaml:5:17: inputs.properties.id.type: invalid JSON Schema: expected one of array, boolean, integer, null, number, object, string, got string 'strng' (did you mean 'string'?)",
    ]);
  });

  it('refuse unknown keywords and unresolvable references', () => {
    expect(problems(`name: t\ninputs: { type: object, requried: [id] }\n${steps}`)).toEqual([
      'flow.yaml:2:9: inputs: invalid JSON Schema: unknown keyword: "requried"',
    ]);
    expect(problems(`name: t\ninputs: { $ref: "#/$defs/order" }\n${steps}`)).toEqual([
      "flow.yaml:2:9: inputs: invalid JSON Schema: can't resolve reference #/$defs/order from id #",
    ]);
  });

  it('check static output_schema, form and validate schema, and skip ones built by expressions', () => {
    const source = `name: t
steps:
  - { id: a, type: agent, agent: x, output_schema: { type: object, required: verdict } }
  - { id: b, type: approval, form: { properties: { n: { minimum: "1" } } } }
  - { id: c, type: validate, data: 1, schema: { type: "\${ inputs.kind }" } }
`;
    expect(problems(source)).toEqual([
      "flow.yaml:3:78: steps[0].output_schema.required: invalid JSON Schema: expected array, got string 'verdict'",
      "flow.yaml:4:66: steps[1].form.properties.n.minimum: invalid JSON Schema: expected number, got string '1'",
    ]);
  });

  it('may use the same $id in several schemas', () => {
    const source = `name: t
inputs: { $id: "https://x.test/s", type: object }
steps:
  - { id: a, type: agent, agent: x, output_schema: { $id: "https://x.test/s", type: object } }
`;
    expect(problems(source)).toEqual([]);
    expect(problems(source)).toEqual([]);
  });
});
