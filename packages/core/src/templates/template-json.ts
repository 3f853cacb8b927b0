import type { FoundTemplate, TemplateSummary } from './template-types.js';

/** A template in a listing, as `--json` and the HTTP API show it. */
export function templateSummaryJson(t: TemplateSummary): object {
  return {
    name: t.name,
    description: t.description,
    builtin: t.builtin,
    shadowed: t.shadowed,
    parameters: t.parameters,
    latest: t.latest,
    active: t.active,
    versions: t.versions,
    updated_at: t.updatedAt === null ? null : new Date(t.updatedAt).toISOString(),
  };
}

/** One template with its parameters, body and document, as `--json` and the HTTP API show it. */
export function foundTemplateJson(found: FoundTemplate): object {
  return {
    name: found.template.name,
    description: found.template.description ?? null,
    version: found.version,
    builtin: found.builtin,
    parameters: found.template.parameters,
    workflow: found.template.workflow,
    source: found.source,
  };
}
