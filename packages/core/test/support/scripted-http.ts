import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status?: number;
  /** Sent as JSON; a string is sent as is (malformed bodies). */
  body?: unknown;
  delayMs?: number;
  /** Sent as server-sent events instead: one `data:` line per chunk (JSON), then `data: [DONE]`. */
  sse?: unknown[];
  /** Between two events. */
  chunkDelayMs?: number;
}

export interface SeenRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * An HTTP server on 127.0.0.1 answering POSTs from a script: each request takes the next reply
 * (a function gets the request body). Stands in for OpenAI-compatible and JSON-RPC agents.
 */
export class ScriptedServer {
  readonly seen: SeenRequest[] = [];
  readonly #script: (ScriptedReply | ((body: Record<string, unknown>) => ScriptedReply))[] = [];
  #server: Server | undefined;
  #inFlight = 0;
  /** Most requests answered at once. */
  maxInFlight = 0;
  url = '';

  reply(...replies: (ScriptedReply | ((body: Record<string, unknown>) => ScriptedReply))[]): this {
    this.#script.push(...replies);
    return this;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        this.#inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
        res.on('close', () => this.#inFlight--);
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        this.seen.push({ headers: req.headers, body });
        const next = this.#script.shift();
        const reply = typeof next === 'function' ? next(body) : next;
        if (!reply) {
          res.writeHead(500).end('script exhausted');
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        res.on('close', () => clearTimeout(timer));
        const events = reply.sse;
        if (events) {
          res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream' });
          const lines = [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
          const next = () => {
            const line = lines.shift();
            if (line === undefined) return void res.end();
            res.write(line);
            timer = setTimeout(next, reply.chunkDelayMs ?? 0);
          };
          timer = setTimeout(next, reply.delayMs ?? 0);
          return;
        }
        timer = setTimeout(() => {
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
          res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

/** A Chat Completions answer with text content. */
export function chatText(
  content: string,
  usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
) {
  return {
    body: {
      id: 'c',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage,
    },
  };
}

/** A Chat Completions answer asking for tool calls. */
export function chatTools(
  calls: { name: string; args: unknown }[],
  usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
) {
  return {
    body: {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: calls.map((c, i) => ({
              id: `call_${i}`,
              type: 'function',
              function: { name: c.name, arguments: JSON.stringify(c.args) },
            })),
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage,
    },
  };
}

/** A streamed Chat Completions answer: its text in pieces, then a usage chunk (`stream_options.include_usage`). */
export function chatStream(
  pieces: string[],
  usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
): ScriptedReply {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 's',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return {
    sse: [
      chunk({ role: 'assistant', content: '' }),
      ...pieces.map((content) => chunk({ content })),
      chunk({}, 'stop'),
      { id: 's', object: 'chat.completion.chunk', choices: [], usage },
    ],
    chunkDelayMs: 5,
  };
}

/** A streamed answer asking for one tool call, its arguments split over two chunks. */
export function chatStreamTool(name: string, args: unknown): ScriptedReply {
  const text = JSON.stringify(args);
  const half = Math.floor(text.length / 2);
  const call = (fields: Record<string, unknown>) => ({
    choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...fields }] }, finish_reason: null }],
  });
  return {
    sse: [
      call({ id: 'call_s', type: 'function', function: { name, arguments: text.slice(0, half) } }),
      call({ function: { arguments: text.slice(half) } }),
      { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      { choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } },
    ],
  };
}
