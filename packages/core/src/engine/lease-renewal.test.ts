import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from './create-engine.js';
import type { WeftEngine } from './engine.js';

let engine: WeftEngine | undefined;
afterEach(async () => {
  await engine?.close();
});

describe('lease renewal', () => {
  it('never takes a run started a moment ago (not yet committed) for a lost one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-lease-renew-'));
    // A 100 ms lease renews every ~33 ms: many renewals land between a start and its commit.
    engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir, leaseMs: 100 });
    const source = 'name: quick\nsteps:\n  - { id: a, type: skill, skill: echo, inputs: { x: 1 } }\n';
    const statuses = new Map<string, number>();
    const until = Date.now() + 1500;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < until) {
          const outcome = await engine!
            .start({ source })
            .then((handle) => handle.result())
            .then(
              (result) => result.status,
              (error: { code?: string }) => error.code ?? 'error',
            );
          statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
        }
      }),
    );
    expect([...statuses.keys()]).toEqual(['completed']);
    expect(statuses.get('completed')).toBeGreaterThan(100);
  });
});
