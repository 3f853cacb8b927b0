import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { describeBreakerStateConformance } from '../src/resilience/breaker-state.conformance.js';
import { describeCacheStoreConformance } from '../src/resilience/cache-store.conformance.js';
import { RedisBreakers } from '../src/resilience/redis/redis-breakers.js';
import { RedisCache } from '../src/resilience/redis/redis-cache.js';
import { connectRedis, type RedisConnection, scanKeys } from '../src/resilience/redis/redis-connection.js';
import { defineSkill } from '../src/skills/types.js';
import { flakyServer, tempDir } from './support/resilience.js';

const url = process.env.WEFT_TEST_REDIS_URL;
if (!url) console.warn('Skipped the Redis tests: set WEFT_TEST_REDIS_URL to run them.');

/** Every key a test writes starts with this; all of them are deleted at the end. */
const RUN_PREFIX = `weft-test:${randomBytes(4).toString('hex')}:`;
let prefixes = 0;
const freshPrefix = () => `${RUN_PREFIX}${++prefixes}:`;

afterAll(async () => {
  if (!url) return;
  const redis = await connectRedis({ url });
  const keys = await scanKeys(redis.client, `${RUN_PREFIX}*`);
  if (keys.length > 0) await redis.client.del(...keys);
  await redis.close();
});

(url ? describe : describe.skip)('Redis (WEFT_TEST_REDIS_URL)', () => {
  describe('stores', () => {
    let redis: RedisConnection;
    beforeEach(async () => {
      redis = await connectRedis({ url: url!, keyPrefix: freshPrefix() });
    });
    afterEach(async () => {
      await redis.close();
    });
    describeBreakerStateConformance(() => new RedisBreakers(redis));
    describeCacheStoreConformance(() => new RedisCache(redis));
  });

  describe('shared by two engines, each with its own connection and its own SQLite store', () => {
    let engines: WeftEngine[] = [];
    const servers: { close(): void }[] = [];
    afterEach(async () => {
      await Promise.all(engines.map((engine) => engine.close()));
      engines = [];
      for (const server of servers.splice(0)) server.close();
    });

    async function pair(options: Parameters<typeof createEngine>[0] extends infer O ? Partial<O> : never) {
      const redis = { url: url!, keyPrefix: freshPrefix() };
      engines = await Promise.all(
        ['a', 'b'].map((name) =>
          createEngine({ store: `sqlite:${join(tempDir(`redis-${name}`), 'weft.db')}`, redis, ...options }),
        ),
      );
      return engines as [WeftEngine, WeftEngine];
    }

    it('opens a breaker in one engine that the other one then honours', async () => {
      const api = await flakyServer();
      servers.push(api.server);
      const [a, b] = await pair({ circuitBreakers: { default: { failureThreshold: 2, openForMs: 200 } } });
      const opened: string[] = [];
      b.on('breaker.closed', (e) => opened.push(`b closed ${e.data.target}`));
      a.on('breaker.opened', (e) => opened.push(`a opened ${e.data.target}`));
      const doc = `name: fetch\nsteps:\n  - { id: get, type: skill, skill: http, inputs: { url: "${api.url}" } }\n`;
      const run = async (engine: WeftEngine) => (await engine.start({ source: doc })).result();
      await run(a);
      await run(a);
      expect((await run(b)).error).toMatchObject({ code: 'circuit_open', target: new URL(api.url).host });
      expect(api.requests()).toBe(2);
      // Neither store has it: the state lives in Redis.
      expect(await a.store.breakers.list()).toEqual([]);
      expect((await b.breakers.list()).map((s) => s.status)).toEqual(['open']);
      api.answer(200);
      await new Promise((resolve) => setTimeout(resolve, 220));
      expect((await run(b)).status).toBe('completed');
      expect((await a.breakers.list()).map((s) => s.status)).toEqual(['closed']);
      expect(opened).toEqual([`a opened ${new URL(api.url).host}`, `b closed ${new URL(api.url).host}`]);
    });

    it('serves one engine a result the other one cached', async () => {
      let calls = 0;
      const quote = defineSkill({ name: 'quote', run: async () => ({ call: ++calls }) });
      const [a, b] = await pair({ skills: [quote] });
      const doc =
        'name: q\nsteps:\n  - { id: q, type: skill, skill: quote, cache: { ttl: 1m, scope: global } }\n';
      expect((await (await a.start({ source: doc })).result()).output).toEqual({ call: 1 });
      const handle = await b.start({ source: doc });
      expect((await handle.result()).output).toEqual({ call: 1 });
      expect((await b.getRun(handle.runId))?.steps[0]?.meta).toMatchObject({ cache: 'hit' });
      expect(await a.store.cache.list({ now: Date.now() })).toEqual([]);
      expect((await b.cache.list('global:')).length).toBe(1);
      expect(await a.cache.clear()).toBe(1);
      expect(calls).toBe(1);
    });
  });

  it('reports a Redis that cannot be reached, naming it', async () => {
    await expect(createEngine({ store: 'sqlite::memory:', redis: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /^cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });
});
