import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadWorkflow } from '@weft/core';
import { findShellUses, findWorkflowFiles } from './shell-guard.js';

export interface ShellPolicyOptions {
  /** Directories a relative child path may be resolved against (the document's, the server's). */
  dirs: readonly string[];
  /** Child documents followed at most this deep; default 5 (the engine's nesting limit). */
  maxDepth?: number;
}

/**
 * Every place a document, or a workflow file it runs as a child or chains to, would run `shell`.
 * Children named by path are read and checked too (against every directory the engine might
 * resolve them from), so a child file cannot bring shell steps in; registered names are not
 * files and are not followed.
 * @example await shellUsesDeep(document, { dirs: ['/srv/flows'] }) // ['steps[0]', 'child.yaml: steps[1]']
 */
export async function shellUsesDeep(document: unknown, options: ShellPolicyOptions): Promise<string[]> {
  const found = findShellUses(document);
  const seen = new Set<string>();
  const visit = async (doc: unknown, dirs: readonly string[], depth: number): Promise<void> => {
    if (depth > (options.maxDepth ?? 5)) return;
    for (const ref of findWorkflowFiles(doc)) {
      for (const path of candidates(ref, dirs)) {
        if (seen.has(path)) continue;
        seen.add(path);
        const child = await readDocument(path);
        if (child === undefined) continue;
        found.push(...findShellUses(child).map((use) => `${ref}: ${use}`));
        await visit(child, [dirname(path), ...dirs], depth + 1);
      }
    }
  };
  await visit(document, options.dirs, 1);
  return found;
}

function candidates(ref: string, dirs: readonly string[]): string[] {
  return isAbsolute(ref) ? [ref] : [...new Set(dirs.map((dir) => resolve(dir, ref)))];
}

async function readDocument(path: string): Promise<unknown> {
  try {
    return loadWorkflow(await readFile(path, 'utf8'), { file: path }).document;
  } catch {
    return undefined;
  }
}
