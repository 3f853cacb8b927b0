import { expressionFindings } from './check-expressions.js';
import { jsonSchemaFindings } from './check-json-schemas.js';
import { needsFindings } from './check-needs.js';
import { stateFindings } from './check-states.js';
import { idFindings, type StepCheckOptions, stepRuleFindings } from './check-steps.js';
import type { Finding } from './problems.js';
import { buildStepTree } from './step-tree.js';
import type { Mapping } from './values.js';

/**
 * The checks the zod model cannot make: unique ids, `needs`, expressions and what they refer to,
 * step-type rules, state machines, inline JSON Schemas. They read the raw document tolerantly, so
 * they run even when the schema check found problems.
 */
export function semanticFindings(document: Mapping, options: StepCheckOptions): Finding[] {
  const tree = buildStepTree(document);
  return [
    ...idFindings(tree, options),
    ...needsFindings(tree),
    ...stepRuleFindings(document, tree, options),
    ...stateFindings(document),
    ...expressionFindings(document, tree),
    ...jsonSchemaFindings(document, tree),
  ];
}
