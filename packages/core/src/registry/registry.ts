import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { WeftError } from '../errors.js';
import type { Problem } from '../spec/index.js';
import type {
  DefinitionKind,
  DefinitionSummary,
  DefinitionVersion,
  PushResult,
  VersionStatus,
} from '../store/definition-types.js';
import type { RunStatus, Store } from '../store/types.js';
import { missingDefinition, resolveRegistered } from './resolve.js';

/** What a registry needs to know about its kind of document. */
export interface DefinitionRules {
  kind: DefinitionKind;
  /**
   * Checks a document as it would be run or instantiated; throws `invalid_document` with every
   * problem in `details.problems`. Returns the name it registers under and its content hash.
   */
  validate(source: string, path: string | null): Promise<{ name: string; hash: string }>;
}

export interface PushOptions {
  /** Where it was read from: messages, and relative paths inside it. */
  path?: string | null;
  /** The version's summary (`--message`). */
  message?: string | null;
  /** Default `active`: the new version is the one runs use. */
  status?: 'draft' | 'active';
  /** For a workflow made from a template: which template version and parameters. */
  origin?: Record<string, unknown> | null;
}

/** A push, with what it did in words (`created version 3`, `unchanged: version 2 has this content`). */
export interface PushOutcome extends PushResult {
  name: string;
  path: string | null;
  message: string;
}

export interface VersionWithRuns extends DefinitionVersion {
  /** Runs that started with this version. */
  runs: number;
}

export interface ResolvedVersion {
  definition: DefinitionVersion;
  /** Set for a deprecated version: what to tell whoever runs it. */
  warning: string | null;
}

const ACTIVE_RUN_STATUSES: RunStatus[] = ['pending', 'running', 'paused'];
const DOCUMENT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Versions of one kind of definition (workflows, or templates): push, list, show, diff, rollback,
 * status changes and delete. Only drafts are mutable; one version is active; runs record the
 * version they started with and keep its document, so nothing here changes a run in flight.
 * @example const { message } = await engine.workflows.push(source, { path: 'deploy.yaml', message: 'faster' });
 */
export class Registry {
  constructor(
    private readonly store: Store,
    private readonly rules: DefinitionRules,
  ) {}

  get kind(): DefinitionKind {
    return this.rules.kind;
  }

  /** Validates and stores a document: a new version when its content changed, none otherwise. */
  async push(source: string, options: PushOptions = {}): Promise<PushOutcome> {
    const path = options.path ?? null;
    const { name, hash } = await this.rules.validate(source, path);
    const result = await this.store.definitions.push({
      kind: this.kind,
      name,
      source,
      hash,
      summary: options.message?.trim() || null,
      status: options.status ?? 'active',
      origin: options.origin ?? null,
      now: Date.now(),
    });
    return { ...result, name, path, message: describePush(this.kind, name, result) };
  }

