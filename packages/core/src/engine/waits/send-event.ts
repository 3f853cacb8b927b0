import { WeftError } from '../../errors.js';
import type { Store, WaitRecord } from '../../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../../store/types.js';
import { eventTypesOf } from '../../store/wait-rows.js';
import { type EventInput, toCloudEvent } from './cloud-event.js';

/** Where an event goes: a run, one waiting step (its token), or (neither) every step waiting for its type. */
export interface SendEventOptions {
  /** Keep the event for this run until one of its steps takes it. */
  runId?: string;
  /** Deliver it to the step whose wait has this token (its webhook URL). */
  token?: string;
}

export interface SendEventResult {
  /** The event's id (given, or a new UUID). */
  id: string;
  /** Copies stored: 1 for a run or a token; for a type alone, the steps waiting for it at that moment. */
  delivered: number;
}

/** Stores an event for its receivers; see `Engine.sendEvent`. */
export async function sendEvent(
  store: Store,
  input: EventInput,
  options: SendEventOptions,
  now: number,
): Promise<SendEventResult> {
  if (options.token !== undefined) return sendToToken(store, input, options, now);
  const event = toCloudEvent(input, now);
  if (options.runId === undefined) return { id: event.id, delivered: await store.putEvent(event, { now }) };
  const runId = options.runId;
  await requireActiveRun(store, runId, `event '${event.type}'`);
  if ((await store.putEvent(event, { runId, now })) === 0) throw ended(runId, `event '${event.type}'`);
  return { id: event.id, delivered: 1 };
}

async function sendToToken(
  store: Store,
  input: EventInput,
  options: SendEventOptions,
  now: number,
): Promise<SendEventResult> {
  const wait = await store.getWaitByToken(options.token ?? '');
  if (!wait) throw new WeftError('not_found', 'no wait has this token; it may have been mistyped');
  const where = `step '${wait.stepKey}' of run ${wait.runId}`;
  if (options.runId !== undefined && options.runId !== wait.runId) {
    throw new WeftError('invalid_input', `the token belongs to ${where}, not to run ${options.runId}`);
  }
  if (wait.kind !== 'event')
    throw new WeftError('conflict', `${where} waits for ${kindText(wait)}, not an event`);
  const types = eventTypesOf(wait.eventType);
  // The type may be left out when the step waits for one type only.
  const event = toCloudEvent({ ...input, type: input?.type ?? (types.length === 1 ? types[0] : '') }, now);
  if (!types.includes(event.type)) {
    throw new WeftError('invalid_input', `${where} waits for ${kindText(wait)}, got '${event.type}'`);
  }
  const stored =
    wait.status === 'open'
      ? await store.putEvent(event, { runId: wait.runId, stepKey: wait.stepKey, now })
      : 0;
  if (stored === 0) throw new WeftError('conflict', `${where} is no longer waiting for an event`);
  return { id: event.id, delivered: 1 };
}

/** Throws `not_found` for an unknown run, `conflict` for one that has ended. */
export async function requireActiveRun(store: Store, runId: string, what: string): Promise<void> {
  const run = await store.getRun(runId);
  if (!run) throw new WeftError('not_found', `no run with id '${runId}' in this store (for ${what})`);
  if (TERMINAL_RUN_STATUSES.has(run.status)) throw ended(runId, what, run.status);
}

function ended(runId: string, what: string, status = 'ended'): WeftError {
  return new WeftError(
    'conflict',
    `run ${runId} has ${status === 'ended' ? 'ended' : `ended (${status})`}; it cannot take ${what}`,
  );
}

export function kindText(wait: WaitRecord): string {
  if (wait.kind === 'timer') return 'a timer';
  if (wait.kind === 'approval') return 'an approval';
  return `an event of type ${eventTypesOf(wait.eventType)
    .map((type) => `'${type}'`)
    .join(' or ')}`;
}
