import { WeftError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { type ApprovalDecision, approvalOutcome } from './approval-decision.js';
import { kindText, requireActiveRun } from './send-event.js';

/** Decides the approval `stepKey` of `runId` is waiting for; see `Engine.approve`. */
export async function approve(
  store: Store,
  target: { runId: string; stepKey: string },
  decision: ApprovalDecision,
  now: number,
): Promise<void> {
  const { runId, stepKey } = target;
  const where = `step '${stepKey}' of run ${runId}`;
  await requireActiveRun(store, runId, `an approval for step '${stepKey}'`);
  const wait = await store.getWait(runId, stepKey);
  if (!wait) {
    const waiting = await store.listWaits({ runIds: [runId], kind: 'approval', status: 'open' });
    const hint =
      waiting.length > 0 ? ` (waiting for approval: ${waiting.map((w) => w.stepKey).join(', ')})` : '';
    throw new WeftError('not_found', `${where} is not waiting for an approval${hint}`);
  }
  if (wait.kind !== 'approval')
    throw new WeftError('conflict', `${where} waits for ${kindText(wait)}, not an approval`);
  if (wait.status === 'done') throw new WeftError('conflict', `${where} has already been decided`);
  const outcome = approvalOutcome(wait, decision, now);
  if (!(await store.closeWait(runId, stepKey, outcome))) {
    throw new WeftError('conflict', `${where} was decided or timed out meanwhile`);
  }
}
