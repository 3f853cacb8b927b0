import { join } from 'node:path';
import { openStore, type Store } from '@weft/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

const FLOW = `name: ship
steps:
  - { id: paid, type: event, event: order.paid }
  - id: sign_off
    type: approval
    prompt: "Ship order \${ steps.paid.output.order }?"
    form: { type: object, properties: { ticket: { type: string } }, required: [ticket] }
output: { paid: "\${ steps.paid.output }", decision: "\${ steps.sign_off.output }" }
`;

let cwd: string;
beforeAll(() => {
  assertBuilt();
  cwd = workspace({ 'ship.yaml': FLOW, 'data.json': '{"order": 7}' });
});

/** The run id and step key of the first open wait, once there is one. */
async function openWait(store: Store, stepKey: string): Promise<string> {
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    // Until `weft run` has migrated the new store, it has no tables to read.
    const waits = await store.listWaits({ status: 'open' }).catch(() => []);
    const [wait] = waits.filter((w) => w.stepKey === stepKey);
    if (wait) return wait.runId;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no step ${stepKey} waited`);
}

describe('weft events send, weft approve', () => {
  it('sends the event and the decision a running `weft run` waits for', async () => {
    const running = weft(['run', 'ship.yaml', '--json'], { cwd });
    const store = await openStore(`sqlite:${join(cwd, '.weft', 'weft.db')}`);
    try {
      const runId = await openWait(store, 'paid');
      const sent = await weft(['events', 'send', 'order.paid', '--data', '@data.json', '--json'], { cwd });
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout)).toEqual({ id: expect.any(String), delivered: 1 });
      await openWait(store, 'sign_off');
      const bad = await weft(['approve', runId, 'sign_off', '--data', '{"ticket": 5}'], { cwd });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/does not match the step's form: \/ticket must be string/);
      const ok = [
        'approve',
        runId,
        'sign_off',
        '--data',
        '{"ticket":"OPS-1"}',
        '--by',
        'ada',
        '--comment',
        'go',
      ];
      const approved = await weft(ok, { cwd });
      expect(approved.code).toBe(0);
      expect(approved.stdout).toBe(`approved step 'sign_off' of run ${runId}\n`);
      const run = await running;
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        status: 'completed',
        output: {
          paid: { order: 7 },
          decision: { approved: true, by: 'ada', comment: 'go', data: { ticket: 'OPS-1' } },
        },
      });
    } finally {
      await store.close();
    }
  });

  it('says when nobody was waiting for an event sent by type', async () => {
    const sent = await weft(['events', 'send', 'nobody.cares', '--source', 'tests'], { cwd });
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^sent event \S+ \(nobody.cares\): nobody was waiting for 'nobody.cares'/);
  });

  it('exits 2 on bad JSON, an unknown run, or a step that is not waiting', async () => {
    const badData = await weft(['events', 'send', 'x', '--data', '{oops'], { cwd });
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/--data: expected JSON or @file.json/);
    const badApproval = await weft(['approve', 'r', 's', '--data', '[1,'], { cwd });
    expect(badApproval.code).toBe(2);
    const unknownRun = await weft(['events', 'send', 'x', '--run', 'no-such-run'], { cwd });
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.stderr).toMatch(/no run with id 'no-such-run'/);
    const notWaiting = await weft(['approve', 'no-such-run', 'sign_off', '--reject'], { cwd });
    expect(notWaiting.code).toBe(2);
  });
});
