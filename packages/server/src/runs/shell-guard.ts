/** Fields whose values are data for a step, not steps: a `skill: shell` found there is text, not a step. */
const DATA_FIELDS = new Set([
  'inputs',
  'context',
  'output',
  'values',
  'data',
  'schema',
  'form',
  'output_schema',
  'prompt',
]);

/**
 * Paths of every place a document would run the `shell` skill: skill steps, stream sources and
 * agents allowed to call it as a tool. Walks the whole tree, so step types added later are covered.
 * @example findShellUses({ steps: [{ id: 'a', type: 'skill', skill: 'shell' }] }) // ['steps[0]']
 */
export function findShellUses(document: unknown): string[] {
  const found: string[] = [];
  walk(document, '', found);
  return found;
}

function walk(node: unknown, path: string, found: string[]): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(item, `${path}[${i}]`, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const mapping = node as Record<string, unknown>;
  if (mapping.skill === 'shell') found.push(path || '(document)');
  const tools = mapping.allowed_tools;
  if (Array.isArray(tools) && tools.includes('shell')) found.push(`${join(path, 'allowed_tools')}`);
  for (const [key, value] of Object.entries(mapping)) {
    if (!DATA_FIELDS.has(key)) walk(value, join(path, key), found);
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const WORKFLOW_FILE = /\.(ya?ml|json)$/i;

/** Workflow files a document runs as children (`workflow` steps) or chains to (`on_complete`). */
export function findWorkflowFiles(document: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node !== null && typeof node === 'object') {
      const mapping = node as Record<string, unknown>;
      if (typeof mapping.workflow === 'string' && WORKFLOW_FILE.test(mapping.workflow))
        found.add(mapping.workflow);
      for (const [key, value] of Object.entries(mapping)) if (!DATA_FIELDS.has(key)) walk(value);
    }
  };
  walk(document);
  return [...found];
}
