import { z } from 'zod';
import { workflowSchema } from './schema/document.js';

/** Where the published schema lives; editors match it with `# yaml-language-server: $schema=...`. */
export const WORKFLOW_SCHEMA_ID = 'https://weft.dev/schema/workflow.schema.json';

/**
 * JSON Schema (2020-12) of a workflow document, generated from the zod model, for editors.
 * Load-time checks (expressions, `needs`, unique ids, durations' exact forms) go further than it can.
 * @example writeFileSync('workflow.schema.json', JSON.stringify(workflowJsonSchema(), null, 2))
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const { $schema, ...generated } = z.toJSONSchema(workflowSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    $schema,
    $id: WORKFLOW_SCHEMA_ID,
    title: 'Weft workflow',
    description: 'A Weft workflow document, format version 1 (see SPEC.md).',
    ...generated,
  };
}
