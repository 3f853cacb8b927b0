import { validateDocument } from '../spec/load.js';
import { parseSource } from '../spec/parse.js';
import { PositionMap, type SourcePosition } from '../spec/positions.js';
import {
  describeValue,
  type Finding,
  formatPath,
  type Path,
  type Problem,
  sortProblems,
  toProblems,
} from '../spec/problems.js';
import { isMapping } from '../spec/values.js';
import { didYouMean } from '../util/did-you-mean.js';
import { checkParameters, unknownFields } from './parameter-declarations.js';
import { findPlaceholders, substitute } from './placeholders.js';
import type { TemplateDefinition, TemplateParameter } from './template-types.js';

/** Template and workflow names share one rule (SPEC section 1). */
export const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

const TEMPLATE_FIELDS = ['name', 'description', 'parameters', 'workflow'];

export interface ParsedTemplate {
  /** Present only when `problems` is empty. */
  template?: TemplateDefinition;
  problems: Problem[];
  /** Where each node is, for placing problems found later (at instantiation). */
  positions: PositionMap;
}

/**
 * Parses and checks a template document (YAML or JSON), every problem at once, each at its node:
 * unknown fields, parameter declarations, defaults, `{{ }}` placeholders that name no parameter,
 * and the workflow body as a workflow (with sample values where the placeholders are).
 * @example const { template, problems } = parseTemplate(text, { file: 'health.yaml' });
 */
export function parseTemplate(source: string, options: { file?: string } = {}): ParsedTemplate {
  const file = options.file ?? '<input>';
  const parsed = parseSource(source, file);
  const syntax: Problem[] = parsed.errors.map((e) => ({ file, ...e.position, path: '', message: e.message }));
  if (!('value' in parsed)) return { problems: syntax, positions: parsed.positions };
  const findings: Finding[] = [];
  const value = parsed.value;
  if (!isMapping(value)) {
    const message =
      value === null || value === undefined
        ? 'the document is empty; expected a mapping with name, parameters and workflow'
        : `expected the template to be a mapping, got ${describeValue(value)}`;
    findings.push({ path: [], message });
    return {
      problems: [...syntax, ...toProblems(findings, file, parsed.positions)],
      positions: parsed.positions,
    };
  }
  unknownFields(value, [], TEMPLATE_FIELDS, 'template', findings);
  if (typeof value.name !== 'string' || !NAME.test(value.name)) {
    findings.push({
      path: value.name === undefined ? [] : ['name'],
      message:
        value.name === undefined
          ? 'name is required'
          : `expected a name matching ${NAME.source}, got ${describeValue(value.name)}`,
    });
  }
  if (value.description !== undefined && typeof value.description !== 'string') {
    findings.push({
      path: ['description'],
      message: `expected text, got ${describeValue(value.description)}`,
    });
  }
  const parameters = checkParameters(value.parameters, findings);
  const body = value.workflow;
  if (!isMapping(body)) {
    findings.push({
      path: body === undefined ? [] : ['workflow'],
      message:
        body === undefined
          ? 'workflow is required: the workflow document, with {{ name }} placeholders for the parameters'
          : `expected workflow to be a mapping (a workflow document), got ${describeValue(body)}`,
    });
  }
  const declared = isMapping(value.parameters) ? Object.keys(value.parameters) : [];
  const inBody = isMapping(body)
    ? checkBody(body, { parameters, declared }, { file, positions: parsed.positions }, findings)
    : [];
  const problems = sortProblems([...syntax, ...toProblems(findings, file, parsed.positions), ...inBody]);
  if (problems.length > 0) return { problems, positions: parsed.positions };
  const template: TemplateDefinition = {
    name: value.name as string,
    parameters,
    workflow: body as Record<string, unknown>,
  };
  if (typeof value.description === 'string') template.description = value.description;
  return { template, problems, positions: parsed.positions };
}

/**
 * Placeholders must name declared parameters; then the body, with each placeholder given its
 * default or a sample of its type, is checked as a workflow. Problems at a node holding a
 * placeholder are left to instantiation, where the real values are known.
 */
function checkBody(
  body: Record<string, unknown>,
  { parameters, declared }: { parameters: Record<string, TemplateParameter>; declared: string[] },
  where: { file: string; positions: PositionMap },
  findings: Finding[],
): Problem[] {
  const { found, issues } = findPlaceholders(body);
  for (const issue of issues) findings.push({ ...issue, path: ['workflow', ...issue.path] });
  for (const { path, parameter } of found) {
    if (declared.includes(parameter)) continue;
    const list = declared.length === 0 ? 'none are declared' : `declared: ${declared.join(', ')}`;
    findings.push({
      path: ['workflow', ...path],
      message: `unknown parameter '${parameter}' in {{ }}${didYouMean(parameter, declared)}; ${list}`,
    });
  }
  if (findings.length > 0) return [];
  const samples = Object.fromEntries(Object.entries(parameters).map(([name, p]) => [name, sampleOf(p)]));
  const document = { ...(substitute(body, samples) as Record<string, unknown>), name: 'template-check' };
  const { problems } = validateDocument(document, {
    file: where.file,
    positions: new BodyPositions(where.positions),
  });
  const placeholders = found.map((f) => formatPath(f.path));
  const under = (path: string, p: string) =>
    path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
  return problems
    .filter((problem) => !placeholders.some((p) => under(problem.path, p)))
    .map((problem) => ({ ...problem, path: inWorkflow(problem.path) }));
}

/** A path inside the body as a path inside the template: `steps[0]` -> `workflow.steps[0]`. */
export function inWorkflow(path: string): string {
  if (path === '') return 'workflow';
  return path.startsWith('[') ? `workflow${path}` : `workflow.${path}`;
}

function sampleOf(parameter: TemplateParameter): unknown {
  if (parameter.default !== undefined) return parameter.default;
  switch (parameter.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'duration':
      return '1s';
    case 'enum':
      return parameter.values?.[0];
    default:
      return 'sample';
  }
}

/** The positions of the `workflow` body, for checks that see the body as a document. */
class BodyPositions extends PositionMap {
  constructor(private readonly outer: PositionMap) {
    super();
  }

  override valueAt(path: Path): SourcePosition {
    return this.outer.valueAt(['workflow', ...path]);
  }

  override keyAt(path: Path): SourcePosition {
    return this.outer.keyAt(['workflow', ...path]);
  }
}

const SEGMENT = /\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/**
 * The segments of a path as `formatPath` writes it.
 * @example parsePath('steps[2].needs[0]') // ['steps', 2, 'needs', 0]
 */
export function parsePath(text: string): (string | number)[] {
  const segments: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < text.length) {
    const match = SEGMENT.exec(text);
    if (!match) break;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]!) as string);
  }
  return segments;
}
