import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');

describe('README', () => {
  it('runs the library example as written', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The library'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'weft-readme-'));
    const core = pathToFileURL(join(repo, 'packages/core/dist/index.js')).href;
    const file = join(dir, 'example.mts');
    writeFileSync(file, code!.replace("'@weft/core'", `'${core}'`));
    const tsx = join(repo, 'node_modules/.bin/tsx');
    const out = execFileSync(tsx, [file], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('d done in');
    expect(out).toContain('completed { n: 42 }');
  });

  it('shows the set-up and test commands', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    expect(readme).toContain('npm install\nnpx weft run examples/hello.yaml');
    expect(readme).toContain('npm test');
  });
});
