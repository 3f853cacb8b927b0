import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft } from './cli-harness.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const examples = join(repo, 'examples');

/**
 * Every example, with the input it needs and what it must print. `model`: a stand-in model server
 * the example ships (it prints its URL), started for the run and given as WEFT_SECRET_MODEL_URL.
 */
const cases: Record<string, { input?: unknown; output: unknown; cwd?: string; model?: string }> = {
  'hello.yaml': { output: 'Hello, world!' },
  'graph.yaml': { input: { order_id: 'B-7' }, output: { order: 'B-7', charged: 50 } },
  'shell-pipeline.yaml': { output: { sorted: ['apple', 'fig', 'pear'], lines: 3 } },
  'inputs-schema.yaml': {
    input: { customer: 'ACME', amount: 100 },
    output: { customer: 'ACME', total: 120, currency: 'EUR', text: 'Weft Ltd bills ACME 120 EUR' },
  },
  'custom-skill/slug.yaml': { input: { title: 'Hello, World!' }, output: 'hello-world', cwd: 'custom-skill' },
  'code-review/review.yaml': {
    output: { code: 'export function add(a, b) { return a + b }', rounds: 3 },
    cwd: 'code-review',
  },
  'research/research.yaml': {
    input: { topic: 'durable workflows' },
    output: {
      sources: ['economics', 'history', 'technology'],
      summary: expect.stringMatching(/^economics: durable workflows pays off .* technology: .*redoing\.$/),
    },
    cwd: 'research',
  },
  'mcp/summarize.yaml': {
    output: {
      files: [
        { name: 'notes.txt', lines: 3 },
        { name: 'todo.txt', lines: 2 },
      ],
      total_lines: 5,
    },
    cwd: 'mcp',
    model: 'model.mjs',
  },
};

/** Starts an example's stand-in model server; resolves with its URL and how to stop it. */
function startModel(script: string, cwd: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [script], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = out.split('\n')[0];
      if (out.includes('\n') && url) resolvePromise({ url, stop: () => child.kill() });
    });
  });
}

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
    const model = spec.model ? await startModel(spec.model, cwd) : undefined;
    const env = model ? { WEFT_SECRET_MODEL_URL: model.url } : undefined;
    const result = await weft(args, { cwd, timeoutMs: 60_000, env }).finally(() => model?.stop());
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
