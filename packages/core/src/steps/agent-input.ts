import type { InputPolicy } from '../agents/registry.js';
import type { AgentAnswer, AgentQuestion } from '../agents/types.js';
import { WeftError } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import type { StepContext, WaitRequest } from './types.js';

/** The key a question waits under: one durable wait per question of each attempt. */
export function inputWaitKey(stepKey: string, attempt: number, round: number): string {
  return `${stepKey}#input${attempt}.${round}`;
}

/**
 * Waits durably for the answer to an agent's question, as its `on_input_required` says: an event
 * of type `input_event` (its `data` is the answer) or an approval. A resumed step waits on the
 * same row (same key, same deadline); `details` (the remote task's ids) are stored with it.
 */
export async function waitForAnswer(
  ctx: StepContext,
  options: { agent: string; policy: InputPolicy; question: AgentQuestion; signal: AbortSignal },
): Promise<AgentAnswer> {
  const { agent, policy, question } = options;
  const asked = question.text.length > 300 ? `${question.text.slice(0, 300)}...` : question.text;
  if (policy.via === 'fail') {
    throw new WeftError(
      'agent_error',
      `agent '${agent}' asks for input ("${asked}") and its on_input_required is fail`,
      { details: { ...question.details, question: question.text } },
    );
  }
  const key = inputWaitKey(ctx.stepKey, ctx.attempt, question.round);
  const reason = `agent '${agent}' asks: ${asked || '(no text)'}`;
  const request: WaitRequest = {
    kind: policy.via,
    reason,
    key,
    signal: options.signal,
    until: policy.timeoutMs === undefined ? undefined : Date.now() + policy.timeoutMs,
    details: { ...question.details, question: question.text },
    ...(policy.via === 'event'
      ? { eventType: policy.event }
      : {
          approval: { prompt: `${reason} (approve to answer; the comment and data are sent to the agent)` },
        }),
  };
  const outcome = await ctx.wait(request);
  if (outcome.kind === 'event') {
    const { id, type, source, data } = outcome.event;
    return { kind: 'event', data, event: { id, type, source } };
  }
  if (outcome.kind === 'approval') {
    const { approved, by, comment, data } = outcome;
    return { kind: 'approval', approved, by, comment, data };
  }
  const waited = formatDuration(policy.timeoutMs ?? 0);
  throw new WeftError(
    policy.via === 'event' ? 'event_timeout' : 'timeout',
    `step '${ctx.stepKey}': agent '${agent}' asked for input and no ${policy.via === 'event' ? `'${policy.event}' event` : 'approval'} came within ${waited}`,
    { details: { wait: key } },
  );
}