  /**
   * Pushes a file, or every .yaml/.yml/.json file under a directory. All are validated first: one
   * invalid document pushes nothing, and every problem of every file is in the error.
   */
  async pushPath(
    target: string,
    options: Omit<PushOptions, 'path'> & { cwd?: string } = {},
  ): Promise<PushOutcome[]> {
    const cwd = options.cwd ?? process.cwd();
    const files = await documentFiles(resolve(cwd, target), target);
    const sources = await Promise.all(
      files.map(async (file) => ({ file, source: await readFile(file, 'utf8') })),
    );
    const problems: Problem[] = [];
    for (const { file, source } of sources) {
      try {
        await this.rules.validate(source, file);
      } catch (error) {
        const refused = WeftError.from(error, 'invalid_document');
        const found = refused.details.problems as Problem[] | undefined;
        if (!found) throw refused;
        problems.push(...found);
      }
    }
    if (problems.length > 0) {
      const lines = problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path}: ${p.message}`);
      throw new WeftError('invalid_document', lines.join('\n'), { details: { problems } });
    }
    const outcomes: PushOutcome[] = [];
    for (const { file, source } of sources) {
      outcomes.push(await this.push(source, { ...options, path: relative(cwd, file) || file }));
    }
    return outcomes;
  }

  list(): Promise<DefinitionSummary[]> {
    return this.store.definitions.list(this.kind);
  }

  /** One version: `version`, else the active one, else the newest. */
  async show(name: string, version?: number): Promise<DefinitionVersion> {
    const found =
      version === undefined
        ? ((await this.store.definitions.get(this.kind, name)) ??
          (await this.store.definitions.latest(this.kind, name)))
        : await this.store.definitions.get(this.kind, name, version);
    if (found) return found;
    throw await missingDefinition(this.store, this.kind, name, version);
  }

  /** Every version, oldest first, with how many runs each started. */
  async versions(name: string): Promise<VersionWithRuns[]> {
    const versions = await this.store.definitions.versions(this.kind, name);
    if (versions.length === 0) throw await missingDefinition(this.store, this.kind, name);
    const counts = this.kind === 'workflow' ? await this.store.definitions.runCounts(name) : new Map();
    return versions.map((v) => ({ ...v, runs: counts.get(v.version) ?? 0 }));
  }

  /** A unified diff from version `from` to version `to`. */
  async diff(name: string, from: number, to: number): Promise<string> {
    const [a, b] = [await this.show(name, from), await this.show(name, to)];
    return createTwoFilesPatch(`${name}@${from}`, `${name}@${to}`, a.source, b.source, a.status, b.status);
  }

  /** Makes `version`'s content the active one again, as a new version (versions are immutable). */
  async rollback(name: string, version: number, message?: string): Promise<PushOutcome> {
    const old = await this.show(name, version);
    const latest = await this.store.definitions.latest(this.kind, name);
    if (latest && latest.hash === old.hash && latest.status !== 'active') {
      const changed = await this.setStatus(name, latest.version, 'active');
      const result = {
        version: changed.version,
        created: false,
        updated: false,
        deprecated: changed.deprecated,
      };
      return {
        ...result,
        name,
        path: null,
        message: `${this.kind} '${name}': version ${latest.version} has the content of version ${version} and is active again`,
      };
    }
    return this.push(old.source, {
      message: message ?? `rollback to version ${version}`,
      status: 'active',
      origin: old.origin,
    });
  }

  async setStatus(
    name: string,
    version: number,
    status: VersionStatus,
  ): Promise<{ version: DefinitionVersion; deprecated: number | null }> {
    return this.store.definitions.setStatus(this.kind, name, version, status, Date.now());
  }

  /** The version to run (see resolveRegistered), with a warning for a deprecated one. */
  async resolve(name: string, version?: number): Promise<ResolvedVersion> {
    const definition = await resolveRegistered(this.store, name, version, this.kind);
    const warning =
      definition.status === 'deprecated'
        ? `${this.kind} '${name}' version ${definition.version} is deprecated`
        : null;
    return { definition, warning };
  }

  /** Deletes every version; refused while runs of the workflow are active, unless `force`. */
  async remove(name: string, options: { force?: boolean } = {}): Promise<number> {
    await this.versions(name);
    if (this.kind === 'workflow' && !options.force) {
      const active = await this.store.listRuns({ workflow: name, status: ACTIVE_RUN_STATUSES, limit: 5 });
      if (active.length > 0) {
        const ids = active.map((r) => r.id).join(', ');
        throw new WeftError(
          'conflict',
          `workflow '${name}' has runs that have not ended (${ids}${active.length === 5 ? ', ...' : ''}); wait for them, cancel them, or delete with --force (runs keep their own copy of the document)`,
          { details: { runs: active.map((r) => r.id) } },
        );
      }
    }
    return this.store.definitions.remove(this.kind, name);
  }
}

function describePush(kind: DefinitionKind, name: string, result: PushResult): string {
  const { version } = result;
  if (result.created) {
    const after = result.deprecated === null ? '' : ` (version ${result.deprecated} deprecated)`;
    return `${kind} '${name}': created version ${version.version}, ${version.status}${after}`;
  }
  if (result.updated) return `${kind} '${name}': updated draft version ${version.version}`;
  return `${kind} '${name}': unchanged (version ${version.version}, ${version.status}, has this content)`;
}

/** The document files a push names: the file itself, or those under the directory, sorted. */
async function documentFiles(absolute: string, asGiven: string): Promise<string[]> {
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new WeftError(
      'not_found',
      `cannot read '${asGiven}': ${error.code === 'ENOENT' ? 'no such file or directory' : error.message}`,
    );
  });
  if (!info.isDirectory()) return [absolute];
  const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && DOCUMENT_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) {
    throw new WeftError('not_found', `'${asGiven}' has no .yaml, .yml or .json documents`);
  }
  return files;
}
