import { isMap, isNode, isScalar, isSeq, parseDocument, type YAMLError } from 'yaml';
import { LineIndex, PositionMap, type SourcePosition } from './positions.js';
import type { Path } from './problems.js';

/** A source text turned into a plain value, with where each node came from. */
export interface ParsedSource {
  /** Absent when the text could not be read as one document. */
  value?: unknown;
  positions: PositionMap;
  /** Syntax problems, already placed: `path` is empty. */
  errors: { position: SourcePosition; message: string }[];
}

/** Parses YAML 1.2 (which also reads JSON). Duplicate keys are reported, and the value is still built. */
export function parseYaml(source: string): ParsedSource {
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  const lines = new LineIndex(source);
  const positions = new PositionMap();
  const keys = new Map<number, string>();
  const fatal = doc.errors.some((error) => error.code !== 'DUPLICATE_KEY');
  if (!fatal) record(doc.contents, [], { positions, lines, keys });
  const errors: ParsedSource['errors'] = [];
  const linesWithError = new Set<number>();
  for (const error of [...doc.errors, ...doc.warnings]) {
    const position = lines.at(error.pos[0]);
    // One problem per line: the parser reports follow-on errors of the first.
    if (linesWithError.has(position.line)) continue;
    linesWithError.add(position.line);
    errors.push({ position, message: describeYamlError(error, source, keys) });
  }
  if (fatal) return { positions, errors };
  return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown, positions, errors };
}

function describeYamlError(error: YAMLError, source: string, keys: Map<number, string>): string {
  if (error.code === 'DUPLICATE_KEY') {
    const key = keys.get(error.pos[0]);
    return key === undefined ? 'duplicate key' : `duplicate key '${key}'`;
  }
  const message = `invalid YAML: ${lowerFirst(error.message.split('\n')[0] ?? error.message)}`;
  const line = lineAt(source, error.pos[0]);
  if (line.includes('${') && /[{[]/.test(line.replace(/\$\{/g, ''))) {
    return `${message} (inside a flow mapping or list, quote the expression: "\${ ... }")`;
  }
  return message;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function lineAt(source: string, offset: number): string {
  const start = source.lastIndexOf('\n', offset - 1) + 1;
  const end = source.indexOf('\n', offset);
  return source.slice(start, end < 0 ? source.length : end);
}

interface Recorder {
  positions: PositionMap;
  lines: LineIndex;
  /** Key text by offset, to name duplicate keys. */
  keys: Map<number, string>;
}

function record(node: unknown, path: Path, recorder: Recorder): void {
  const { positions, lines } = recorder;
  if (!isNode(node)) return;
  if (node.range) positions.setValue(path, lines.at(node.range[0]));
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const childPath = [...path, key];
      const keyRange = isNode(pair.key) ? pair.key.range : undefined;
      if (keyRange) {
        positions.setKey(childPath, lines.at(keyRange[0]));
        recorder.keys.set(keyRange[0], key);
      }
      // `key:` with nothing after it: the value is reported at its key.
      if (
        isNode(pair.value) &&
        pair.value.range &&
        !(isScalar(pair.value) && pair.value.source === '' && pair.value.value === null)
      ) {
        record(pair.value, childPath, recorder);
      } else if (keyRange) positions.setValue(childPath, lines.at(keyRange[0]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      record(item, [...path, index], recorder);
    });
  }
}
