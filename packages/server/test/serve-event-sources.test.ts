import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { serve } from '../src/serve.js';
import { waitFor } from './support.js';

describe('serve with event_sources', () => {
  it('delivers broker messages to waiting runs, and a broker that is down does not stop it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-serve-sources-'));
    const channel = `weft-serve-${randomUUID().slice(0, 8)}`;
    const server = await serve({
      store: `sqlite:${join(dir, 'weft.db')}`,
      cwd: dir,
      port: 0,
      handleSignals: false,
      logger: { level: 'silent' },
      eventSources: [
        {
          type: 'redis',
          url: 'redis://127.0.0.1:6379',
          channels: [channel],
          group: 'weft',
          type_from: 'subject',
        },
        { type: 'nats', url: 'nats://127.0.0.1:4', subjects: ['x'], type_from: 'subject' },
      ],
    });
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const handle = await server.engine.start({
        source: `name: s\nsteps:\n  - { id: got, type: event, event: ${channel}, timeout: 20s }\n`,
      });
      await waitFor(
        async () => (await server.engine.store.getWait(handle.runId, 'got'))?.status === 'open' || undefined,
      );
      // Published until the subscription is live: pub/sub drops messages sent before it.
      const publishing = setInterval(() => void redis.publish(channel, '{"ok":true}'), 100);
      const result = await handle.result().finally(() => clearInterval(publishing));
      expect(result).toMatchObject({ status: 'completed', output: { ok: true } });
    } finally {
      redis.disconnect();
      await server.close();
    }
  });
});
