import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { buildInput, parseInputOption } from './input.js';

const cwd = mkdtempSync(join(tmpdir(), 'weft-input-'));
writeFileSync(join(cwd, 'in.json'), '{"order_id": "A-1", "items": [1]}');
writeFileSync(join(cwd, 'bad.json'), '{"order_id": ');

describe('parseInputOption', () => {
  it('reads JSON text', async () => {
    expect(await parseInputOption('{"n": 5}', cwd)).toEqual({ n: 5 });
    expect(await parseInputOption('[1, 2]', cwd)).toEqual([1, 2]);
  });

  it('reads @file relative to cwd', async () => {
    expect(await parseInputOption('@in.json', cwd)).toEqual({ order_id: 'A-1', items: [1] });
  });

  it('says what is wrong with bad JSON', async () => {
    await expect(parseInputOption('{n: 5}', cwd)).rejects.toThrow(/^--input: expected JSON or @file\.json: /);
    await expect(parseInputOption('@bad.json', cwd)).rejects.toThrow(
      /^--input @bad\.json: bad\.json is not valid JSON: /,
    );
  });

  it('says when the file cannot be read', async () => {
    await expect(parseInputOption('@missing.json', cwd)).rejects.toThrow(
      new UsageError('--input @missing.json: cannot read missing.json: no such file'),
    );
    await expect(parseInputOption('@', cwd)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('buildInput', () => {
  it('is an empty object without options', async () => {
    expect(await buildInput({}, cwd)).toEqual({});
  });

  it('applies --set over --input', async () => {
    expect(await buildInput({ input: '@in.json', set: ['items=[]', 'extra.n=2'] }, cwd)).toEqual({
      order_id: 'A-1',
      items: [],
      extra: { n: 2 },
    });
  });
});
