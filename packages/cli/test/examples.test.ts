import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft } from './cli-harness.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const examples = join(repo, 'examples');

/** Every example, with the input it needs and what it must print. */
const cases: Record<string, { input?: unknown; output: unknown; cwd?: string }> = {
  'hello.yaml': { output: 'Hello, world!' },
  'graph.yaml': { input: { order_id: 'B-7' }, output: { order: 'B-7', charged: 50 } },
  'shell-pipeline.yaml': { output: { sorted: ['apple', 'fig', 'pear'], lines: 3 } },
  'inputs-schema.yaml': {
    input: { customer: 'ACME', amount: 100 },
    output: { customer: 'ACME', total: 120, currency: 'EUR', text: 'Weft Ltd bills ACME 120 EUR' },
  },
  'custom-skill/slug.yaml': { input: { title: 'Hello, World!' }, output: 'hello-world', cwd: 'custom-skill' },
};

describe('examples', () => {
  beforeAll(assertBuilt);

  it('has a case for every example document', () => {
    const top = readdirSync(examples).filter((f) => /\.(ya?ml|json)$/.test(f));
    for (const file of top) expect(Object.keys(cases)).toContain(file);
  });

  it.each(Object.entries(cases))('%s runs and gives its documented output', async (file, spec) => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'weft-example-')), 'weft.db')}`;
    const cwd = spec.cwd ? join(examples, spec.cwd) : repo;
    const path = spec.cwd ? file.slice(spec.cwd.length + 1) : join('examples', file);
    const args = ['run', path, '--json', '--store', store];
    if (spec.input !== undefined) args.push('--input', JSON.stringify(spec.input));
    const result = await weft(args, { cwd, timeoutMs: 60_000 });
    expect(result.stderr).not.toContain('Error');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'completed',
      output: spec.output,
      error: null,
    });
  });

  it('validates every example document (a custom skill is known where its config is)', async () => {
    const top = Object.keys(cases).filter((file) => !cases[file]!.cwd);
    const result = await weft(['validate', ...top.map((file) => join('examples', file))], { cwd: repo });
    expect(result.code).toBe(0);
    for (const file of top) expect(result.stderr).toContain(`ok examples/${file}`);
    const custom = await weft(['validate', 'slug.yaml'], { cwd: join(examples, 'custom-skill') });
    expect(custom.code).toBe(0);
    const elsewhere = await weft(['validate', 'examples/custom-skill/slug.yaml'], { cwd: repo });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      "examples/custom-skill/slug.yaml:13:12: steps[0].skill: unknown skill 'text.slugify'",
    );
  });
});
