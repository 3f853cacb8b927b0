import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { SimulatedClock } from '../src/engine/simulated-clock.js';
import type { EngineOptions } from '../src/engine/types.js';
import type { WeftError } from '../src/errors.js';
import { flakyServer, tempDir } from './support/resilience.js';

let open: WeftEngine[] = [];
const servers: { close(): void }[] = [];
afterEach(async () => {
  await Promise.all(open.map((engine) => engine.close()));
  open = [];
  for (const server of servers.splice(0)) server.close();
});

async function engineOn(store: string, options: Partial<EngineOptions> = {}): Promise<WeftEngine> {
  const engine = await createEngine({ store, ...options });
  open.push(engine);
  return engine;
}

const call = (url: string, retry = '') => `name: fetch-orders
steps:
  - { id: fetch, type: skill, skill: http, inputs: { url: "${url}" }${retry} }
`;

async function server() {
  const s = await flakyServer();
  servers.push(s.server);
  return s;
}

const BREAKER = { targets: { '127.0.0.1': { failureThreshold: 2, openForMs: 30_000 } } };

describe('circuit breakers against a local HTTP server', () => {
  it('opens after the failures, fails at once while open, half-opens after open_for, closes on success', async () => {
    const api = await server();
    const clock = new SimulatedClock(Date.now());
    const engine = await engineOn(`sqlite:${join(tempDir('breaker'), 'weft.db')}`, {
      circuitBreakers: BREAKER,
      clock,
    });
    const seen: string[] = [];
    engine.on('breaker.opened', (e) => seen.push(`opened ${e.data.target}: ${e.data.reason}`));
    engine.on('breaker.half_opened', (e) => seen.push(`half_opened ${e.data.target}`));
    engine.on('breaker.closed', (e) => seen.push(`closed ${e.data.target}`));
    const run = async () => (await engine.start({ source: call(api.url) })).result();
    const host = new URL(api.url).host;

    expect((await run()).error).toMatchObject({ code: 'http_status', status: 503 });
    expect((await run()).error).toMatchObject({ code: 'http_status' });
    expect(seen).toEqual([`opened ${host}: 2 consecutive failures`]);
    expect(api.requests()).toBe(2);

    const refused = await run();
    expect(refused.error).toMatchObject({ code: 'circuit_open', target: host, retry_after_ms: 30_000 });
    expect(refused.error?.message).toMatch(
      `circuit breaker for '${host}' is open after 2 consecutive failures`,
    );
    expect(api.requests()).toBe(2); // the server never saw it

    // The trial call after open_for fails: open again for another period.
    clock.increment(30_000);
    expect((await run()).error).toMatchObject({ code: 'http_status' });
    expect(api.requests()).toBe(3);
    expect((await run()).error).toMatchObject({ code: 'circuit_open' });

    api.answer(200);
    clock.increment(30_000);
    expect((await run()).status).toBe('completed');
    expect((await run()).status).toBe('completed');
    expect(api.requests()).toBe(5);
    expect(seen).toEqual([
      `opened ${host}: 2 consecutive failures`,
      `half_opened ${host}`,
      `opened ${host}: a trial call failed`,
      `half_opened ${host}`,
      `closed ${host}`,
    ]);
    expect((await engine.breakers.list()).map((s) => [s.target, s.status])).toEqual([[host, 'closed']]);
  });

  it('shares its state through one SQLite store: a second engine fails at once too', async () => {
    const api = await server();
    const store = `sqlite:${join(tempDir('breaker-shared'), 'weft.db')}`;
    const a = await engineOn(store, { circuitBreakers: BREAKER });
    const b = await engineOn(store, { circuitBreakers: BREAKER });
    await (await a.start({ source: call(api.url) })).result();
    await (await b.start({ source: call(api.url) })).result();
    expect(api.requests()).toBe(2);
    expect((await (await a.start({ source: call(api.url) })).result()).error?.code).toBe('circuit_open');
    expect((await (await b.start({ source: call(api.url) })).result()).error?.code).toBe('circuit_open');
    expect(api.requests()).toBe(2);
    const [state] = await b.breakers.list();
    expect(state).toMatchObject({
      target: new URL(api.url).host,
      status: 'open',
      reason: '2 consecutive failures',
    });
    expect(state?.lastError).toMatch(/^http_status: GET .* answered 503/);
    expect(await a.breakers.reset(state!.target)).toBe(true);
    api.answer(200);
    expect((await (await b.start({ source: call(api.url) })).result()).status).toBe('completed');
  });

  it('a retry waits out the open period (retry_after_ms) and then succeeds', async () => {
    const api = await server();
    const engine = await engineOn(`sqlite:${join(tempDir('breaker-retry'), 'weft.db')}`, {
      circuitBreakers: { targets: { '127.0.0.1': { failureThreshold: 1, openForMs: 150 } } },
    });
    expect((await (await engine.start({ source: call(api.url) })).result()).status).toBe('failed');
    api.answer(200);
    const retried = call(api.url, ', retry: { max_attempts: 2, backoff: immediate }');
    const handle = await engine.start({ source: retried });
    expect((await handle.result()).status).toBe('completed');
    const attempts = (await engine.getRun(handle.runId))!.steps;
    expect(attempts.map((s) => [s.attempt, s.status, s.error?.code ?? null])).toEqual([
      [1, 'failed', 'circuit_open'],
      [2, 'completed', null],
    ]);
    expect(attempts[1]!.startedAt! - attempts[0]!.endedAt!).toBeGreaterThanOrEqual(100);
  });

  it('costs nothing for targets without a breaker: no state is written', async () => {
    const api = await server();
    api.answer(500);
    const engine = await engineOn(`sqlite:${join(tempDir('breaker-none'), 'weft.db')}`, {
      circuitBreakers: { targets: { 'api.example.test': { failureThreshold: 1 } } },
    });
    for (let i = 0; i < 3; i++) await (await engine.start({ source: call(api.url) })).result();
    expect(api.requests()).toBe(3);
    expect(await engine.breakers.list()).toEqual([]);
  });
});

