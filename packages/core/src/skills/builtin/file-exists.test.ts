import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { fileExistsSkill } from './file-exists.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-file-exists-'));
  await writeFile(join(dir, 'here.txt'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const exists = (input: unknown) => invokeSkill(fileExistsSkill, input, testSkillContext({ cwd: dir }));

describe('file.exists', () => {
  it('tells whether a file or directory exists', async () => {
    expect(await exists({ path: 'here.txt' })).toEqual({ exists: true });
    expect(await exists({ path: dir })).toEqual({ exists: true });
    expect(await exists({ path: 'gone.txt' })).toEqual({ exists: false });
    expect(await exists({ path: 'here.txt/below' })).toEqual({ exists: false });
  });

  it('refuses other inputs', async () => {
    const error = await rejectionOf(exists({ path: 'a', follow: true }));
    expect(error.message).toBe("skill 'file.exists' input: /follow is not allowed (expected one of: path)");
  });
});
