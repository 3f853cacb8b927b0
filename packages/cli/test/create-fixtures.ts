import { join } from 'node:path';
import * as core from '@weft/core';
import { skillRegistry } from '../src/commands/validate.js';
import type { CliContext } from '../src/context.js';
import { loadCatalog } from '../src/create/catalog.js';
import type { WizardSession } from '../src/create/session.js';
import { type Line, type ScriptedPrompts, scriptedPrompts } from './create-script.js';

/** The context a command gets in `dir`: its weft.config.yaml, a SQLite store there. */
export async function contextIn(dir: string): Promise<CliContext> {
  const config = await core.loadConfig({ cwd: dir, env: {} });
  return {
    cwd: dir,
    debug: false,
    core,
    config,
    storeUrl: `sqlite:${join(dir, 'weft.db')}`,
    engineLogLevel: 'silent',
  };
}

export interface ScriptedSession {
  session: WizardSession;
  prompts: ScriptedPrompts;
  /** The lines the wizard said. */
  said: string[];
}

/** A wizard session in `ctx` whose questions are answered by `script`; the catalog is the real one. */
export async function scriptedSession(ctx: CliContext, script: readonly Line[]): Promise<ScriptedSession> {
  const prompts = scriptedPrompts(script);
  const said: string[] = [];
  const say = (line: string) => said.push(line);
  const catalog = await loadCatalog(ctx, await skillRegistry(ctx), say);
  return { session: { prompts, core, catalog, cwd: ctx.cwd, say }, prompts, said };
}
