import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SkillRegistry } from '@weft/core';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';

/** A JSON Schema object as skills declare their input (only what the wizard reads). */
export interface InputSchema {
  type?: string | string[];
  properties?: Record<string, InputSchema>;
  required?: string[];
  additionalProperties?: boolean | InputSchema;
  description?: string;
  default?: unknown;
  enum?: unknown[];
}

export interface SkillInfo {
  name: string;
  description?: string;
  /** Present when the skill declares its input as a JSON Schema (not a Standard Schema). */
  input?: InputSchema;
}

/** What the wizard offers to pick from: skills, agents and registered workflows known here. */
export interface Catalog {
  skills: SkillInfo[];
  agents: { name: string; description?: string }[];
  /** Registered workflow names (`weft workflows list`). */
  workflows: string[];
}

/** Reads the catalog from the config, the skill registry and the store. */
export async function loadCatalog(
  ctx: CliContext,
  skills: SkillRegistry,
  warn: (line: string) => void,
): Promise<Catalog> {
  return {
    skills: skillInfos(skills),
    agents: Object.entries(ctx.config.agents ?? {}).map(([name, setting]) => ({
      name,
      description: `${setting.type} agent`,
    })),
    workflows: await registeredWorkflows(ctx).catch((error: unknown) => {
      warn(`cannot list registered workflows (${error instanceof Error ? error.message : String(error)})`);
      return [];
    }),
  };
}

export function skillInfos(
  skills: Iterable<{ name: string; description?: string; input?: unknown }>,
): SkillInfo[] {
  const infos: SkillInfo[] = [];
  for (const skill of skills) {
    const input = isJsonSchema(skill.input) ? skill.input : undefined;
    infos.push({ name: skill.name, description: skill.description, input });
  }
  return infos.sort((a, b) => a.name.localeCompare(b.name));
}

// A Standard Schema (zod, valibot) carries `~standard`; the wizard cannot list its fields.
function isJsonSchema(value: unknown): value is InputSchema {
  return typeof value === 'object' && value !== null && !('~standard' in value);
}

/** Registered workflows; none when the store does not exist yet (creating one here would surprise). */
async function registeredWorkflows(ctx: CliContext): Promise<string[]> {
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(ctx.storeUrl.trim())?.[1];
  if (sqlite !== undefined && (sqlite === ':memory:' || !existsSync(resolve(ctx.cwd, sqlite)))) return [];
  const summaries = await withStore(ctx, (store) => store.definitions.list('workflow'));
  return summaries.filter((s) => s.active !== null).map((s) => s.name);
}
