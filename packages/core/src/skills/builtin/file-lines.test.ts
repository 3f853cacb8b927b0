import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../errors.js';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { fileLinesIterable, fileLinesSkill } from './file-lines.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-file-lines-'));
  await writeFile(join(dir, 'three.txt'), 'a\nb\n\nc\n');
  await writeFile(join(dir, 'crlf.txt'), 'x\r\ny');
  await writeFile(join(dir, 'empty.txt'), '');
  await writeFile(join(dir, 'many.txt'), Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const lines = (input: unknown) => invokeSkill(fileLinesSkill, input, testSkillContext({ cwd: dir }));

describe('file.lines', () => {
  it('returns the lines without an empty item for the final newline', async () => {
    expect(await lines({ path: 'three.txt' })).toEqual(['a', 'b', '', 'c']);
    expect(await lines({ path: 'crlf.txt' })).toEqual(['x', 'y']);
    expect(await lines({ path: 'empty.txt' })).toEqual([]);
  });

  it('fails with skill_error for a missing file', async () => {
    const error = await rejectionOf(lines({ path: 'nope.txt' }));
    expect(error.message).toBe(`file.lines: no such file '${join(dir, 'nope.txt')}'`);
  });

  it('fails with skill_error for a directory', async () => {
    expect((await rejectionOf(lines({ path: '.' }))).message).toBe(
      `file.lines: is a directory, not a file: '${dir}'`,
    );
  });

  it('yields lines one at a time as an async iterable (the stream source form)', async () => {
    const ctx = testSkillContext({ cwd: dir });
    const seen: string[] = [];
    for await (const line of fileLinesIterable('many.txt', ctx)) {
      seen.push(line);
      if (seen.length === 3) break; // closes the file early
    }
    expect(seen).toEqual(['line 0', 'line 1', 'line 2']);
    const viaSkill: unknown[] = [];
    for await (const line of fileLinesSkill.iterate!({ path: 'three.txt' }, ctx)) viaSkill.push(line);
    expect(viaSkill).toEqual(['a', 'b', '', 'c']);
  });

  it('stops with the abort reason when the signal fires', async () => {
    const controller = new AbortController();
    const ctx = testSkillContext({ cwd: dir, signal: controller.signal });
    let count = 0;
    const consume = async () => {
      for await (const _line of fileLinesIterable('many.txt', ctx)) {
        if (++count === 100) controller.abort(new WeftError('cancelled', 'run cancelled'));
      }
    };
    const error = await rejectionOf(consume());
    expect(error.message).toBe('run cancelled');
    expect(count).toBe(100);
  });
});
