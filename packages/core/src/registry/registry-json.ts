import type { DefinitionVersion } from '../store/definition-types.js';
import type { PushOutcome } from './registry.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A version as `--json` and the HTTP API show it (snake_case, ISO times); the document on request. */
export function versionJson(version: DefinitionVersion & { runs?: number }, withSource = false): object {
  return {
    name: version.name,
    version: version.version,
    status: version.status,
    summary: version.summary,
    hash: version.hash,
    origin: version.origin,
    created_at: iso(version.createdAt),
    updated_at: iso(version.updatedAt),
    ...(version.runs === undefined ? {} : { runs: version.runs }),
    ...(withSource ? { source: version.source } : {}),
  };
}

/** What a push did, as `--json` and the HTTP API show it. */
export function pushJson(outcome: PushOutcome): object {
  return {
    name: outcome.name,
    path: outcome.path,
    version: outcome.version.version,
    status: outcome.version.status,
    created: outcome.created,
    updated: outcome.updated,
    deprecated: outcome.deprecated,
    message: outcome.message,
  };
}
