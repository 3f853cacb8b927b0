import { isAbsolute, relative } from 'node:path';
import { stringify } from 'yaml';
import { documentHash } from '../engine/plan.js';
import type { Engine } from '../engine/types.js';
import { invalidDocument } from '../engine/workflow-loader.js';
import { WeftError } from '../errors.js';
import { type PushOptions, type PushOutcome, Registry, type VersionWithRuns } from '../registry/registry.js';
import type { Problem } from '../spec/problems.js';
import { didYouMean } from '../util/did-you-mean.js';
import { BUILTIN_TEMPLATES_DIR, type BuiltinTemplate, loadBuiltinTemplates } from './builtin-library.js';
import { resolveParameters } from './parameter-values.js';
import { inWorkflow, NAME, type ParsedTemplate, parsePath, parseTemplate } from './parse-template.js';
import { substitute } from './placeholders.js';
import type {
  FoundTemplate,
  Instantiated,
  InstantiateOptions,
  ParameterProblem,
  TemplateSummary,
} from './template-types.js';

/** What templates need of an engine: its store, workflow registry, agents and skills. */
export type TemplateEngine = Pick<Engine, 'store' | 'workflows' | 'agents' | 'skills'>;

export interface TemplatesOptions {
  /** The folder of built-in templates; default the library shipped with @weft/core. */
  builtinDir?: string;
}

interface Loaded {
  found: FoundTemplate;
  parsed: ParsedTemplate;
}

/**
 * Templates (SPEC issue "Templates"): documents with typed `parameters` and a `workflow` body with
 * `{{ name }}` placeholders. Registered ones are versioned like workflows; a built-in library ships
 * with Weft, and a registered template of the same name wins over a built-in.
 * @example
 * const templates = new Templates(engine);
 * await templates.instantiate('http-health-check', { url: 'https://example.test' }, { workflow: 'site-check' });
 * await engine.start({ name: 'site-check' });
 */
export class Templates {
  /** The registered templates' versions: `setStatus`, `diff`, `rollback` are there. */
  readonly registry: Registry;
  readonly #engine: TemplateEngine;
  readonly #builtinDir: string;
  #builtins: Promise<Map<string, BuiltinTemplate>> | undefined;

  constructor(engine: TemplateEngine, options: TemplatesOptions = {}) {
    this.#engine = engine;
    this.#builtinDir = options.builtinDir ?? BUILTIN_TEMPLATES_DIR;
    this.registry = new Registry(engine.store, {
      kind: 'template',
      validate: async (source, path) => {
        // Problems name the file as the user gave it, not the absolute path pushPath reads.
        const file =
          path === null ? '<input>' : isAbsolute(path) ? relative(process.cwd(), path) || path : path;
        const { template, problems } = parseTemplate(source, { file });
        if (!template) throw invalidDocument(problems);
        return { name: template.name, hash: documentHash(source) };
      },
    });
  }

  /** Checks and stores a template: a new version when its content changed. */
  push(source: string, options: PushOptions = {}): Promise<PushOutcome> {
    return this.registry.push(source, options);
  }

  /** Pushes a file, or every template under a directory (all checked first). */
  pushPath(
    target: string,
    options: Omit<PushOptions, 'path'> & { cwd?: string } = {},
  ): Promise<PushOutcome[]> {
    return this.registry.pushPath(target, options);
  }

