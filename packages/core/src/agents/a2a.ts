import { randomUUID } from 'node:crypto';
import type { Message, Part, Task } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { WeftError } from '../errors.js';
import { abortError } from '../skills/support/abort.js';
import { type AgentSetting, requireUrl, resolveApiKey, resolveRef, scrub } from './config.js';
import { userMessage } from './prompt.js';
import type { AgentAdapter, AgentAnswer, AgentCallContext, AgentResponse } from './types.js';

/** Saved on the step while a question waits: a resumed step goes on with the same task. */
interface PendingQuestion {
  task_id: string;
  context_id: string;
  round: number;
  question: string;
}

// TaskState of the A2A 1.0 protocol (numbers on the wire of @a2a-js/sdk 1.x).
const STATE = {
  submitted: 1,
  working: 2,
  completed: 3,
  failed: 4,
  canceled: 5,
  inputRequired: 6,
  rejected: 7,
  authRequired: 8,
} as const;
const STATE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(STATE).map(([name, value]) => [value, name.replace('R', '-r')]),
);
const ROLE_USER = 1;

/** What a part says: its text, its JSON data, or its URL. */
function partValue(part: Part): { text: string } | { data: unknown } | undefined {
  const content = part.content;
  if (!content) return undefined;
  if (content.$case === 'text') return { text: content.value };
  if (content.$case === 'data') return { data: content.value };
  if (content.$case === 'url') return { text: content.value };
  return undefined;
}

/** The answer of a completed task: its artifacts (else its status message) as text, or one data part as JSON. */
function responseOf(parts: readonly Part[]): AgentResponse {
  const values = parts.map(partValue).filter((v) => v !== undefined);
  const data = values.filter((v) => 'data' in v);
  if (data.length === 1 && values.length === 1) {
    const json = (data[0] as { data: unknown }).data;
    return { text: JSON.stringify(json), json };
  }
  const text = values.map((v) => ('text' in v ? v.text : JSON.stringify(v.data))).join('\n');
  return { text };
}

function textOf(message: Message | undefined): string {
  return responseOf(message?.parts ?? []).text;
}

function part(content: Part['content']): Part {
  return { content, metadata: undefined, filename: '', mediaType: '' };
}

/** The next message to the task: an event's data, or the person's decision. */
function answerParts(answer: AgentAnswer): Part[] {
  if (answer.kind === 'event') {
    const { data } = answer;
    return [
      typeof data === 'string' ? part({ $case: 'text', value: data }) : part({ $case: 'data', value: data }),
    ];
  }
  const { approved, by, comment, data } = answer;
  const parts = [part({ $case: 'data', value: { approved, by, comment, data } })];
  if (comment) parts.push(part({ $case: 'text', value: comment }));
  return parts;
}

/**
 * `type: a2a` — an Agent2Agent agent, through @a2a-js/sdk (imported on first use). Sends the
 * prompt as a message, follows the task until it completes (artifacts are the answer), fails
 * (`agent_error` with `a2a_state`) or asks for input: then the step waits for an event or an
 * approval (`on_input_required`) and sends its data to the same task as the next message.
 */
