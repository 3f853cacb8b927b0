import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { fileWriteSkill } from './file-write.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-file-write-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const write = (input: unknown) => invokeSkill(fileWriteSkill, input, testSkillContext({ cwd: dir }));

describe('file.write', () => {
  it('writes a string, creating parent directories, and reports the absolute path and bytes', async () => {
    const output = await write({ path: 'out/deep/a.txt', content: 'héllo' });
    expect(output).toEqual({ path: join(dir, 'out/deep/a.txt'), bytes: 6 });
    expect(await readFile(join(dir, 'out/deep/a.txt'), 'utf8')).toBe('héllo');
  });

  it('replaces by default and appends with append: true', async () => {
    await write({ path: 'log.txt', content: 'one\n' });
    await write({ path: 'log.txt', content: 'two\n' });
    expect(await write({ path: 'log.txt', content: 'three\n', append: true })).toMatchObject({ bytes: 6 });
    expect(await readFile(join(dir, 'log.txt'), 'utf8')).toBe('two\nthree\n');
  });

  it('JSON-encodes content that is not a string', async () => {
    await write({ path: 'data.json', content: { a: [1, 2], b: null } });
    expect(await readFile(join(dir, 'data.json'), 'utf8')).toBe('{"a":[1,2],"b":null}');
    await write({ path: 'n.txt', content: 42 });
    expect(await readFile(join(dir, 'n.txt'), 'utf8')).toBe('42');
  });

  it('fails with skill_error when the target cannot be written', async () => {
    await write({ path: 'dir-here/x.txt', content: '' });
    const error = await rejectionOf(write({ path: 'dir-here', content: 'x' }));
    expect(error.code).toBe('skill_error');
    expect(error.message).toBe(`file.write: is a directory, not a file: '${join(dir, 'dir-here')}'`);
  });

  it('requires path and content', async () => {
    expect((await rejectionOf(write({ path: 'x' }))).message).toBe(
      "skill 'file.write' input: /content is required",
    );
  });
});
