import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/step-engine.js';
import { TERMINAL_RUN_STATUSES } from '../store/types.js';
import { chainedRunId } from './chaining.js';
import { createEngine } from './create-engine.js';
import type { WeftEngine } from './engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

/** A directory with these workflow files, and an engine on a SQLite file in it. */
async function setup(files: Record<string, string>, options: { maxChainLength?: number; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'weft-chain-'));
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), source);
  }
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    maxChainLength: options.maxChainLength,
  });
  engines.push(engine);
  return { engine, dir };
}

async function ended(engine: WeftEngine, runId: string) {
  await eventually(async () =>
    TERMINAL_RUN_STATUSES.has((await engine.store.getRun(runId))?.status ?? 'running'),
  );
  return (await engine.store.getRun(runId))!;
}

async function chainEvents(engine: WeftEngine, runId: string) {
  const events = await engine.getEvents(runId);
  return events
    .filter((e) => e.type.startsWith('run.chain'))
    .map((e) => ({ type: e.type, ...(e.data as object) }));
}

const order = `name: order
inputs: { type: object, properties: { order_id: { type: string }, total: { type: number } } }
steps:
  - { id: price, type: skill, skill: echo, inputs: { total: "\${ inputs.total }" } }
on_complete:
  - workflow: ./invoice.yaml
    when: \${ output.total > 0 }
    inputs: { order_id: "\${ inputs.order_id }", amount: "\${ output.total }", by: "\${ run.workflow }" }
`;
const invoice = `name: invoice
inputs: { type: object, required: [order_id, amount], properties: { amount: { type: number, minimum: 1 } } }
steps:
  - { id: bill, type: skill, skill: echo, inputs: { invoice_for: "\${ inputs.order_id }", amount: "\${ inputs.amount }", by: "\${ inputs.by }" } }
`;

