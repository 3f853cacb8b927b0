import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '@weft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';
import type { HubEvent } from './journal.js';

const FLOW = (name: string) =>
  `name: ${name}\nsteps:\n  - { id: a, type: skill, skill: echo }\n  - { id: b, type: skill, skill: sleep, inputs: { duration: 30ms } }\n`;

const engines: Engine[] = [];
const hubs: EventHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) hub.close();
  for (const engine of engines.splice(0)) await engine.close();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('EventHub across processes', () => {
  it('publishes runs executed by another engine on the same store, in order, once each', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'weft-hub-')), 'weft.db')}`;
    const here = await createEngine({ store });
    const elsewhere = await createEngine({ store });
    engines.push(here, elsewhere);
    // A run that ended before anyone listened is not replayed.
    await (await elsewhere.start({ source: FLOW('before') })).result();

    const hub = new EventHub(here, { pollMs: 50 });
    hubs.push(hub);
    const seen: HubEvent[] = [];
    hub.listen((event) => seen.push(event));
    const local = await (await here.start({ source: FLOW('local') })).result();
    const remote = await Promise.all(
      [1, 2, 3].map(async () => (await elsewhere.start({ source: FLOW('remote') })).result()),
    );
    const ended = (runId: string) =>
      seen.some((e) => e.record.runId === runId && e.record.type === 'run.completed');
    await until(() => [local, ...remote].every((r) => ended(r.runId)));

    for (const run of [local, ...remote]) {
      const events = seen.filter((e) => e.record.runId === run.runId).map((e) => e.record);
      const stored = await here.store.getEvents(run.runId);
      expect(events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
      expect(events[0]?.type).toBe('run.started');
    }
    expect(seen.some((e) => e.workflow === 'before')).toBe(false);
    // Journal positions are gapless: reconnecting subscribers resume without holes.
    expect(seen.map((e) => e.n)).toEqual(seen.map((_, i) => seen[0]!.n + i));
  });
});
