import { WeftError } from '../errors.js';
import type {
  DefinitionKind,
  DefinitionSummary,
  DefinitionVersion,
  VersionStatus,
} from './definition-types.js';

export const VERSION_COLUMNS =
  'kind, name, version, status, source, hash, summary, origin, created_at, updated_at';

export interface VersionRow {
  kind: string;
  name: string;
  version: number | string;
  status: string;
  source: string;
  hash: string;
  summary: string | null;
  origin: unknown;
  created_at: number | string;
  updated_at: number | string;
}

export interface SummaryRow {
  kind: string;
  name: string;
  latest: number | string;
  active: number | string | null;
  versions: number | string;
  updated_at: number | string;
}

export function toVersion(row: VersionRow, decode: (value: unknown) => unknown): DefinitionVersion {
  return {
    kind: row.kind as DefinitionKind,
    name: row.name,
    version: Number(row.version),
    status: row.status as VersionStatus,
    source: row.source,
    hash: row.hash,
    summary: row.summary,
    origin: (decode(row.origin) as Record<string, unknown> | null) ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toSummary(row: SummaryRow): DefinitionSummary {
  return {
    kind: row.kind as DefinitionKind,
    name: row.name,
    latest: Number(row.latest),
    active: row.active === null ? null : Number(row.active),
    versions: Number(row.versions),
    updatedAt: Number(row.updated_at),
  };
}

/** The summary query, the same in both dialects; `param` is the dialect's parameter marker (`?`, `$1`). */
export function summarySql(param: string): string {
  return `SELECT kind, name, MAX(version) AS latest,
      MAX(CASE WHEN status = 'active' THEN version END) AS active,
      COUNT(*) AS versions, MAX(updated_at) AS updated_at
    FROM definition_versions WHERE kind = ${param} GROUP BY kind, name ORDER BY name`;
}

/**
 * What a push does given the newest stored version: nothing (same content), update that draft, or
 * insert the next version. Shared by both backends so they decide alike.
 */
export type PushDecision =
  | { action: 'unchanged' }
  | { action: 'update-draft' }
  | { action: 'insert'; version: number };

export function decidePush(
  latest: { version: number; status: VersionStatus; hash: string } | undefined,
  push: { hash: string; status: 'draft' | 'active' },
): PushDecision {
  if (!latest) return { action: 'insert', version: 1 };
  if (latest.hash === push.hash) return { action: 'unchanged' };
  if (latest.status === 'draft' && push.status === 'draft') return { action: 'update-draft' };
  return { action: 'insert', version: latest.version + 1 };
}

/** Refuses the status changes versions do not allow; both backends call it before writing. */
export function checkStatusChange(
  current: DefinitionVersion | undefined,
  target: { kind: DefinitionKind; name: string; version: number; status: VersionStatus },
): DefinitionVersion {
  const what = `${target.kind} '${target.name}' version ${target.version}`;
  if (!current) throw new WeftError('not_found', `${what} does not exist`);
  if (target.status === 'draft' && current.status !== 'draft') {
    throw new WeftError(
      'conflict',
      `${what} is ${current.status}; only drafts are mutable, and a version that left draft cannot return to it (push a new draft instead)`,
    );
  }
  return current;
}
