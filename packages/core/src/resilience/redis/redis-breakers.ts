import type { BreakerState, BreakerStateStore, VersionedBreakerState } from '../breaker-state.js';
import { globLiteral, type RedisConnection, redisError, scanKeys } from './redis-connection.js';

/** Compare-and-set in one step on the server: writes only when the version is still the one read. */
const PUT = `
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
return 1`;

/** Circuit breaker states in Redis: a hash per target (`<prefix>breaker:<target>`: `v` version, `s` state). */
export class RedisBreakers implements BreakerStateStore {
  readonly #redis: RedisConnection;

  constructor(redis: RedisConnection) {
    this.#redis = redis;
  }

  #key(target: string): string {
    return `${this.#redis.prefix}breaker:${target}`;
  }

  async get(target: string): Promise<VersionedBreakerState | undefined> {
    try {
      const [version, state] = await this.#redis.client.hmget(this.#key(target), 'v', 's');
      if (version == null || state == null) return undefined;
      return { state: JSON.parse(state) as BreakerState, version: Number(version) };
    } catch (error) {
      throw redisError(error, `read of breaker '${target}'`);
    }
  }

  async put(state: BreakerState, version: number): Promise<boolean> {
    try {
      const key = this.#key(state.target);
      const written = await this.#redis.client.eval(
        PUT,
        1,
        key,
        String(version),
        String(version + 1),
        JSON.stringify(state),
      );
      return written === 1;
    } catch (error) {
      throw redisError(error, `write of breaker '${state.target}'`);
    }
  }

  async list(): Promise<BreakerState[]> {
    try {
      const { client, prefix } = this.#redis;
      const keys = (await scanKeys(client, `${globLiteral(`${prefix}breaker:`)}*`)).sort();
      if (keys.length === 0) return [];
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.hget(key, 's');
      const states: BreakerState[] = [];
      for (const [error, text] of (await pipeline.exec()) ?? []) {
        if (!error && typeof text === 'string') states.push(JSON.parse(text) as BreakerState);
      }
      return states;
    } catch (error) {
      throw redisError(error, 'listing of breakers');
    }
  }

  async delete(target: string): Promise<boolean> {
    try {
      return (await this.#redis.client.del(this.#key(target))) > 0;
    } catch (error) {
      throw redisError(error, `reset of breaker '${target}'`);
    }
  }
}
