import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

describe('weft runs show: parent and child runs', () => {
  beforeAll(assertBuilt);

  it('lists the child runs of a parent, and names the parent of a child', async () => {
    const dir = workspace({
      'parent.yaml': `name: parent
steps:
  - { id: tax, type: workflow, workflow: child.yaml, inputs: { net: 10 } }
`,
      'child.yaml': `name: child
steps:
  - { id: gross, type: skill, skill: transform, inputs: { value: "\${ inputs.net * 1.5 }" } }
`,
    });
    const store = `sqlite:${join(dir, 'weft.db')}`;
    const ran = await weft(['run', 'parent.yaml', '--json', '--store', store], { cwd: dir });
    expect(ran.code).toBe(0);
    const parentId = JSON.parse(ran.stdout).run_id as string;

    const shown = await weft(['runs', 'show', parentId, '--json', '--store', store], { cwd: dir });
    const parent = JSON.parse(shown.stdout);
    expect(parent.children).toHaveLength(1);
    expect(parent.children[0]).toMatchObject({
      workflow: 'child',
      parent_run_id: parentId,
      status: 'completed',
    });

    const text = await weft(['runs', 'show', parentId, '--store', store], { cwd: dir });
    expect(text.stdout).toContain('child runs');
    expect(text.stdout).toContain(parent.children[0].id);

    const child = await weft(['runs', 'show', parent.children[0].id, '--store', store], { cwd: dir });
    expect(child.stdout).toMatch(new RegExp(`parent\\s+${parentId}`));
  });
});