describe('on_complete', () => {
  it('starts the workflow when `when` holds, with the mapped input; the chain is recorded on both runs', async () => {
    const { engine, dir } = await setup({ 'order.yaml': order, 'invoice.yaml': invoice });
    const first = await (
      await engine.start(join(dir, 'order.yaml'), { order_id: 'A-1', total: 30 })
    ).result();
    expect(first).toMatchObject({ status: 'completed', output: { total: 30 } });
    const childId = chainedRunId(first.runId, 0);
    expect(await chainEvents(engine, first.runId)).toEqual([
      { type: 'run.chained', index: 0, workflow: './invoice.yaml', runId: childId },
    ]);
    const child = await ended(engine, childId);
    expect(child).toMatchObject({
      workflow: 'invoice',
      status: 'completed',
      output: { invoice_for: 'A-1', amount: 30, by: 'order' },
      meta: {
        chained_from: {
          run_id: first.runId,
          workflow: 'order',
          index: 0,
          chain: [{ run_id: first.runId, workflow: 'order' }],
        },
      },
    });
    const started = (await engine.getEvents(childId)).find((e) => e.type === 'run.started');
    expect(started?.data).toMatchObject({ resumed: false });
  });

  it('starts nothing when `when` is false', async () => {
    const { engine, dir } = await setup({ 'order.yaml': order, 'invoice.yaml': invoice });
    const first = await (await engine.start(join(dir, 'order.yaml'), { order_id: 'A-1', total: 0 })).result();
    expect(first.status).toBe('completed');
    expect(await chainEvents(engine, first.runId)).toEqual([]);
    expect(await engine.store.getRun(chainedRunId(first.runId, 0))).toBeUndefined();
  });

  it('resolves the path against the document, and records a start that fails on the finished run', async () => {
    const { engine, dir } = await setup({ 'flows/order.yaml': order, 'flows/invoice.yaml': invoice });
    // amount 0.5 breaks the invoice's inputs schema (minimum 1): the order still completes.
    const first = await (
      await engine.start(join(dir, 'flows/order.yaml'), { order_id: 'A', total: 0.5 })
    ).result();
    expect(first.status).toBe('completed');
    expect(await chainEvents(engine, first.runId)).toEqual([
      {
        type: 'run.chain_failed',
        index: 0,
        workflow: './invoice.yaml',
        error: expect.objectContaining({ code: 'invalid_input' }),
      },
    ]);
  });

  it('starts a registered workflow named in on_complete (its active version)', async () => {
    const { engine } = await setup({});
    await engine.workflows.push(
      'name: invoice\nsteps: [ { id: i, type: skill, skill: echo, inputs: { n: 2 } } ]\n',
    );
    const source =
      'name: x\nsteps: [ { id: a, type: skill, skill: echo } ]\non_complete: [ { workflow: invoice } ]\n';
    const first = await (await engine.start({ source })).result();
    const chained = await chainEvents(engine, first.runId);
    expect(chained).toEqual([
      { type: 'run.chained', index: 0, workflow: 'invoice', runId: expect.any(String) },
    ]);
  });

  it('stops a chain at maxChainLength runs', async () => {
    const again = `name: again
steps: [ { id: a, type: skill, skill: echo, inputs: { n: 1 } } ]
on_complete: [ { workflow: ./again.yaml } ]
`;
    const { engine, dir } = await setup({ 'again.yaml': again }, { maxChainLength: 3 });
    const first = await (await engine.start(join(dir, 'again.yaml'))).result();
    const second = await ended(engine, chainedRunId(first.runId, 0));
    const third = await ended(engine, chainedRunId(second.id, 0));
    expect(third.meta.chained_from).toMatchObject({
      chain: [
        { run_id: first.runId, workflow: 'again' },
        { run_id: second.id, workflow: 'again' },
      ],
    });
    await eventually(async () => (await chainEvents(engine, third.id)).length > 0);
    const [failed] = await chainEvents(engine, third.id);
    expect(failed).toMatchObject({
      type: 'run.chain_failed',
      error: { code: 'max_chain_length_exceeded', max_chain_length: 3 },
    });
    expect(await engine.store.getRun(chainedRunId(third.id, 0))).toBeUndefined();
    expect(await engine.listRuns({ workflow: 'again' })).toHaveLength(3);
  });

  it('stops a loop A -> B -> A with a message that names the loop', async () => {
    const a =
      'name: ping\nsteps: [ { id: s, type: skill, skill: echo } ]\non_complete: [ { workflow: ./pong.yaml } ]\n';
    const b =
      'name: pong\nsteps: [ { id: s, type: skill, skill: echo } ]\non_complete: [ { workflow: ./ping.yaml } ]\n';
    const { engine, dir } = await setup({ 'ping.yaml': a, 'pong.yaml': b }, { maxChainLength: 4 });
    let runId = (await (await engine.start(join(dir, 'ping.yaml'))).result()).runId;
    for (let i = 0; i < 3; i++) runId = (await ended(engine, chainedRunId(runId, 0))).id;
    await eventually(async () => (await chainEvents(engine, runId)).length > 0);
    const [failed] = await chainEvents(engine, runId);
    expect(failed).toMatchObject({ type: 'run.chain_failed', error: { code: 'max_chain_length_exceeded' } });
    expect((failed as { error: { message: string } }).error.message).toMatch(
      /ping -> pong -> ping -> pong -> ping longer than 4 runs \('ping' is already in it: a loop\)/,
    );
  });

  it('starts the chained run exactly once when the process stops between the completion and the start', async () => {
    const files = { 'order.yaml': order, 'invoice.yaml': invoice };
    const { engine, dir } = await setup(files);
    let closing: Promise<void> | undefined;
    // The completion is committed with the chained run's record; the engine closes before it starts it.
    engine.on('run.completed', (event) => {
      if (event.workflow === 'order') closing = engine.close();
    });
    const handle = await engine.start(join(dir, 'order.yaml'), { order_id: 'B-2', total: 9 });
    await expect(handle.result()).rejects.toMatchObject({ code: 'cancelled' });
    await closing;
    const childId = chainedRunId(handle.runId, 0);

    const { engine: second } = await setup(files, { dir });
    expect(await second.store.getRun(handle.runId)).toMatchObject({ status: 'completed' });
    expect(await second.store.getRun(childId)).toMatchObject({ status: 'pending', owner: null });
    const recovered = await second.recover();
    expect(recovered.map((h) => h.runId)).toEqual([childId]);
    expect(await recovered[0]!.result()).toMatchObject({
      status: 'completed',
      output: { invoice_for: 'B-2' },
    });
    expect(await second.recover()).toEqual([]);
    expect(await second.listRuns({ workflow: 'invoice' })).toHaveLength(1);
  });
});
