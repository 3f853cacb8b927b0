import { WeftError } from '../errors.js';
import type { DefinitionKind, DefinitionVersion } from '../store/definition-types.js';
import type { Store } from '../store/types.js';
import { didYouMean } from '../util/did-you-mean.js';

/** `not_found` for a definition or version that does not exist, naming the close ones. */
export async function missingDefinition(
  store: Store,
  kind: DefinitionKind,
  name: string,
  version?: number,
): Promise<WeftError> {
  const versions = await store.definitions.versions(kind, name);
  if (versions.length === 0) {
    const names = (await store.definitions.list(kind)).map((d) => d.name);
    const push = kind === 'workflow' ? 'weft workflows push <file>' : 'weft templates push <file>';
    return new WeftError(
      'not_found',
      `no registered ${kind} '${name}'${didYouMean(name, names)}; register one with \`${push}\``,
    );
  }
  if (version !== undefined) {
    const known = versions.map((v) => v.version).join(', ');
    return new WeftError('not_found', `${kind} '${name}' has no version ${version} (it has ${known})`);
  }
  const listed = versions.map((v) => `${v.version} ${v.status}`).join(', ');
  return new WeftError(
    'not_found',
    `${kind} '${name}' has no active version (${listed}); pick one with --version, or activate one with \`weft workflows status ${name} <version> active\``,
  );
}

/**
 * The version a run of a registered workflow uses: `version`, else the active one. Archived versions
 * are refused (`conflict`); deprecated ones run (callers may warn).
 * @example const found = await resolveRegistered(store, 'deploy'); // the active version
 */
export async function resolveRegistered(
  store: Store,
  name: string,
  version?: number,
  kind: DefinitionKind = 'workflow',
): Promise<DefinitionVersion> {
  const found = await store.definitions.get(kind, name, version);
  if (!found) throw await missingDefinition(store, kind, name, version);
  if (found.status === 'archived') {
    throw new WeftError(
      'conflict',
      `${kind} '${name}' version ${found.version} is archived and cannot run; activate another version, or set this one back with \`weft workflows status ${name} ${found.version} deprecated\``,
      { details: { workflow: name, version: found.version, status: found.status } },
    );
  }
  return found;
}
