import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { TERMINAL_RUN_STATUSES } from '../src/store/types.js';

/**
 * Runs every `conformance/<type>/<case>.yaml` at the repo root and compares the run with
 * `<case>.expect.json`: `{ input?, status, output? , error_code?, chained? }`.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..', 'conformance');

interface Expectation {
  input?: unknown;
  status: 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error_code?: string;
  /** Runs `on_complete` started, each awaited: `[{ workflow, status, output }]`. */
  chained?: { workflow: string; status: string; output?: unknown }[];
}

/** The runs `run.chained` events of `runId` name, once each has ended. */
async function chainedRuns(runId: string) {
  const events = (await engine.getEvents(runId)).filter((e) => e.type === 'run.chained');
  return Promise.all(
    events.map(async (event) => {
      const id = (event.data as { runId: string }).runId;
      for (let tries = 0; ; tries++) {
        const run = await engine.store.getRun(id);
        if (run && (TERMINAL_RUN_STATUSES.has(run.status) || tries > 500))
          return { workflow: run.workflow, status: run.status, output: run.output };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }),
  );
}

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(ROOT, dir.name))
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => ({
        type: dir.name,
        name: file.replace(/\.yaml$/, ''),
        path: join(ROOT, dir.name, file),
      })),
  );

let engine: WeftEngine;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-conformance-'));
  engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir });
});
afterAll(() => engine.close());

describe('conformance', () => {
  it('has an expectation for every document', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(existsSync(c.path.replace(/\.yaml$/, '.expect.json')), c.path).toBe(true);
  });

  it.each(cases)('$type/$name', async ({ path }) => {
    const expected = JSON.parse(readFileSync(path.replace(/\.yaml$/, '.expect.json'), 'utf8')) as Expectation;
    const handle = await engine.start(path, expected.input);
    const result = await handle.result();
    expect({ status: result.status, error: result.error }).toMatchObject({ status: expected.status });
    if ('output' in expected) expect(result.output).toEqual(expected.output);
    if (expected.error_code !== undefined) expect(result.error?.code).toBe(expected.error_code);
    if (expected.chained !== undefined) expect(await chainedRuns(result.runId)).toEqual(expected.chained);
  });
});
