import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeSkill } from './invoke.js';
import { loadSkillModules } from './load-modules.js';
import { rejectionOf, testSkillContext } from './testing.js';

let dir: string;

const files: Record<string, string> = {
  'default.mjs': `export default { name: 'acme.hello', description: 'Greets.', run: ({ name }) => 'hello ' + name };`,
  'array.js': `export default [
    { name: 'acme.one', run: () => 1 },
    { name: 'acme.two', run: () => 2 },
  ];`,
  'named.mjs': `
    export const upper = { name: 'text.upper', run: ({ text }) => text.toUpperCase() };
    export const lower = { name: 'text.lower', run: ({ text }) => text.toLowerCase() };
    export const notASkill = 42;
    export default upper;`,
  'typed.ts': `
    interface Input { a: number; b: number }
    const add = (input: Input): number => input.a + input.b;
    export default { name: 'math.add', input: { type: 'object', required: ['a', 'b'] }, run: add };
    export const mul = { name: 'math.mul', run: ({ a, b }: Input): number => a * b };`,
  'empty.mjs': 'export const answer = 42;',
  'broken.mjs': 'export default {',
  'bad-item.mjs': `export default [{ name: 'ok.one', run: () => 1 }, { name: 'Bad Name', run: () => 2 }];`,
  'dup.mjs': `export default { name: 'acme.hello', run: () => 'again' };`,
  'notes.txt': 'not code',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-skill-modules-'));
  // "type": "module" so the .js and .ts files are ES modules, as in a user's project.
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const load = (...paths: string[]) => loadSkillModules(paths, { cwd: dir });
const names = async (...paths: string[]) => (await load(...paths)).map((skill) => skill.name);

describe('loadSkillModules', () => {
  it('loads a default-exported skill from a .mjs file', async () => {
    const [hello] = await load('default.mjs');
    expect(hello?.description).toBe('Greets.');
    expect(await invokeSkill(hello!, { name: 'ada' }, testSkillContext())).toBe('hello ada');
  });

  it('loads a default-exported array from a .js file', async () => {
    expect(await names('array.js')).toEqual(['acme.one', 'acme.two']);
  });

  it('loads named exports that are skills, once each, ignoring the rest', async () => {
    expect(await names('named.mjs')).toEqual(['text.upper', 'text.lower']);
  });

  it('loads a TypeScript module through tsx', async () => {
    const skills = await load('typed.ts');
    expect(skills.map((skill) => skill.name)).toEqual(['math.add', 'math.mul']);
    expect(await invokeSkill(skills[0]!, { a: 2, b: 3 }, testSkillContext())).toBe(5);
    expect(await invokeSkill(skills[1]!, { a: 2, b: 3 }, testSkillContext())).toBe(6);
  });

  it('loads a TypeScript module from a folder without "type": "module" (CommonJS interop)', async () => {
    const cjsDir = join(dir, 'cjs');
    await mkdir(cjsDir);
    await writeFile(join(cjsDir, 'package.json'), '{}');
    await writeFile(join(cjsDir, 'skill.ts'), files['typed.ts']!);
    expect(await names('cjs/skill.ts')).toEqual(['math.add', 'math.mul']);
  });

  it('loads several files in order, and absolute paths', async () => {
    expect(await names('array.js', join(dir, 'default.mjs'))).toEqual(['acme.one', 'acme.two', 'acme.hello']);
  });

  it('names the file when it is missing, of the wrong kind, broken, or exports no skill', async () => {
    const missing = await rejectionOf(load('nope.ts'));
    expect(missing.code).toBe('invalid_config');
    expect(missing.message).toBe(`skill module 'nope.ts' (${join(dir, 'nope.ts')}): no such file`);
    expect((await rejectionOf(load('notes.txt'))).message).toBe(
      `skill module 'notes.txt' (${join(dir, 'notes.txt')}): expected a .js, .mjs, .cjs, .ts, .mts or .cts file`,
    );
    const broken = await rejectionOf(load('broken.mjs'));
    expect(broken.code).toBe('invalid_config');
    expect(broken.message).toMatch(/^skill module 'broken\.mjs' \(.+\) failed to load: /);
    expect(broken.cause).toBeInstanceOf(Error);
    expect((await rejectionOf(load('empty.mjs'))).message).toBe(
      `skill module 'empty.mjs' (${join(dir, 'empty.mjs')}) exports no skill: ` +
        'expected `export default defineSkill({...})`, a default array of skills, or named skill exports',
    );
  });

  it('names the export of an invalid skill, and a name defined twice', async () => {
    expect((await rejectionOf(load('bad-item.mjs'))).message).toMatch(
      /^skill module 'bad-item\.mjs' \(.+\): default export \[1\]: skill name 'Bad Name' is invalid/,
    );
    expect((await rejectionOf(load('default.mjs', 'dup.mjs'))).message).toBe(
      "skill 'acme.hello' is defined twice: in 'default.mjs' and in 'dup.mjs'",
    );
  });
});
