import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';
import type { EngineOptions } from '../engine/types.js';
import { verifySignature } from './sign.js';

const SECRET = 'hook-secret-123';

interface Received {
  body: Record<string, unknown>;
  verified: boolean;
}

/** A real receiver on 127.0.0.1 that checks the signature; `fail` first answers get a 503. */
async function receiver(fail = 0) {
  const received: Received[] = [];
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      if (refused < fail) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      const verified = verifySignature(
        SECRET,
        String(req.headers['weft-timestamp']),
        text,
        String(req.headers['weft-signature']),
      );
      received.push({ body: JSON.parse(text), verified });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const servers: Server[] = [];
const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  for (const server of servers.splice(0)) server.close();
});

async function engineWith(
  options: Partial<EngineOptions> = {},
  dir = mkdtempSync(join(tmpdir(), 'weft-notify-')),
) {
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    secrets: { NOTIFY_SECRET: SECRET },
    ...options,
  });
  engines.push(engine);
  return engine;
}

async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('notifications', () => {
  it('POSTs a signed payload when a run completes, and records the delivery', async () => {
    const { url, received } = await receiver();
    const engine = await engineWith();
    const run = await engine.start({
      source: `name: notified
notify:
  - url: ${url}
    on: [completed, failed]
steps:
  - { id: a, type: skill, skill: echo, inputs: { n: 1 } }
`,
    });
    const result = await run.result();
    await eventually(() => received.length === 1);
    expect(received[0]).toEqual({
      verified: true,
      body: {
        event: 'completed',
        run_id: result.runId,
        workflow: 'notified',
        status: 'completed',
        output: { n: 1 },
        time: expect.any(String),
      },
    });
    const deliveries = await eventually(async () => {
      const list = await engine.store.notifications.listDeliveries({ runId: result.runId });
      return list.length > 0 ? list : undefined;
    });
    expect(deliveries).toMatchObject([
      { event: 'completed', url, attempt: 1, status: 'delivered', httpStatus: 204 },
    ]);
  });

  it('retries with backoff, recording every attempt, and global sinks apply to every workflow', async () => {
    const { url, received } = await receiver(2);
    const engine = await engineWith({ notifications: { sinks: [{ url, on: ['failed'] }], backoffMs: 10 } });
    const result = await (
      await engine.start({
        source: 'name: broken\nsteps:\n  - { id: f, type: fail, code: nope, message: broken }\n',
      })
    ).result();
    expect(result.status).toBe('failed');
    await eventually(() => received.length === 1);
    expect(received[0]?.body).toMatchObject({ event: 'failed', status: 'failed', error: { code: 'nope' } });
    const attempts = await eventually(async () => {
      const list = await engine.store.notifications.listDeliveries({ runId: result.runId });
      return list.length === 3 ? list : undefined;
    });
    expect(attempts.map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([
      [3, 'delivered', 204],
      [2, 'failed', 503],
      [1, 'failed', 503],
    ]);
  });

  it('a receiver that is down never fails the run', async () => {
    const engine = await engineWith({ notifications: { attempts: 2, backoffMs: 5 } });
    const result = await (
      await engine.start({
        source:
          'name: lonely\nnotify: [ { url: "http://127.0.0.1:1/none" } ]\nsteps:\n  - { id: a, type: skill, skill: echo, inputs: {} }\n',
      })
    ).result();
    expect(result.status).toBe('completed');
    const attempts = await eventually(async () => {
      const list = await engine.store.notifications.listDeliveries({ runId: result.runId });
      return list.length === 2 ? list : undefined;
    });
    expect(attempts.every((d) => d.status === 'failed' && d.error)).toBe(true);
  });

  it('fires delayed once when a run is still going after delay_after', async () => {
    const { url, received } = await receiver();
    const engine = await engineWith({ notifications: { pollMs: 20 } });
    const result = await (
      await engine.start({
        source: `name: slow
notify: [ { url: "${url}", on: [delayed], delay_after: 50ms } ]
steps:
  - { id: s, type: skill, skill: sleep, inputs: { duration: 400ms } }
`,
      })
    ).result();
    expect(result.status).toBe('completed');
    await eventually(() => received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.map((r) => [r.body.event, r.body.status, r.verified])).toEqual([
      ['delayed', 'running', true],
    ]);
  });

  it('keeps the delayed deadline across a restart: the resumed run fires it once', async () => {
    const { url, received } = await receiver();
    const dir = mkdtempSync(join(tmpdir(), 'weft-notify-'));
    const source = `name: restarted
notify: [ { url: "${url}", on: [delayed], delay_after: 300ms } ]
steps:
  - { id: s, type: skill, skill: sleep, inputs: { duration: 800ms } }
`;
    const first = await engineWith({ notifications: { pollMs: 20 } }, dir);
    const { runId } = await first.start({ source });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.close();
    expect(received).toEqual([]);
    const second = await engineWith({ notifications: { pollMs: 20 } }, dir);
    const [resumed] = await second.recover();
    expect(resumed?.runId).toBe(runId);
    await resumed?.result();
    await eventually(() => received.length >= 1);
    expect(received.map((r) => [r.body.event, r.body.run_id])).toEqual([['delayed', runId]]);
  });

  it('resolves expressions in a notify url with the run at its end', async () => {
    const { url, received } = await receiver();
    const engine = await engineWith();
    await (
      await engine.start({
        source: `name: templated
notify: [ { url: "${url}/\${ steps.a.output.team }" } ]
steps:
  - { id: a, type: skill, skill: echo, inputs: { team: ops } }
`,
      })
    ).result();
    const [delivery] = await eventually(async () => {
      const list = await engine.store.notifications.listDeliveries();
      return list.length > 0 ? list : undefined;
    });
    expect(delivery?.url).toBe(`${url}/ops`);
    expect(received).toHaveLength(1);
  });

  it('refuses delayed without delay_after', async () => {
    const engine = await engineWith();
    await expect(
      engine.start({
        source:
          'name: x\nnotify: [ { url: "http://127.0.0.1:1/", on: [delayed] } ]\nsteps:\n  - { id: a, type: skill, skill: echo, inputs: {} }\n',
      }),
    ).rejects.toThrow(/delayed' needs delay_after/);
  });
});