describe('circuit breaker settings', () => {
  it('reads circuit_breakers from weft.config.yaml', async () => {
    const cwd = tempDir('breaker-config');
    writeFileSync(
      join(cwd, 'weft.config.yaml'),
      'circuit_breakers:\n  default: { failure_threshold: 3, open_for: 1m }\n  targets:\n    api.example.test: { failure_rate: 0.5, window: 30s, min_calls: 20, half_open_max_calls: 2 }\n',
    );
    expect((await loadConfig({ cwd, env: {} })).circuitBreakers).toEqual({
      default: { failureThreshold: 3, openForMs: 60_000 },
      targets: {
        'api.example.test': { failureRate: 0.5, windowMs: 30_000, minCalls: 20, halfOpenMaxCalls: 2 },
      },
    });
  });

  it('refuses bad numbers with the file position and what was expected', async () => {
    const cwd = tempDir('breaker-bad');
    writeFileSync(
      join(cwd, 'weft.config.yaml'),
      'circuit_breakers:\n  default:\n    failure_threshold: 0\n    failure_rate: 50\n    open_for: 30\n  targets:\n    x: { min_calls: 2.5, windw: 1m }\n',
    );
    const error = (await loadConfig({ cwd, env: {} }).catch((e: unknown) => e)) as WeftError;
    expect(error.code).toBe('invalid_config');
    expect(error.message.split('\n')).toEqual([
      'weft.config.yaml:3:24: circuit_breakers.default.failure_threshold: expected an integer >= 1, got 0',
      'weft.config.yaml:4:19: circuit_breakers.default.failure_rate: expected a fraction of calls above 0 and at most 1 (0.5 is half), got 50',
      "weft.config.yaml:5:15: circuit_breakers.default.open_for: expected a duration string such as '30s' or '30ms', got the bare number 30",
      'weft.config.yaml:7:21: circuit_breakers.targets.x.min_calls: expected an integer >= 1, got 2.5',
      "weft.config.yaml:7:26: circuit_breakers.targets.x.windw: unknown key 'windw'",
    ]);
  });

  it('refuses bad numbers given to createEngine, naming the option', async () => {
    await expect(
      createEngine({
        store: 'sqlite::memory:',
        circuitBreakers: { default: { failureRate: 2, halfOpenMaxCalls: 0 } },
      }),
    ).rejects.toThrow(
      'circuitBreakers.default.halfOpenMaxCalls: expected an integer >= 1, got 0\ncircuitBreakers.default.failureRate: expected a fraction of calls above 0 and at most 1 (0.5 is half), got 2',
    );
  });
});
