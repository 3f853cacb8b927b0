import { parseJson } from './parse-json.js';
import { type ParsedSource, parseYaml } from './parse-yaml.js';

export type { ParsedSource } from './parse-yaml.js';

/**
 * Parses a workflow source: strict JSON when `file` ends in `.json`, YAML otherwise (YAML also reads JSON).
 * @example parseSource('name: x\nsteps: []', 'flow.yaml').value // { name: 'x', steps: [] }
 */
export function parseSource(source: string, file: string): ParsedSource {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  return file.toLowerCase().endsWith('.json') ? parseJson(text) : parseYaml(text);
}
