import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server answers to one request: a status (with a Retry-After), or no answer at all. */
export type Reply = number | { status: number; retryAfter?: string } | 'hang';

/** One request the server saw. */
export interface Seen {
  path: string;
  /** `now()` when it arrived: the test's clock, simulated or not. */
  at: number;
  idempotencyKey: string | undefined;
}

/**
 * A local HTTP server on 127.0.0.1 that answers each path from a script: `script('/a', [500, 500,
 * 200])` fails twice, then succeeds; past the end of the script it repeats the last reply. `hang`
 * never answers (until the client gives up). Every request is logged with `now()`.
 */
export class FlakyServer {
  readonly seen: Seen[] = [];
  readonly #scripts = new Map<string, Reply[]>();
  readonly #served = new Map<string, number>();
  #server: Server | undefined;
  #url = '';

  constructor(private readonly now: () => number = Date.now) {}

  get url(): string {
    return this.#url;
  }

  /** The replies of `path`, in order; the last repeats. */
  script(path: string, replies: Reply[]): string {
    this.#scripts.set(path, replies);
    this.#served.set(path, 0);
    return `${this.#url}${path}`;
  }

  /** Times (`now()`) of the requests to `path`, relative to the first. */
  times(path: string): number[] {
    const at = this.seen.filter((s) => s.path === path).map((s) => s.at);
    return at.map((t) => t - (at[0] ?? 0));
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.seen.push({ path, at: this.now(), idempotencyKey: header(req, 'idempotency-key') });
      const replies = this.#scripts.get(path) ?? [404];
      const index = this.#served.get(path) ?? 0;
      this.#served.set(path, index + 1);
      const reply = replies[Math.min(index, replies.length - 1)]!;
      req.resume();
      if (reply === 'hang') return;
      const { status, retryAfter } =
        typeof reply === 'number' ? { status: reply, retryAfter: undefined } : reply;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
      res.writeHead(status, headers).end(JSON.stringify({ path, request: index + 1 }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
