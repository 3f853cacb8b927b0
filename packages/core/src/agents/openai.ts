import { WeftError } from '../errors.js';
import { abortError } from '../skills/support/abort.js';
import { type AgentSetting, requireUrl, resolveApiKey, resolveRef, scrub } from './config.js';
import { readChatStream } from './openai-stream.js';
import { userMessage } from './prompt.js';
import type { AgentAdapter, AgentCallContext, AgentRequest, AgentResponse } from './types.js';

interface ToolCall {
  id: string;
  type?: string;
  function: { name: string; arguments: string };
}

interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** Function names allow `[a-zA-Z0-9_-]` only: `file.read` is offered as `file__read`. */
export function functionName(skill: string): string {
  return skill.replaceAll('.', '__');
}

function skillName(fn: string): string {
  return fn.replaceAll('__', '.');
}

/** `type: openai` — any OpenAI-compatible Chat Completions endpoint, with a tool-calling loop. */
export function openaiAgent(
  name: string,
  setting: AgentSetting,
  secrets: Readonly<Record<string, string>>,
): AgentAdapter {
  const base = requireUrl(name, 'base_url', resolveRef(name, 'base_url', setting.base_url, secrets));
  if (!setting.model)
    throw new WeftError('invalid_config', `agent '${name}': model is required for type openai`);
  const model = setting.model;
  const apiKey = resolveApiKey(name, setting, secrets);
  const endpoint = new URL(`${base.href.replace(/\/+$/, '')}/chat/completions`);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...setting.headers };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;

  async function complete(
    body: Record<string, unknown>,
    signal: AbortSignal,
    onText: ((text: string) => void) | undefined,
  ): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      const reason = scrub((error as Error).message, apiKey);
      throw new WeftError('agent_error', `agent '${name}': cannot reach ${endpoint.origin}: ${reason}`, {
        cause: error,
      });
    }
    const sse = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (onText && response.ok && response.body && sse) {
      try {
        return await readChatStream(response.body, onText);
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        throw new WeftError(
          'agent_error',
          `agent '${name}': the streamed answer is not Chat Completions chunks: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    const text = await response.text().catch((error: unknown) => {
      if (signal.aborted) throw abortError(signal);
      throw error;
    });
    if (!response.ok) {
      const retriable = response.status === 429 || response.status >= 500;
      // Some servers echo the key they refused: it is cut out of the message.
      const said = scrub(text.slice(0, 200), apiKey);
      throw new WeftError(
        'agent_error',
        `agent '${name}': ${endpoint.origin} answered ${response.status}: ${said}`,
        {
          details: { status: response.status, retriable },
        },
      );
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new WeftError('agent_error', `agent '${name}': the answer is not a Chat Completions JSON object`);
  }

  return {
    type: 'openai',
    async invoke(request: AgentRequest, ctx: AgentCallContext): Promise<AgentResponse> {
      const messages: ChatMessage[] = [];
      if (request.system) messages.push({ role: 'system', content: request.system });
      messages.push({ role: 'user', content: userMessage(request) });
      const tools = request.tools.map((tool) => ({
        type: 'function',
        function: {
          name: functionName(tool.name),
          description: tool.description ?? tool.name,
          parameters: tool.parameters,
        },
      }));
      const stream = request.stream ?? setting.stream === true;
      for (;;) {
        ctx.turn();
        const body: Record<string, unknown> = { model, messages };
        if (tools.length > 0) body.tools = tools;
        if (setting.temperature !== undefined) body.temperature = setting.temperature;
        if (request.outputSchema) body.response_format = { type: 'json_object' };
        if (stream) {
          body.stream = true;
          body.stream_options = { include_usage: true };
        }
        const answer = await complete(body, ctx.signal, stream ? (text) => ctx.progress(text) : undefined);
        const usage = answer.usage as Record<string, number> | undefined;
        if (usage) ctx.usage(usage);
        const choices = answer.choices as { message?: ChatMessage }[] | undefined;
        const message = Array.isArray(choices) ? choices[0]?.message : undefined;
        if (!message || typeof message !== 'object') {
          throw new WeftError('agent_error', `agent '${name}': the answer has no choices[0].message`);
        }
        const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
        if (calls.length === 0) return { text: typeof message.content === 'string' ? message.content : '' };
        messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: calls });
        for (const call of calls) {
          let args: unknown;
          let result: unknown;
          try {
            args = call.function.arguments ? JSON.parse(call.function.arguments) : {};
          } catch {
            result = { error: { code: 'invalid_arguments', message: 'the arguments are not JSON' } };
          }
          if (result === undefined) result = await ctx.callTool(skillName(call.function?.name ?? ''), args);
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result ?? null) });
        }
      }
    },
  };
}
