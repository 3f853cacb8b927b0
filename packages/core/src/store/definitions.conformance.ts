import { beforeEach, describe, expect, it } from 'vitest';
import type { NewDefinitionVersion } from './definition-types.js';
import type { Store } from './types.js';

const T0 = 1_700_000_000_000;

function push(source: string, extra: Partial<NewDefinitionVersion> = {}): NewDefinitionVersion {
  return {
    kind: 'workflow',
    name: 'deploy',
    source,
    hash: `h-${source}`,
    summary: null,
    status: 'active',
    origin: null,
    now: T0,
    ...extra,
  };
}

/** Registry versions; `store` is migrated. */
export function describeDefinitionsConformance(getStore: () => Store): void {
  describe('definitions', () => {
    let store: Store;
    beforeEach(async () => {
      store = getStore();
      await store.migrate();
    });

    it('numbers versions from 1, keeps one active, and does not store unchanged content twice', async () => {
      const first = await store.definitions.push(push('a', { summary: 'first' }));
      expect(first).toMatchObject({
        created: true,
        deprecated: null,
        version: { version: 1, status: 'active' },
      });
      const same = await store.definitions.push(push('a', { now: T0 + 1 }));
      expect(same).toMatchObject({ created: false, updated: false, version: { version: 1 } });
      const second = await store.definitions.push(push('b', { summary: 'second', now: T0 + 2 }));
      expect(second).toMatchObject({
        created: true,
        deprecated: 1,
        version: { version: 2, status: 'active' },
      });
      const versions = await store.definitions.versions('workflow', 'deploy');
      expect(versions.map((v) => [v.version, v.status, v.summary])).toEqual([
        [1, 'deprecated', 'first'],
        [2, 'active', 'second'],
      ]);
      expect((await store.definitions.get('workflow', 'deploy'))?.source).toBe('b');
      expect((await store.definitions.get('workflow', 'deploy', 1))?.source).toBe('a');
      expect(await store.definitions.get('template', 'deploy')).toBeUndefined();
    });

    it('updates a draft in place and keeps other versions immutable', async () => {
      await store.definitions.push(push('a'));
      const draft = await store.definitions.push(push('b', { status: 'draft' }));
      expect(draft).toMatchObject({ created: true, version: { version: 2, status: 'draft' } });
      const edited = await store.definitions.push(push('c', { status: 'draft', now: T0 + 5 }));
      expect(edited).toMatchObject({
        created: false,
        updated: true,
        version: { version: 2, source: 'c', updatedAt: T0 + 5 },
      });
      expect((await store.definitions.get('workflow', 'deploy'))?.version).toBe(1);
      const activated = await store.definitions.setStatus('workflow', 'deploy', 2, 'active', T0 + 6);
      expect(activated).toMatchObject({ deprecated: 1, version: { status: 'active' } });
      await expect(store.definitions.setStatus('workflow', 'deploy', 2, 'draft', T0)).rejects.toMatchObject({
        code: 'conflict',
      });
      await expect(
        store.definitions.setStatus('workflow', 'deploy', 9, 'archived', T0),
      ).rejects.toMatchObject({
        code: 'not_found',
      });
      // An active push over a draft adds a version; the draft stays as it was.
      const third = await store.definitions.push(push('d'));
      expect(third.version.version).toBe(3);
      expect((await store.definitions.get('workflow', 'deploy', 2))?.source).toBe('c');
    });

    it('lists definitions by kind with their latest and active versions', async () => {
      await store.definitions.push(push('a'));
      await store.definitions.push(push('b', { status: 'draft' }));
      await store.definitions.push(push('t', { kind: 'template', name: 'health-check' }));
      expect(await store.definitions.list('workflow')).toEqual([
        { kind: 'workflow', name: 'deploy', latest: 2, active: 1, versions: 2, updatedAt: T0 },
      ]);
      expect((await store.definitions.list('template')).map((d) => d.name)).toEqual(['health-check']);
    });

    it('never reuses a version number, even after the definition is deleted', async () => {
      await store.definitions.push(push('a'));
      await store.definitions.push(push('b'));
      expect(await store.definitions.remove('workflow', 'deploy')).toBe(2);
      expect(await store.definitions.versions('workflow', 'deploy')).toEqual([]);
      const again = await store.definitions.push(push('a'));
      expect(again.version.version).toBe(3);
    });

    it('keeps concurrent pushes of one name from colliding', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.definitions.push(push(`content-${i}`))),
      );
      const numbers = results.map((r) => r.version.version).sort((a, b) => a - b);
      expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const active = (await store.definitions.versions('workflow', 'deploy')).filter(
        (v) => v.status === 'active',
      );
      expect(active).toHaveLength(1);
    });

    it('stores the template origin of a workflow version', async () => {
      const origin = { template: 'health-check', version: 2, parameters: { url: 'http://x' } };
      const result = await store.definitions.push(push('a', { origin }));
      expect((await store.definitions.get('workflow', 'deploy', result.version.version))?.origin).toEqual(
        origin,
      );
    });
  });
}
