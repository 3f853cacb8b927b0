import { describe, expect, it } from 'vitest';
import type { CacheStore } from './cache-store.js';

const T0 = 1_700_000_000_000;

/** What every CacheStore does (store table, Redis); `get` returns an empty one. */
export function describeCacheStoreConformance(getCache: () => CacheStore): void {
  describe('cache entries', () => {
    it('puts, gets and replaces entries; any JSON value', async () => {
      const cache = getCache();
      expect(await cache.get('workflow:w:k', T0)).toBeUndefined();
      await cache.put({
        key: 'workflow:w:k',
        value: { a: [1, 'two', null] },
        createdAt: T0,
        expiresAt: null,
      });
      expect(await cache.get('workflow:w:k', T0 + 1e9)).toEqual({
        key: 'workflow:w:k',
        value: { a: [1, 'two', null] },
        createdAt: T0,
        expiresAt: null,
      });
      await cache.put({ key: 'workflow:w:k', value: 'second', createdAt: T0 + 1, expiresAt: null });
      expect((await cache.get('workflow:w:k', T0 + 2))?.value).toBe('second');
      await cache.put({ key: 'global:n', value: null, createdAt: T0, expiresAt: null });
      expect(await cache.get('global:n', T0)).toMatchObject({ value: null });
    });

    it('never returns an entry past its expiry', async () => {
      const cache = getCache();
      const now = Date.now();
      await cache.put({ key: 'global:t', value: 1, createdAt: now, expiresAt: now + 60_000 });
      expect((await cache.get('global:t', now + 59_999))?.value).toBe(1);
      expect(await cache.get('global:t', now + 60_000)).toBeUndefined();
      expect(await cache.list({ now: now + 60_000 })).toEqual([]);
    });

    it('lists live entries by key under a prefix, and clears by prefix', async () => {
      const cache = getCache();
      const now = Date.now();
      for (const key of ['user:ada:1', 'user:ada:2', 'user:bob:1', 'user:ada_x:1', 'global:g']) {
        await cache.put({ key, value: key, createdAt: now, expiresAt: now + 60_000 });
      }
      expect((await cache.list({ prefix: 'user:ada:', now })).map((e) => e.key)).toEqual([
        'user:ada:1',
        'user:ada:2',
      ]);
      expect((await cache.list({ now, limit: 2 })).map((e) => e.key)).toEqual(['global:g', 'user:ada:1']);
      // Characters that mean something in LIKE or glob patterns are plain text in a prefix.
      await cache.put({ key: 'global:50%_[a]*', value: 1, createdAt: now, expiresAt: null });
      expect((await cache.list({ prefix: 'global:50%_[a]', now })).map((e) => e.key)).toEqual([
        'global:50%_[a]*',
      ]);
      expect(await cache.clear({ prefix: 'user:ada:' })).toBe(2);
      expect((await cache.list({ now })).map((e) => e.key)).toEqual([
        'global:50%_[a]*',
        'global:g',
        'user:ada_x:1',
        'user:bob:1',
      ]);
      expect(await cache.clear({})).toBe(4);
    });
  });
}