export function a2aAgent(
  name: string,
  setting: AgentSetting,
  secrets: Readonly<Record<string, string>>,
): AgentAdapter {
  const base = requireUrl(name, 'url', resolveRef(name, 'url', setting.url ?? setting.base_url, secrets));
  const apiKey = resolveApiKey(name, setting, secrets);
  const headers: Record<string, string> = { ...setting.headers };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  const pollMs = setting.poll_interval ?? 500;
  let connecting: Promise<Client> | undefined;

  const fail = (message: string, details: Record<string, unknown> = {}, cause?: unknown) =>
    new WeftError('agent_error', `agent '${name}': ${scrub(message, apiKey)}`, { details, cause });

  /** Wraps an SDK call: an abort stays an abort, anything else is `agent_error`. */
  async function call<T>(what: string, work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      if (error instanceof WeftError) throw error;
      const code = (error as { code?: unknown }).code;
      throw fail(
        `${what} failed: ${(error as Error).message}`,
        typeof code === 'number' ? { rpc_code: code } : {},
        error,
      );
    }
  }

  async function connect(): Promise<Client> {
    const sdk = await import('@a2a-js/sdk/client');
    const fetchImpl: typeof fetch = (input, init) => {
      const merged = new Headers(init?.headers);
      for (const [key, value] of Object.entries(headers)) merged.set(key, value);
      return fetch(input, { ...init, headers: merged });
    };
    const factory = new sdk.ClientFactory({
      transports: [
        new sdk.JsonRpcTransportFactory({ fetchImpl }),
        new sdk.RestTransportFactory({ fetchImpl }),
      ],
      cardResolver: new sdk.DefaultAgentCardResolver({ fetchImpl }),
    });
    try {
      return await factory.createFromUrl(base.href.replace(/\/+$/, ''), setting.card_path);
    } catch (error) {
      throw fail(`cannot read the agent card at ${base.origin}: ${(error as Error).message}`, {}, error);
    }
  }

  /** One client per adapter, made once the card is read; a failure is tried again next time. */
  function client(): Promise<Client> {
    connecting ??= connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  }

  async function send(
    c: Client,
    parts: Part[],
    ids: { taskId: string; contextId: string } | undefined,
    signal: AbortSignal,
  ): Promise<Message | Task> {
    const message: Message = {
      messageId: randomUUID(),
      contextId: ids?.contextId ?? '',
      taskId: ids?.taskId ?? '',
      role: ROLE_USER,
      parts,
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
    return call(
      'message/send',
      () => c.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined }, { signal }),
      signal,
    );
  }

  async function pause(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortError(signal);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, ms);
      function done() {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(abortError(signal));
      }
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    type: 'a2a',
    async invoke(request, ctx: AgentCallContext): Promise<AgentResponse> {
      const c = await client();
      const signal = ctx.signal;
      const saved = ctx.saved as PendingQuestion | undefined;
      let reply: Message | Task | undefined;
      let pending = saved;
      if (!pending) {
        ctx.turn();
        reply = await send(c, [part({ $case: 'text', value: userMessage(request) })], undefined, signal);
      }
      let round = pending?.round ?? 0;
      for (;;) {
        if (pending) {
          const answer = await ctx.askInput({
            text: pending.question,
            round: pending.round,
            details: { agent: name, task_id: pending.task_id, context_id: pending.context_id },
          });
          const ids = { taskId: pending.task_id, contextId: pending.context_id };
          pending = undefined;
          ctx.turn();
          reply = await send(c, answerParts(answer), ids, signal);
        }
        if (!reply || !('id' in reply)) return responseOf((reply as Message | undefined)?.parts ?? []);
        let task: Task = reply;
        const usage = task.metadata?.usage;
        if (usage && typeof usage === 'object') ctx.usage(usage as Record<string, number>);
        const state = task.status?.state ?? 0;
        const said = textOf(task.status?.message);
        switch (state) {
          case STATE.completed: {
            const parts = task.artifacts.flatMap((artifact) => artifact.parts);
            return responseOf(parts.length > 0 ? parts : (task.status?.message?.parts ?? []));
          }
          case STATE.inputRequired:
            round++;
            pending = { task_id: task.id, context_id: task.contextId, round, question: said };
            ctx.save({ ...pending });
            continue;
          case STATE.failed:
          case STATE.canceled:
          case STATE.rejected:
          case STATE.authRequired: {
            const stateName = STATE_NAMES[state] ?? String(state);
            throw fail(`task ${task.id} ended ${stateName}${said ? `: ${said}` : ''}`, {
              a2a_state: stateName,
              task_id: task.id,
              retriable: state === STATE.failed,
            });
          }
          default:
            // submitted / working: the agent answered before the task settled; ask again.
            await pause(pollMs, signal).catch((error: unknown) => {
              void c.cancelTask({ tenant: '', id: task.id, metadata: undefined }).catch(() => {});
              throw error;
            });
            task = await call('tasks/get', () => c.getTask({ tenant: '', id: task.id }, { signal }), signal);
            reply = task;
        }
      }
    },
  };
}
