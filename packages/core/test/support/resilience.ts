import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSkill } from '../../src/skills/types.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `weft-${prefix}-`));
}

/**
 * Counts executions and the most that ran at once, across every engine of the test process:
 * the `busy` skill takes `ms` and records its start order by `id`.
 */
export class Occupancy {
  now = 0;
  peak = 0;
  calls = 0;
  readonly started: string[] = [];

  skill() {
    return defineSkill<{ id?: string; ms?: number }>({
      name: 'busy',
      run: async ({ id, ms = 20 }, ctx) => {
        this.calls++;
        this.now++;
        this.peak = Math.max(this.peak, this.now);
        if (id !== undefined) this.started.push(id);
        try {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, ms);
            ctx.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(ctx.signal.reason);
            });
          });
        } finally {
          this.now--;
        }
        return { id: id ?? null };
      },
    });
  }
}

/** A local HTTP server that answers `status` (503 to start with) and counts requests. */
export async function flakyServer(): Promise<{
  url: string;
  server: Server;
  requests: () => number;
  answer: (status: number) => void;
}> {
  let status = 503;
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/orders`,
    server,
    requests: () => requests,
    answer: (next) => {
      status = next;
    },
  };
}

export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
