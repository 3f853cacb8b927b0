/** What the registry keeps: workflows, and templates that make workflows (registry/). */
export type DefinitionKind = 'workflow' | 'template';

/**
 * The life of a version. Only a draft's content may change; one version per definition is active
 * (the one `weft run <name>` runs); deprecated still runs (with a warning); archived is refused.
 */
export type VersionStatus = 'draft' | 'active' | 'deprecated' | 'archived';

export const VERSION_STATUSES: readonly VersionStatus[] = ['draft', 'active', 'deprecated', 'archived'];

/** One stored version of a workflow or template document. */
export interface DefinitionVersion {
  kind: DefinitionKind;
  name: string;
  /** 1, 2, 3... per (kind, name); never reused, even after a delete. */
  version: number;
  status: VersionStatus;
  /** The document as pushed (YAML or JSON). */
  source: string;
  /** Content hash of `source` (the same hash runs refer to their document by). */
  hash: string;
  /** The push's `--message`; null when none was given. */
  summary: string | null;
  /** For a workflow made from a template: `{ template, version, parameters }`. */
  origin: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewDefinitionVersion {
  kind: DefinitionKind;
  name: string;
  source: string;
  hash: string;
  summary: string | null;
  status: 'draft' | 'active';
  origin: Record<string, unknown> | null;
  now: number;
}

/**
 * What a push did: `created` a new version; `updated` the latest draft in place (a draft pushed
 * over a draft); or neither, when the content equals the latest version's (nothing changed).
 */
export interface PushResult {
  version: DefinitionVersion;
  created: boolean;
  updated: boolean;
  /** The version that was active before and is now deprecated, when this push activated another. */
  deprecated: number | null;
}

/** One definition as `weft workflows list` shows it. */
export interface DefinitionSummary {
  kind: DefinitionKind;
  name: string;
  latest: number;
  /** The active version; null when none is. */
  active: number | null;
  versions: number;
  updatedAt: number;
}

/** The registry's tables. Pushes of one name are serialised: versions never collide. */
export interface DefinitionStore {
  /** Stores a version (see PushResult); `status: 'active'` deprecates the version active before. */
  push(version: NewDefinitionVersion): Promise<PushResult>;
  /** One version; without `version`, the active one. */
  get(kind: DefinitionKind, name: string, version?: number): Promise<DefinitionVersion | undefined>;
  /** The newest version, whatever its status. */
  latest(kind: DefinitionKind, name: string): Promise<DefinitionVersion | undefined>;
  /** Every definition of a kind, by name. */
  list(kind: DefinitionKind): Promise<DefinitionSummary[]>;
  /** Every version of one definition, oldest first. */
  versions(kind: DefinitionKind, name: string): Promise<DefinitionVersion[]>;
  /**
   * Changes a version's status (activating one deprecates the active one). Throws `not_found` for
   * an unknown version and `conflict` for a non-draft made a draft again.
   */
  setStatus(
    kind: DefinitionKind,
    name: string,
    version: number,
    status: VersionStatus,
    now: number,
  ): Promise<{ version: DefinitionVersion; deprecated: number | null }>;
  /** Deletes every version of a definition (runs keep their documents); returns how many. */
  remove(kind: DefinitionKind, name: string): Promise<number>;
  /** How many runs each version of a workflow has (runs record the version they started with). */
  runCounts(workflow: string): Promise<Map<number, number>>;
}
