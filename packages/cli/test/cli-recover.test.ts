import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

const NAP = `name: nap
steps:
  - id: started
    type: skill
    skill: log
    inputs: { message: "napping" }
  - id: nap
    type: skill
    skill: sleep
    inputs: { duration: 1s }
  - id: done
    type: skill
    skill: echo
    inputs: { ok: true }
`;

beforeAll(() => {
  assertBuilt();
});

describe('weft recover', () => {
  it('prints [] and exits 0 when nothing was interrupted', async () => {
    const result = await weft(['recover', '--json'], { cwd: workspace() });
    expect(result).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  it('finishes every interrupted run and prints one line per run', async () => {
    const cwd = workspace({ 'nap.yaml': NAP });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const first = await weft(['run', 'nap.yaml', '--json'], { cwd, interruptWhen: 'napping' });
      expect(first.code).toBe(130);
      ids.push((JSON.parse(first.stdout) as { run_id: string }).run_id);
    }
    const text = await weft(['recover'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('recovering 2 runs');
    const lines = text.stdout.trim().split('\n').sort();
    expect(lines).toEqual(ids.map((id) => `✓ ${id} nap completed`).sort());
    const again = await weft(['recover', '--json'], { cwd });
    expect(again).toMatchObject({ code: 0, stdout: '[]\n' });
  });
});
