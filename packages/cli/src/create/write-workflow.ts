import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { WeftCore } from '../context.js';
import type { Validation } from './prompt-set.js';
import type { WizardSession } from './session.js';

// The repository's schema, when this CLI runs from it (packages/cli/{src,dist}/create/).
const REPO_SCHEMA = fileURLToPath(new URL('../../../../schema/workflow.schema.json', import.meta.url));
const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * The `$schema` an editor reads: the repository's schema file relative to the document when it
 * exists, else the published schema's URL.
 */
export function schemaReference(core: WeftCore, file: string): string {
  if (!existsSync(REPO_SCHEMA)) return String(core.workflowJsonSchema().$id);
  return relative(dirname(file), REPO_SCHEMA).split(sep).join('/');
}

/**
 * The YAML text of a document, with the schema comment on top. Workflow steps naming a file
 * (absolute while asking) are written relative to the document, as the format reads them.
 */
export function workflowYaml(core: WeftCore, document: Record<string, unknown>, file: string): string {
  const body = stringify(relativePaths(document, dirname(file)), { lineWidth: 0 });
  return `# yaml-language-server: $schema=${schemaReference(core, file)}\n${body}`;
}

/** Refuses a target that is not a YAML file. */
export function yamlFileCheck(path: string): Validation {
  if (path.trim() === '') return 'the file name cannot be empty';
  return YAML_EXTENSIONS.has(extname(path)) ? true : `expected a .yaml or .yml file, got '${path}'`;
}

/**
 * Where to write: `requested`, else `<name>.yaml`; an existing file is overwritten only when the
 * person says so, else another name is asked.
 */
export async function chooseFile(session: WizardSession, name: string, requested?: string): Promise<string> {
  let file = resolve(session.cwd, requested ?? `${name}.yaml`);
  for (;;) {
    if (!existsSync(file)) return file;
    const shown = relative(session.cwd, file) || file;
    if (await session.prompts.confirm({ message: `${shown} exists. Overwrite it?`, default: false }))
      return file;
    const other = await session.prompts.input({
      message: 'Write to which file instead?',
      required: true,
      validate: yamlFileCheck,
    });
    file = resolve(session.cwd, other.trim());
  }
}

/** Writes the document; returns the path as the person would type it. */
export function writeWorkflow(
  session: WizardSession,
  document: Record<string, unknown>,
  file: string,
): Promise<string> {
  return writeDocument(session, file, workflowYaml(session.core, document, file));
}

/** Writes YAML text with the schema comment on top (directories made as needed); returns the path shown. */
export async function writeDocument(session: WizardSession, file: string, yaml: string): Promise<string> {
  const text = yaml.startsWith('# yaml-language-server:')
    ? yaml
    : `# yaml-language-server: $schema=${schemaReference(session.core, file)}\n${yaml}`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
  session.written = relative(session.cwd, file) || file;
  return session.written;
}

function relativePaths(value: unknown, base: string): unknown {
  if (Array.isArray(value)) return value.map((item) => relativePaths(item, base));
  if (typeof value !== 'object' || value === null) return value;
  const mapping = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(mapping)) copy[key] = relativePaths(item, base);
  if (mapping.type === 'workflow' && typeof mapping.workflow === 'string' && isAbsolute(mapping.workflow)) {
    const path = relative(base, mapping.workflow).split(sep).join('/');
    copy.workflow = path.startsWith('.') ? path : `./${path}`;
  }
  return copy;
}
