import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';

/**
 * Runs every `conformance/<type>/<case>.yaml` at the repo root and compares the run with
 * `<case>.expect.json`: `{ input?, status, output? , error_code? }`.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..', 'conformance');

interface Expectation {
  input?: unknown;
  status: 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error_code?: string;
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
  });
});
