import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';
import { type RunRecord, TERMINAL_RUN_STATUSES } from '../store/types.js';

const doc = (name: string, message: string, extra = '') => `name: ${name}
inputs:
  type: object
  properties: { who: { type: string, default: world } }
steps:
  - id: greet
    type: skill
    skill: echo
    inputs: { text: "${message} \${ inputs.who }" }
${extra}output: "\${ steps.greet.output.text }"
`;

/** The run's record once it has ended, read from the store. */
async function ended(engine: WeftEngine, runId: string): Promise<RunRecord> {
  for (let i = 0; i < 500; i++) {
    const run = (await engine.getRun(runId))?.run;
    if (run && TERMINAL_RUN_STATUSES.has(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`run ${runId} did not end`);
}

describe('registry: versions of workflows', () => {
  let dir: string;
  let db: string;
  let engine: WeftEngine;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-registry-'));
    db = `sqlite:${join(dir, 'weft.db')}`;
    engine = await createEngine({ store: db, cwd: dir });
  });
  afterEach(async () => {
    await engine.close();
  });

  it('runs the active version by name, another when pinned, and records the version on the run', async () => {
    expect((await engine.workflows.push(doc('greet', 'hello'), { message: 'first' })).message).toBe(
      "workflow 'greet': created version 1, active",
    );
    const again = await engine.workflows.push(doc('greet', 'hello'));
    expect(again.message).toBe("workflow 'greet': unchanged (version 1, active, has this content)");
    expect((await engine.workflows.push(doc('greet', 'hi'))).message).toBe(
      "workflow 'greet': created version 2, active (version 1 deprecated)",
    );

    const latest = await (await engine.start({ name: 'greet' })).result();
    expect(latest.output).toBe('hi world');
    const pinned = await (await engine.start({ name: 'greet', version: 1 }, { who: 'ada' })).result();
    expect(pinned.output).toBe('hello ada');
    expect((await engine.getRun(latest.runId))?.run.version).toBe(2);
    expect((await engine.getRun(pinned.runId))?.run.version).toBe(1);

    const versions = await engine.workflows.versions('greet');
    expect(versions.map((v) => [v.version, v.status, v.summary, v.runs])).toEqual([
      [1, 'deprecated', 'first', 1],
      [2, 'active', null, 1],
    ]);
    expect((await engine.workflows.resolve('greet', 1)).warning).toBe(
      "workflow 'greet' version 1 is deprecated",
    );
  });

  it('refuses archived versions and unknown names with what exists', async () => {
    await engine.workflows.push(doc('greet', 'hello'));
    await engine.workflows.setStatus('greet', 1, 'archived');
    await expect(engine.start({ name: 'greet' })).rejects.toThrow(/has no active version \(1 archived\)/);
    await expect(engine.start({ name: 'greet', version: 1 })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is archived and cannot run'),
    });
    await expect(engine.start({ name: 'gret' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining("no registered workflow 'gret' (did you mean 'greet'?)"),
    });
    await expect(engine.start({ name: 'greet', version: 7 })).rejects.toThrow(
      "workflow 'greet' has no version 7 (it has 1)",
    );
  });

  it('keeps a run in flight on the version it started with, even after a new version and a delete', async () => {
    const waiting = doc(
      'slow',
      'v1',
      '  - id: hold\n    type: wait\n    duration: 300ms\n    needs: [greet]\n',
    );
    await engine.workflows.push(waiting);
    const run = await engine.start({ name: 'slow' });
    await engine.workflows.push(doc('slow', 'v2'));
    await expect(engine.workflows.remove('slow')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(run.runId),
    });
    // The process goes away mid-run; another one picks the run up after the definition is gone.
    await engine.close();
    engine = await createEngine({ store: db, cwd: dir });
    expect(await engine.workflows.remove('slow', { force: true })).toBe(2);
    await engine.recover();
    expect(await ended(engine, run.runId)).toMatchObject({
      status: 'completed',
      version: 1,
      output: 'v1 world',
    });
  });

  it('diffs versions and rolls back to old content as a new version', async () => {
    await engine.workflows.push(doc('greet', 'hello'));
    await engine.workflows.push(doc('greet', 'hi'));
    const diff = await engine.workflows.diff('greet', 1, 2);
    expect(diff).toContain('--- greet@1');
    expect(diff).toContain('+++ greet@2');
    expect(diff).toContain('-    inputs: { text: "hello ${ inputs.who }" }');
    expect(diff).toContain('+    inputs: { text: "hi ${ inputs.who }" }');
    const back = await engine.workflows.rollback('greet', 1);
    expect(back).toMatchObject({
      created: true,
      version: { version: 3, status: 'active', summary: 'rollback to version 1' },
    });
    expect((await (await engine.start({ name: 'greet' })).result()).output).toBe('hello world');
    expect(await engine.workflows.diff('greet', 1, 3)).not.toMatch(/^[-+] /m);
  });

  it('runs registered children from workflow steps and on_complete, by name and pinned', async () => {
    await engine.workflows.push(doc('child', 'one'));
    await engine.workflows.push(doc('child', 'two'));
    await engine.workflows.push(doc('after', 'then'));
    const parent = `name: parent
steps:
  - id: active
    type: workflow
    workflow: child
    inputs: { who: ada }
  - id: pinned
    type: workflow
    workflow: child
    version: 1
on_complete:
  - workflow: after
    inputs: { who: "\${ steps.active.output }" }
output: ["\${ steps.active.output }", "\${ steps.pinned.output }"]
`;
    const done = new Promise<string>((resolve) =>
      engine.on('run.completed', (event) => {
        if (event.workflow === 'after') resolve(event.runId);
      }),
    );
    const result = await (await engine.start({ source: parent })).result();
    expect(result.output).toEqual(['two ada', 'one world']);
    const chainedId = await done;
    const chained = await ended(engine, chainedId);
    expect(chained).toMatchObject({ output: 'then two ada', version: 1 });
    const children = await engine.listRuns({ parentRunId: result.runId });
    expect(children.map((r) => r.version).sort()).toEqual([1, 2]);
  });

  it('refuses at load a workflow step naming an unknown registered workflow, at its line', async () => {
    await engine.workflows.push(doc('child', 'one'));
    const parent = 'name: parent\nsteps:\n  - id: go\n    type: workflow\n    workflow: chld\n';
    await expect(engine.start({ source: parent })).rejects.toMatchObject({
      code: 'not_found',
      message:
        "<input>:5:15: steps[0].workflow: no registered workflow 'chld' (did you mean 'child'?); register one with `weft workflows push <file>`",
    });
  });

  it('pushes a directory all or nothing, every problem of every file reported', async () => {
    const folder = join(dir, 'flows');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    writeFileSync(join(folder, 'a.yaml'), doc('a', 'x'));
    writeFileSync(join(folder, 'nested', 'b.yml'), 'name: b\nsteps:\n  - id: x\n    type: skil\n');
    writeFileSync(
      join(folder, 'c.json'),
      '{"name": "c", "steps": [{"id": "1x", "type": "set", "values": {}}]}',
    );
    writeFileSync(join(folder, 'notes.txt'), 'not a workflow');
    const error = await engine.workflows.pushPath(folder).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_document' });
    const message = (error as Error).message;
    expect(message).toMatch(/nested\/b\.yml:4:\d+: steps\[0\]\.type/);
    expect(message).toMatch(/c\.json:1:\d+: steps\[0\]\.id/);
    expect(await engine.workflows.list()).toEqual([]);

    writeFileSync(join(folder, 'nested', 'b.yml'), doc('b', 'y'));
    writeFileSync(
      join(folder, 'c.json'),
      JSON.stringify({ name: 'c', steps: [{ id: 'x', type: 'set', values: { a: 1 } }] }),
    );
    const pushed = await engine.workflows.pushPath(folder, { message: 'from a folder' });
    expect(pushed.map((p) => [p.name, p.version.version])).toEqual([
      ['a', 1],
      ['c', 1],
      ['b', 1],
    ]);
    expect((await engine.workflows.list()).map((d) => d.name)).toEqual(['a', 'b', 'c']);
  });

  it('keeps drafts out of name resolution until activated', async () => {
    await engine.workflows.push(doc('greet', 'hello'));
    await engine.workflows.push(doc('greet', 'draft one'), { status: 'draft' });
    const edited = await engine.workflows.push(doc('greet', 'draft two'), { status: 'draft' });
    expect(edited.message).toBe("workflow 'greet': updated draft version 2");
    expect((await (await engine.start({ name: 'greet' })).result()).output).toBe('hello world');
    expect((await (await engine.start({ name: 'greet', version: 2 })).result()).output).toBe(
      'draft two world',
    );
    await engine.workflows.setStatus('greet', 2, 'active');
    expect((await (await engine.start({ name: 'greet' })).result()).output).toBe('draft two world');
    await expect(engine.workflows.setStatus('greet', 2, 'draft')).rejects.toMatchObject({ code: 'conflict' });
  });
});
