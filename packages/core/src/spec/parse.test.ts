// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the YAML sources hold expressions.
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflow } from './index.js';
import { parseSource } from './parse.js';

const lines = (source: string, file = 'flow.yaml') =>
  loadWorkflow(source, { file }).problems.map(formatProblem);

describe('YAML syntax', () => {
  it('reports a malformed document at the error', () => {
    expect(lines('name: x\nsteps:\n  - id: a\n    type: [skill\n')).toEqual([
      expect.stringMatching(/^flow\.yaml:5:1: invalid YAML: /),
    ]);
  });

  it('hints at quoting an expression inside a flow mapping', () => {
    const [first] = lines('name: x\nsteps:\n  - { id: a, type: set, values: { a: ${ inputs.x } } }\n');
    expect(first).toMatch(/^flow\.yaml:3:\d+: invalid YAML: .*quote the expression/);
  });

  it('refuses duplicate keys, and still checks the rest', () => {
    const source =
      'name: x\nname: y\nsteps:\n  - { id: a, type: set, values: {} }\n  - { id: b, type: sett }\n';
    expect(lines(source)).toEqual([
      "flow.yaml:2:1: duplicate key 'name'",
      expect.stringMatching(
        /^flow\.yaml:5:20: steps\[1\]\.type: unknown step type 'sett' \(did you mean 'set'\?\)/,
      ),
    ]);
  });

  it('wants a mapping at the top', () => {
    expect(lines('- a\n- b\n')).toEqual(['flow.yaml:1:1: expected the document to be a mapping, got a list']);
    expect(lines('')).toEqual([
      'flow.yaml:1:1: the document is empty; expected a mapping with name and steps',
    ]);
    expect(lines('just text')).toEqual([
      "flow.yaml:1:1: expected the document to be a mapping, got string 'just text'",
    ]);
  });

  it('refuses several documents in one file', () => {
    expect(lines('name: a\n---\nname: b\n')[0]).toMatch(
      /^flow\.yaml:2:1: invalid YAML: source contains multiple documents/,
    );
  });
});

describe('JSON', () => {
  it('is strict in .json files: comments, trailing commas and single quotes are refused', () => {
    expect(lines('{\n  "name": "x",\n}', 'flow.json')).toEqual([
      "flow.json:3:1: invalid JSON: expected a property name in double quotes, got '}'",
    ]);
    expect(lines("{ 'name': 1 }", 'flow.json')).toEqual([
      "flow.json:1:3: invalid JSON: expected a property name in double quotes, got '''",
    ]);
    expect(lines('{"name": "x"} // end', 'flow.json')).toEqual([
      "flow.json:1:15: invalid JSON: unexpected '/' after the end of the JSON value",
    ]);
    expect(lines('{"name": "x", "steps": [1, 2', 'flow.json')).toEqual([
      "flow.json:1:29: invalid JSON: expected ',' or ']' after a list item, got the end of the file",
    ]);
    expect(lines('{"name": "a\tb"}', 'flow.json')).toEqual([
      'flow.json:1:10: invalid JSON: invalid character or escape in string',
    ]);
  });

  it('refuses duplicate keys', () => {
    const source =
      '{\n  "name": "x",\n  "name": "y",\n  "steps": [{ "id": "a", "type": "set", "values": {} }]\n}';
    expect(lines(source, 'flow.json')).toEqual(["flow.json:3:3: duplicate key 'name'"]);
  });

  it('keeps values exactly as JSON.parse reads them', () => {
    const source = '{"a": [1, -2.5e3, true, null, "\\u00e9\\n"], "b": {"__proto__": 1}, "c": {}}';
    expect(parseSource(source, 'x.json').value).toEqual(JSON.parse(source));
  });

  it('is read by YAML parsing in other files', () => {
    expect(parseSource('{"name": "x", "steps": []}', 'flow.yaml').value).toEqual({ name: 'x', steps: [] });
  });

  it('drops a byte order mark', () => {
    expect(parseSource('\ufeff{"a": 1}', 'x.json').value).toEqual({ a: 1 });
  });
});

describe('positions', () => {
  it('records values and keys of YAML nodes', () => {
    const { positions } = parseSource(
      'name: x\nsteps:\n  - id: a\n    needs:\n      - b\n    when:\n',
      'f.yaml',
    );
    expect(positions.valueAt(['steps', 0, 'needs', 0])).toEqual({ line: 5, column: 9 });
    expect(positions.keyAt(['steps', 0, 'needs'])).toEqual({ line: 4, column: 5 });
    expect(positions.valueAt(['steps', 0])).toEqual({ line: 3, column: 5 });
    // An empty value is placed at its key; a missing one at its closest ancestor.
    expect(positions.valueAt(['steps', 0, 'when'])).toEqual({ line: 6, column: 5 });
    expect(positions.valueAt(['steps', 0, 'skill'])).toEqual({ line: 3, column: 5 });
  });

  it('records values and keys of JSON nodes', () => {
    const { positions } = parseSource('{\n  "steps": [\n    { "id": "a", "needs": ["b"] }\n  ]\n}', 'f.json');
    expect(positions.valueAt(['steps', 0, 'needs', 0])).toEqual({ line: 3, column: 28 });
    expect(positions.keyAt(['steps', 0, 'needs'])).toEqual({ line: 3, column: 18 });
    expect(positions.valueAt(['steps', 0])).toEqual({ line: 3, column: 5 });
  });
});
