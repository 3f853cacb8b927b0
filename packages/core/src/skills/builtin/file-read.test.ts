import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { fileReadSkill } from './file-read.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-file-read-'));
  await writeFile(join(dir, 'note.txt'), 'héllo\nworld\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const read = (input: unknown) => invokeSkill(fileReadSkill, input, testSkillContext({ cwd: dir }));

describe('file.read', () => {
  it('reads a file relative to ctx.cwd, or an absolute path', async () => {
    expect(await read({ path: 'note.txt' })).toBe('héllo\nworld\n');
    expect(await read({ path: join(dir, 'note.txt') })).toBe('héllo\nworld\n');
  });

  it('fails with skill_error naming the absolute path of a missing file', async () => {
    const error = await rejectionOf(read({ path: 'missing.txt' }));
    expect(error.code).toBe('skill_error');
    expect(error.message).toBe(`file.read: no such file '${join(dir, 'missing.txt')}'`);
  });

  it('fails clearly on a directory', async () => {
    expect((await rejectionOf(read({ path: '.' }))).message).toBe(
      `file.read: is a directory, not a file: '${dir}'`,
    );
  });

  it('requires a path', async () => {
    expect((await rejectionOf(read({}))).message).toBe("skill 'file.read' input: /path is required");
  });
});
