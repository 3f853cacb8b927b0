import { describe, expect, it } from 'vitest';
import { eventually, useStepEngines } from '../../test/support/step-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const engines = useStepEngines();
const setup = async () => (await engines()).engine;

const approvalDoc = (fields = '') => `name: deploy
steps:
  - id: sign_off
    type: approval
    prompt: "Deploy \${ inputs.version }?"
${fields}`;

async function start(engine: WeftEngine, fields = '') {
  const handle = await engine.start({ source: approvalDoc(fields) }, { version: '1.2' });
  await eventually(async () => (await engine.store.getWait(handle.runId, 'sign_off'))?.status === 'open');
  return handle;
}

describe('approval', () => {
  it('completes with the decision: approved, by, comment, data and when', async () => {
    const engine = await setup();
    const handle = await start(engine);
    const wait = await engine.store.getWait(handle.runId, 'sign_off');
    expect(wait?.details).toMatchObject({ prompt: 'Deploy 1.2?' });
    await engine.approve(handle.runId, 'sign_off', { approved: true, by: 'ada', comment: 'ship it' });
    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'completed',
      output: {
        approved: true,
        by: 'ada',
        comment: 'ship it',
        data: null,
        at: expect.any(String),
        timed_out: false,
      },
    });
  });

  it('completes with approved false when rejected', async () => {
    const engine = await setup();
    const handle = await start(engine);
    await engine.approve(handle.runId, 'sign_off', { approved: false });
    expect((await handle.result()).output).toMatchObject({ approved: false, by: null, comment: null });
  });

  it("checks the decision's data against the form, applying its defaults", async () => {
    const engine = await setup();
    const form = `    form:
      type: object
      properties: { ticket: { type: string }, env: { type: string, default: prod } }
      required: [ticket]
`;
    const handle = await start(engine, form);
    await expect(
      engine.approve(handle.runId, 'sign_off', { approved: true, data: { ticket: 5 } }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/does not match the step's form: \/ticket must be string/),
    });
    await expect(engine.approve(handle.runId, 'sign_off', { approved: true })).rejects.toThrow(
      /\/ticket is required/,
    );
    await engine.approve(handle.runId, 'sign_off', { approved: true, data: { ticket: 'OPS-1' } });
    expect((await handle.result()).output).toMatchObject({ data: { ticket: 'OPS-1', env: 'prod' } });
  });

  it('refuses to decide a step that is not waiting for an approval, or twice', async () => {
    const engine = await setup();
    const handle = await start(engine);
    const { runId } = handle;
    await expect(engine.approve(runId, 'nope', { approved: true })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/waiting for approval: sign_off/),
    });
    await expect(engine.approve('no-run', 'sign_off', { approved: true })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(engine.approve(runId, 'sign_off', { approved: 'yes' } as never)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await engine.approve(runId, 'sign_off', { approved: true });
    await expect(engine.approve(runId, 'sign_off', { approved: true })).rejects.toMatchObject({
      code: 'conflict',
    });
    await handle.result();
    const events = await engine.start({ source: 'name: ev\nsteps: [{ id: e, type: event, event: x }]\n' });
    await eventually(async () => (await engine.store.getWait(events.runId, 'e')) !== undefined);
    await expect(engine.approve(events.runId, 'e', { approved: true })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/waits for an event of type 'x', not an approval/),
    });
  });

  it('applies on_timeout: reject (default), approve, or fail', async () => {
    const engine = await setup();
    const run = async (fields: string) =>
      (await engine.start({ source: approvalDoc(fields) }, { version: '1' })).result();
    expect((await run('    timeout: 50ms\n')).output).toMatchObject({
      approved: false,
      timed_out: true,
      by: null,
    });
    expect((await run('    timeout: 50ms\n    on_timeout: approve\n')).output).toMatchObject({
      approved: true,
      timed_out: true,
    });
    const failed = await run('    timeout: 50ms\n    on_timeout: fail\n');
    expect(failed.error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/sign_off.*50ms/) });
  });
});
