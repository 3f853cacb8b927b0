import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, stepEngine } from '../../test/support/step-engine.js';
import { childRunId } from '../engine/child-runs.js';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function setup(dir?: string) {
  const harness = await stepEngine(dir);
  engines.push(harness.engine);
  return harness;
}

/** Writes documents into `dir` (name -> YAML). */
function files(dir: string, docs: Record<string, string>): void {
  for (const [name, text] of Object.entries(docs)) writeFileSync(join(dir, name), text);
}

const call = (id: string, target: string, extra = '') =>
  `  - { id: ${id}, type: workflow, workflow: ${target}${extra} }\n`;

const CHILD = `name: child
version: 2
inputs: { type: object, properties: { n: { type: number } }, required: [n] }
steps:
  - { id: double, type: skill, skill: transform, inputs: { value: "\${ inputs.n * 2 }" } }
output: { doubled: "\${ steps.double.output }", parent: "\${ run.id }" }
`;

describe('workflow', () => {
  it('runs a child by path with inputs; its output is the step output; parent and child are linked both ways', async () => {
    const { engine, dir } = await setup();
    files(dir, {
      'child.yaml': CHILD,
      'parent.yaml': `name: parent\nsteps:\n${call('sub', 'child.yaml', ', version: 2, inputs: { n: "${ inputs.n }" }')}`,
    });
    const handle = await engine.start(join(dir, 'parent.yaml'), { n: 21 });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', output: { doubled: 42 } });
    const details = await engine.getRun(handle.runId);
    const childId = (result.output as { parent: string }).parent;
    expect(details?.children?.map((run) => run.id)).toEqual([childId]);
    expect(details?.children?.[0]).toMatchObject({ parentRunId: handle.runId, workflow: 'child' });
    expect(details?.steps.find((s) => s.stepKey === 'sub')?.meta).toMatchObject({ child_run_id: childId });
    expect(await engine.listRuns({ parentRunId: handle.runId })).toHaveLength(1);
    expect((await engine.getRun(childId))?.run.meta).toMatchObject({ depth: 1, parent_step: 'sub' });
  });

  it('fails the step with the child error: code kept, message naming the child run', async () => {
    const { engine, dir } = await setup();
    files(dir, {
      'bad.yaml': 'name: bad\nsteps:\n  - { id: no, type: fail, code: bad_input, message: nope }\n',
      'parent.yaml': `name: parent\nsteps:\n${call('sub', 'bad.yaml')}`,
    });
    const handle = await engine.start(join(dir, 'parent.yaml'));
    const result = await handle.result();
    const [child] = await engine.listRuns({ parentRunId: handle.runId });
    expect(child).toMatchObject({ status: 'failed', error: { code: 'bad_input' } });
    expect(result.error).toMatchObject({ code: 'bad_input', step: 'sub', child_run_id: child?.id });
    expect(result.error?.message).toBe(
      `child run ${child?.id} (workflow 'bad.yaml') failed at step 'no': nope`,
    );
  });

  it('fails with max_depth_exceeded past the depth limit (a setting)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-depth-'));
    const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir, maxDepth: 2 });
    engines.push(engine);
    files(dir, {
      'a.yaml': `name: a\nsteps:\n${call('to_b', 'b.yaml')}`,
      'b.yaml': `name: b\nsteps:\n${call('to_c', 'c.yaml')}`,
      'c.yaml': `name: c\nsteps:\n${call('to_d', 'd.yaml')}`,
      'd.yaml': 'name: d\nsteps:\n  - { id: x, type: skill, skill: echo }\n',
    });
    const result = await (await engine.start(join(dir, 'a.yaml'))).result();
    expect(result.error).toMatchObject({ code: 'max_depth_exceeded' });
    expect(result.error?.message).toMatch(
      /a child run would nest 3 levels deep; the limit is 2 \(maxDepth\)$/,
    );
    expect(await engine.listRuns({ workflow: 'd' })).toEqual([]);
    // Two levels are allowed.
    expect(await (await engine.start(join(dir, 'b.yaml'))).result()).toMatchObject({ status: 'completed' });
  });

  it('refuses at load a document that reaches itself, naming the chain with file:line', async () => {
    const { engine, dir } = await setup();
    files(dir, {
      'a.yaml': `name: a\nsteps:\n  - { id: first, type: skill, skill: echo }\n${call('to_b', 'b.yaml')}`,
      'b.yaml': `name: b\nsteps:\n${call('to_c', 'c.yaml')}`,
      'c.yaml': `name: c\nsteps:\n${call('back', 'a.yaml')}`,
    });
    const refused = engine.start(join(dir, 'a.yaml'));
    await expect(refused).rejects.toMatchObject({ code: 'invalid_document' });
    await expect(refused).rejects.toThrow(
      "a.yaml:4:43: steps[1].workflow: workflow 'b.yaml' cannot be loaded: c.yaml:3:43: steps[0].workflow: workflow 'a.yaml' leads back to a.yaml: a.yaml -> b.yaml -> c.yaml -> a.yaml",
    );
    expect(await engine.listRuns()).toEqual([]);
    // A document that runs itself directly.
    files(dir, { 'self.yaml': `name: selfish\nsteps:\n${call('again', './self.yaml')}` });
    await expect(engine.start(join(dir, 'self.yaml'))).rejects.toThrow(
      "self.yaml:3:44: steps[0].workflow: workflow './self.yaml' leads back to this document: self.yaml -> self.yaml",
    );
  });

  it('refuses at load an unknown child file (not_found) and a version pin the child does not have', async () => {
    const { engine, dir } = await setup();
    files(dir, {
      'invoice.yaml': CHILD,
      'by-name.yaml': `name: p\nsteps:\n${call('sub', 'invoice')}`,
      'pinned.yaml': `name: p\nsteps:\n${call('sub', 'invoice.yaml', ', version: 3')}`,
    });
    const byName = engine.start(join(dir, 'by-name.yaml'));
    await expect(byName).rejects.toMatchObject({ code: 'not_found' });
    await expect(byName).rejects.toThrow(
      "by-name.yaml:3:42: steps[0].workflow: no registered workflow 'invoice'; register one with `weft workflows push <file>`; to run the file next to this document, write './invoice.yaml'",
    );
    const pinned = engine.start(join(dir, 'pinned.yaml'));
    await expect(pinned).rejects.toMatchObject({ code: 'not_found' });
    await expect(pinned).rejects.toThrow("workflow 'invoice.yaml' is version 2, but the step pins version 3");
  });

  it('a resumed parent finds the child it started instead of starting another', async () => {
    const first = await setup();
    files(first.dir, {
      'child.yaml': `name: child\nsteps:\n  - { id: hold, type: skill, skill: probe.gate, inputs: { id: hold, value: 7 } }\n`,
      'parent.yaml': `name: parent\nsteps:\n${call('sub', 'child.yaml')}  - { id: after, type: skill, skill: transform, inputs: { value: "\${ steps.sub.output + 1 }" } }\n`,
    });
    const handle = await first.engine.start(join(first.dir, 'parent.yaml'));
    await first.probes.reached('hold');
    await eventually(async () => (await first.engine.listRuns({ parentRunId: handle.runId })).length === 1);
    await first.engine.close();
    const second = await setup(first.dir);
    // Both the parent and its child are interrupted: recover resumes each once.
    const resumed = await second.engine.recover();
    expect(resumed.map((h) => h.runId)).toContain(handle.runId);
    await second.probes.reached('hold');
    second.probes.open('hold');
    const result = await resumed.find((h) => h.runId === handle.runId)!.result();
    expect(result).toMatchObject({ status: 'completed', output: 8 });
    const children = await second.engine.listRuns({ parentRunId: handle.runId });
    expect(children).toHaveLength(1);
    expect(children[0]?.status).toBe('completed');
    expect(second.probes.log).toEqual(['start:hold', 'end:hold']);
  });

  it('waits for a child that another process is running, watching the store', async () => {
    const { engine, dir, probes } = await setup();
    files(dir, {
      'child.yaml': `name: child\nsteps:\n  - { id: hold, type: skill, skill: probe.gate, inputs: { id: hold, value: 5 } }\n`,
      'parent.yaml': `name: parent\nsteps:\n${call('sub', 'child.yaml')}`,
    });
    // The child the parent's step will look for, already started by another engine.
    const childId = childRunId({ parentRunId: 'p-1', stepKey: 'sub', attempt: 1 });
    const other = await setup(dir);
    await other.engine.start(join(dir, 'child.yaml'), {}, { runId: childId, parentRunId: 'p-1' });
    await other.probes.reached('hold');
    const parent = await engine.start(join(dir, 'parent.yaml'), {}, { runId: 'p-1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    other.probes.open('hold');
    expect(await parent.result()).toMatchObject({ status: 'completed', output: 5 });
    expect(probes.log).toEqual([]);
  });

  it('cancels the child when the step stops (here its timeout): the child fails with that reason', async () => {
    const { engine, dir, probes } = await setup();
    files(dir, {
      'slow.yaml': `name: slow\nsteps:\n  - { id: hold, type: skill, skill: probe.gate, inputs: { id: hold } }\n`,
      'parent.yaml': `name: parent\nsteps:\n${call('sub', 'slow.yaml', ', timeout: 200ms')}`,
    });
    const handle = await engine.start(join(dir, 'parent.yaml'));
    const result = await handle.result();
    expect(result.error).toMatchObject({ code: 'timeout', step: 'sub' });
    await eventually(
      async () => (await engine.listRuns({ parentRunId: handle.runId }))[0]?.status === 'failed',
    );
    const [child] = await engine.listRuns({ parentRunId: handle.runId });
    expect(child?.error).toMatchObject({ code: 'timeout' });
    expect(probes.log).toEqual(['start:hold', 'abort:hold:timeout']);
  });
});
