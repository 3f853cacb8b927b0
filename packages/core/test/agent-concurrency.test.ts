import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { tempDir } from './support/resilience.js';
import { chatText, ScriptedServer } from './support/scripted-http.js';

let open: WeftEngine[] = [];
let server: ScriptedServer | undefined;
afterEach(async () => {
  await Promise.all(open.map((engine) => engine.close()));
  open = [];
  await server?.close();
});

const doc = `name: reviews
steps:
  - { id: review, type: agent, agent: reviewer, prompt: "Review \${ inputs.pr }" }
`;

async function engineOn(store: string, url: string): Promise<WeftEngine> {
  const engine = await createEngine({
    store,
    slotPollMs: 20,
    agents: { reviewer: { type: 'openai', base_url: `${url}/v1`, model: 'm', max_concurrency: 2 } },
  });
  open.push(engine);
  return engine;
}

describe('agent max_concurrency across engines sharing one store', () => {
  it('lets at most max_concurrency invocations of an agent run at once, across both engines', async () => {
    server = await new ScriptedServer().start();
    const replies = 8;
    for (let i = 0; i < replies; i++) server.reply({ ...chatText(`ok ${i}`), delayMs: 120 });
    const store = `sqlite:${join(tempDir('agent-slots'), 'weft.db')}`;
    const a = await engineOn(store, server.url);
    const b = await engineOn(store, server.url);
    const handles = await Promise.all(
      Array.from({ length: replies }, (_, i) => (i % 2 ? a : b).start({ source: doc }, { pr: i })),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(results.map((r) => r.status)).toEqual(Array(replies).fill('completed'));
    expect(server.seen).toHaveLength(replies);
    // Two engines, each alone would allow 2: together they never went past 2.
    expect(server.maxInFlight).toBe(2);
  });
});
