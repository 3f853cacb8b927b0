/** How a document, a step or a schedule names a workflow: a file path, or a registered name. */

const PREFIX = 'registry:';

/** True for a reference that names a file; anything else names a registered workflow. */
export function isWorkflowPath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.(ya?ml|json)$/i.test(ref);
}

/**
 * The loader's key for a registered workflow (`registry:deploy`, pinned `registry:deploy@3`): it
 * travels where file paths do (plan dependencies, child-run requests) and cannot be mistaken for one.
 */
export function registryKey(name: string, version?: number): string {
  return version === undefined ? `${PREFIX}${name}` : `${PREFIX}${name}@${version}`;
}

export function parseRegistryKey(key: string): { name: string; version: number | undefined } | undefined {
  if (!key.startsWith(PREFIX)) return undefined;
  const match = /^(.*)@(\d+)$/.exec(key.slice(PREFIX.length));
  if (!match) return { name: key.slice(PREFIX.length), version: undefined };
  return { name: match[1]!, version: Number(match[2]) };
}
