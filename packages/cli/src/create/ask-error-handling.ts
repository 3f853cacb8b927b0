import { durationCheck } from './checks.js';
import type { WizardSession } from './session.js';

/**
 * A step's `retry` (for types that make attempts) and `on_error`; only what differs from the
 * defaults (one attempt, halt) is returned.
 */
export async function askErrorHandling(
  session: WizardSession,
  id: string,
  retries: boolean,
): Promise<Record<string, unknown>> {
  const { prompts } = session;
  const what = retries ? 'retries, on_error' : 'on_error';
  if (!(await prompts.confirm({ message: `Error handling for '${id}' (${what})?`, default: false })))
    return {};
  const fields: Record<string, unknown> = {};
  if (retries) {
    const attempts = await prompts.number({
      message: 'Attempts in all, the first included (1: no retry)',
      default: 3,
      min: 1,
      max: 100,
      required: true,
    });
    if (attempts !== undefined && attempts > 1) fields.retry = await askRetry(session, attempts);
  }
  const onError = await prompts.select({
    message: `When '${id}' fails for good`,
    choices: [
      { value: 'halt', name: 'halt: fail the step and the run' },
      { value: 'skip', name: 'skip: record it as skipped and go on' },
      { value: 'rollback', name: 'rollback: fail the run and run compensations' },
    ],
    default: 'halt',
  });
  if (onError !== 'halt') fields.on_error = onError;
  return fields;
}

async function askRetry(session: WizardSession, attempts: number): Promise<Record<string, unknown>> {
  const { prompts, core } = session;
  const backoff = await prompts.select({
    message: 'Delay between attempts',
    choices: [
      { value: 'exponential', name: 'exponential: delay, then x2 each time' },
      { value: 'fixed', name: 'fixed: the same delay each time' },
      { value: 'linear', name: 'linear: delay + 1 increment each time' },
      { value: 'immediate', name: 'immediate: no delay' },
    ],
    default: 'exponential',
  });
  const retry: Record<string, unknown> = { max_attempts: attempts };
  if (backoff !== 'exponential') retry.backoff = backoff;
  if (backoff === 'immediate') return retry;
  const delay = (
    await prompts.input({ message: 'First delay', default: '1s', validate: durationCheck(core) })
  ).trim();
  if (delay !== '1s') retry.delay = delay;
  return retry;
}
