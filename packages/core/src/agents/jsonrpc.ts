import { WeftError } from '../errors.js';
import { abortError } from '../skills/support/abort.js';
import { type AgentSetting, requireUrl, resolveApiKey, resolveRef, scrub } from './config.js';
import type { AgentAdapter } from './types.js';

let nextId = 1;

/**
 * `type: jsonrpc` — JSON-RPC 2.0 over HTTP. Params: `{ prompt, inputs, system, output_schema,
 * guardrails }`; the result is a string (text), `{ text }`, `{ output }` (JSON) and may carry `usage`.
 * A JSON-RPC error becomes `agent_error` with its `rpc_code`.
 */
export function jsonrpcAgent(
  name: string,
  setting: AgentSetting,
  secrets: Readonly<Record<string, string>>,
): AgentAdapter {
  const url = requireUrl(name, 'url', resolveRef(name, 'url', setting.url ?? setting.base_url, secrets));
  const method = setting.method ?? 'agent.invoke';
  const apiKey = resolveApiKey(name, setting, secrets);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...setting.headers };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  return {
    type: 'jsonrpc',
    async invoke(request, ctx) {
      ctx.turn();
      const id = nextId++;
      const params = {
        prompt: request.prompt,
        inputs: request.inputs ?? {},
        system: request.system,
        output_schema: request.outputSchema,
        guardrails: {
          max_iterations: request.guardrails.maxIterations,
          max_tokens: request.guardrails.maxTokens,
        },
      };
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
          signal: ctx.signal,
        });
      } catch (error) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        throw new WeftError(
          'agent_error',
          `agent '${name}': cannot reach ${url.origin}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const text = await response.text();
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
      if (!body || typeof body !== 'object' || body.jsonrpc !== '2.0') {
        throw new WeftError(
          'agent_error',
          `agent '${name}': not a JSON-RPC 2.0 response (HTTP ${response.status})`,
          {
            details: {
              status: response.status,
              retriable: response.status === 429 || response.status >= 500,
            },
          },
        );
      }
      const rpcError = body.error as { code?: number; message?: string; data?: unknown } | undefined;
      if (rpcError) {
        throw new WeftError(
          'agent_error',
          `agent '${name}': JSON-RPC error ${rpcError.code}: ${scrub(rpcError.message ?? '', apiKey)}`,
          {
            details: {
              rpc_code: rpcError.code,
              ...(rpcError.data === undefined ? {} : { rpc_data: rpcError.data }),
            },
          },
        );
      }
      if (!('result' in body))
        throw new WeftError('agent_error', `agent '${name}': JSON-RPC response has neither result nor error`);
      const result = body.result;
      if (typeof result === 'string') return { text: result };
      if (result && typeof result === 'object') {
        const r = result as Record<string, unknown>;
        if (r.usage && typeof r.usage === 'object') ctx.usage(r.usage as Record<string, number>);
        if ('output' in r) return { text: JSON.stringify(r.output), json: r.output };
        if (typeof r.text === 'string') return { text: r.text };
      }
      return { text: JSON.stringify(result), json: result };
    },
  };
}
