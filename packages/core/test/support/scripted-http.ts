import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status?: number;
  /** Sent as JSON; a string is sent as is (malformed bodies). */
  body: unknown;
  delayMs?: number;
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
        const timer = setTimeout(() => {
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
          res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
        }, reply.delayMs ?? 0);
        res.on('close', () => clearTimeout(timer));
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