  /** Registered templates and the built-in library, by name. */
  async list(): Promise<TemplateSummary[]> {
    const registered = await this.registry.list();
    const names = new Set(registered.map((r) => r.name));
    const out: TemplateSummary[] = [];
    for (const summary of registered) {
      const { template } = parseTemplate((await this.registry.show(summary.name)).source);
      out.push({
        name: summary.name,
        description: template?.description ?? null,
        builtin: false,
        shadowed: false,
        parameters: Object.keys(template?.parameters ?? {}),
        latest: summary.latest,
        active: summary.active,
        versions: summary.versions,
        updatedAt: summary.updatedAt,
      });
    }
    for (const builtin of (await this.#library()).values()) {
      const { template } = builtin.parsed;
      out.push({
        name: builtin.name,
        description: template.description ?? null,
        builtin: true,
        shadowed: names.has(builtin.name),
        parameters: Object.keys(template.parameters),
        latest: null,
        active: null,
        versions: 0,
        updatedAt: null,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || Number(a.builtin) - Number(b.builtin));
  }

  /** A template: registered (`version`, else active, else newest) before built-in. */
  async get(name: string, version?: number): Promise<FoundTemplate> {
    return (await this.#load(name, version, false)).found;
  }

  /** Every version of a registered template, oldest first. */
  async versions(name: string): Promise<VersionWithRuns[]> {
    if (!(await this.#isRegistered(name)) && (await this.#library()).has(name))
      throw builtinHasNoVersions(name);
    return this.registry.versions(name);
  }

  /** Deletes every version of a registered template; built-ins cannot be deleted. */
  async remove(name: string): Promise<number> {
    if (!(await this.#isRegistered(name)) && (await this.#library()).has(name)) {
      throw new WeftError(
        'conflict',
        `template '${name}' is built in (it ships with Weft) and cannot be deleted`,
      );
    }
    return this.registry.remove(name);
  }

  /**
   * Makes a workflow from a template: checks every parameter (all problems at once, `invalid_input`
   * with `details.problems`), substitutes them, names the document `options.workflow`, and pushes
   * it as a workflow version whose origin is `{ template, version, parameters }`. A document the
   * workflow checks refuse is `invalid_document`, its problems placed in the template.
   */
  async instantiate(
    name: string,
    parameters: Readonly<Record<string, unknown>>,
    options: InstantiateOptions,
  ): Promise<Instantiated> {
    const { found, parsed } = await this.#load(name, options.version, true);
    const { template } = found;
    const engine = this.#engine;
    const { values, problems } = await resolveParameters(template, parameters, {
      agents: () => engine.agents?.names() ?? new Set(),
      skills: () => engine.skills.names(),
      workflows: async () => new Set((await engine.store.definitions.list('workflow')).map((d) => d.name)),
    });
    if (!NAME.test(options.workflow)) {
      problems.unshift({
        parameter: null,
        message: `the workflow name (--name) must match ${NAME.source}, got '${options.workflow}'`,
      });
    }
    if (problems.length > 0) throw badParameters(found, problems);
    const { name: _ignored, ...body } = substitute(template.workflow, values) as Record<string, unknown>;
    const document = { name: options.workflow, ...body };
    const from = found.builtin
      ? `built-in template ${template.name}`
      : `template ${template.name} version ${found.version}`;
    const source = `# Made from ${from}.\n${stringify(document, { lineWidth: 0 })}`;
    try {
      const push = await engine.workflows.push(source, {
        message: options.message ?? `from ${from}`,
        status: options.status ?? 'active',
        origin: { template: template.name, version: found.version, parameters: values },
      });
      return { source, push };
    } catch (error) {
      throw placedInTemplate(error, found, parsed, options.workflow);
    }
  }

  async #load(name: string, version: number | undefined, forRun: boolean): Promise<Loaded> {
    if (await this.#isRegistered(name)) {
      const definition = forRun
        ? (await this.registry.resolve(name, version)).definition
        : await this.registry.show(name, version);
      const file = `template:${name}@${definition.version}`;
      const parsed = parseTemplate(definition.source, { file });
      if (!parsed.template) throw invalidDocument(parsed.problems);
      const found = {
        template: parsed.template,
        source: definition.source,
        version: definition.version,
        builtin: false,
        file,
      };
      return { found, parsed };
    }
    const builtin = (await this.#library()).get(name);
    if (!builtin) {
      const known = [...(await this.registry.list()).map((d) => d.name), ...(await this.#library()).keys()];
      throw new WeftError(
        'not_found',
        `no template '${name}'${didYouMean(name, known)}; \`weft templates list\` shows them, \`weft templates push <file>\` adds one`,
      );
    }
    if (version !== undefined) throw builtinHasNoVersions(name);
    const found = {
      template: builtin.parsed.template,
      source: builtin.source,
      version: null,
      builtin: true,
      file: `template:${name}`,
    };
    return { found, parsed: builtin.parsed };
  }

  async #isRegistered(name: string): Promise<boolean> {
    return (await this.#engine.store.definitions.latest('template', name)) !== undefined;
  }

  #library(): Promise<Map<string, BuiltinTemplate>> {
    this.#builtins ??= loadBuiltinTemplates(this.#builtinDir);
    return this.#builtins;
  }
}

function builtinHasNoVersions(name: string): WeftError {
  return new WeftError(
    'not_found',
    `template '${name}' is built in (it ships with Weft) and has no versions; push a template named '${name}' to version your own`,
  );
}

function badParameters(found: FoundTemplate, problems: ParameterProblem[]): WeftError {
  const lines = problems.map((p) =>
    p.parameter === null ? p.message : `parameter '${p.parameter}': ${p.message}`,
  );
  const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  return new WeftError(
    'invalid_input',
    `cannot instantiate template '${found.template.name}' (${count}):\n${lines.join('\n')}`,
    { details: { template: found.template.name, version: found.version, problems } },
  );
}

/**
 * A refused workflow's problems, moved from the generated document to the template's body: the
 * same path under `workflow`, at its line in the template, saying which workflow it made.
 */
function placedInTemplate(
  error: unknown,
  found: FoundTemplate,
  parsed: ParsedTemplate,
  workflow: string,
): unknown {
  if (!(error instanceof WeftError) || error.code !== 'invalid_document') return error;
  const problems = error.details.problems as Problem[] | undefined;
  if (!Array.isArray(problems)) return error;
  const placed = problems.map((p) => {
    const at = parsed.positions.valueAt(['workflow', ...parsePath(p.path)]);
    return {
      file: found.file,
      line: at.line,
      column: at.column,
      path: inWorkflow(p.path),
      message: `${p.message} (in workflow '${workflow}', instantiated from this template)`,
    };
  });
  const moved = invalidDocument(placed);
  return new WeftError('invalid_document', moved.message, { details: moved.details, cause: error });
}
