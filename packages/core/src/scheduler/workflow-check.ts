import { isWorkflowPath } from '../engine/chaining.js';
import type { WorkflowRef } from '../engine/types.js';
import type { Store } from '../store/types.js';

/** What `engine.start` gets for a schedule's workflow: a document path, or a registered name. */
export function workflowRef(workflow: string): WorkflowRef {
  return isWorkflowPath(workflow) ? workflow : { name: workflow };
}

/**
 * Why a schedule's registered workflow cannot run any more (deleted, or archived with no active
 * version), or undefined when it can. Paths are checked when the run starts.
 */
export async function unrunnableReason(store: Store, workflow: string): Promise<string | undefined> {
  if (isWorkflowPath(workflow)) return undefined;
  if (await store.definitions.get('workflow', workflow)) return undefined;
  const latest = await store.definitions.latest('workflow', workflow);
  if (!latest) return `workflow '${workflow}' is not in the registry`;
  const versions = await store.definitions.versions('workflow', workflow);
  if (versions.every((v) => v.status === 'archived')) return `workflow '${workflow}' is archived`;
  return `workflow '${workflow}' has no active version (latest: version ${latest.version}, ${latest.status})`;
}

/** A start error that will not go away by itself: the workflow was deleted or archived. */
export function isGoneError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'not_found') return true;
  return e?.code === 'conflict' && /archived/i.test(String(e.message));
}
