// Server benchmarks (issue 6), run by bench/run.js: the HTTP API over a real socket on 127.0.0.1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { serve } from '../packages/server/dist/index.js';

const ONE_STEP = 'name: api-one\nsteps:\n  - { id: a, type: skill, skill: echo, inputs: { x: 1 } }\n';

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p99: at(0.99), n: sorted.length };
}

async function startRun(url) {
  const response = await fetch(`${url}/api/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: ONE_STEP, input: {} }),
  });
  if (response.status !== 201) throw new Error(`start answered ${response.status}: ${await response.text()}`);
  return (await response.json()).id;
}

/** A WebSocket subscribed to every run; `onEvent` gets each event. */
function subscriber(url, onEvent) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream`);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', id: 'all' })));
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === 'subscribed') resolve(ws);
      else if (message.type === 'event') onEvent(message.event);
    });
  });
}

/** Counts `run.completed` deliveries per run; `expect` resolves once `count` were seen. */
function completions() {
  const seen = new Map();
  const waiters = new Map();
  return {
    seen(event) {
      if (event.type !== 'run.completed') return;
      const count = (seen.get(event.run_id) ?? 0) + 1;
      seen.set(event.run_id, count);
      const waiter = waiters.get(event.run_id);
      if (waiter && count >= waiter.count) waiter.resolve();
    },
    expect(runId, count) {
      if ((seen.get(runId) ?? 0) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.set(runId, { count, resolve }));
    },
  };
}

export async function serverSuite({ quick }) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-api-'));
  const server = await serve({
    store: `sqlite:${join(dir, 'api.db')}`,
    port: 0,
    handleSignals: false,
    cwd: dir,
    logger: false,
  });
  try {
    // k) one run over the API, from POST to its run.completed event on a WebSocket.
    const done = completions();
    const ws = await subscriber(server.url, (event) => done.seen(event));
    const latency = [];
    for (let i = 0; i < (quick ? 60 : 300); i++) {
      const t0 = performance.now();
      const id = await startRun(server.url);
      await done.expect(id, 1);
      if (i >= 10) latency.push((performance.now() - t0) * 1000);
    }
    ws.close();

    // l) run starts per second, 16 clients.
    let started = 0;
    const until = performance.now() + (quick ? 1000 : 3000);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < until) {
          await startRun(server.url);
          started++;
        }
      }),
    );
    const startsPerSecond = Math.round((started / (performance.now() - t0)) * 1000);

    // m) fan-out: 100 WebSocket subscribers, time until all of them saw the run complete.
    const fan = completions();
    const sockets = await Promise.all(
      Array.from({ length: 100 }, () => subscriber(server.url, (e) => fan.seen(e))),
    );
    const fanOut = [];
    for (let i = 0; i < (quick ? 15 : 50); i++) {
      const start = performance.now();
      const id = await startRun(server.url);
      await fan.expect(id, 100);
      fanOut.push((performance.now() - start) * 1000);
    }
    for (const socket of sockets) socket.close();
    return {
      'n) API 1-step run, start to completion event (us)': stats(latency),
      'p) run completion seen by 100 WebSocket subscribers (us)': stats(fanOut),
      startsPerSecond,
    };
  } finally {
    await server.close();
  }
}
