import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeftError } from '../errors.js';
import { formatProblem } from '../spec/problems.js';
import { type ParsedTemplate, parseTemplate } from './parse-template.js';

/** The templates that ship with @weft/core: `packages/core/templates/*.yaml`, beside `src/` and `dist/`. */
export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export interface BuiltinTemplate {
  name: string;
  source: string;
  parsed: ParsedTemplate & { template: NonNullable<ParsedTemplate['template']> };
}

/**
 * Reads and checks every template in `dir`, by name. A built-in with a problem is a bug in Weft,
 * so it throws `internal_error` with the problems rather than hiding the template.
 */
export async function loadBuiltinTemplates(
  dir = BUILTIN_TEMPLATES_DIR,
): Promise<Map<string, BuiltinTemplate>> {
  const files = (await readdir(dir)).filter((f) => ['.yaml', '.yml'].includes(extname(f))).sort();
  const library = new Map<string, BuiltinTemplate>();
  for (const file of files) {
    const source = await readFile(join(dir, file), 'utf8');
    const parsed = parseTemplate(source, { file: `template:${file.replace(/\.ya?ml$/, '')}` });
    if (!parsed.template) {
      throw new WeftError(
        'internal_error',
        `built-in template ${file} is invalid:\n${parsed.problems.map(formatProblem).join('\n')}`,
      );
    }
    library.set(parsed.template.name, {
      name: parsed.template.name,
      source,
      parsed: { ...parsed, template: parsed.template },
    });
  }
  return library;
}
