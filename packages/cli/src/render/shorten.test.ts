import { describe, expect, it } from 'vitest';
import { oneLine, shorten } from './shorten.js';

describe('shorten', () => {
  it('prints values as one line of JSON', () => {
    expect(shorten({ a: 1, b: [true, null] })).toBe('{"a":1,"b":[true,null]}');
    expect(shorten('text')).toBe('"text"');
    expect(shorten(null)).toBe('null');
    expect(shorten(undefined)).toBe('-');
  });

  it('cuts long values to the width with an ellipsis', () => {
    const text = shorten({ body: 'x'.repeat(200) }, 20);
    expect(text).toBe('{"body":"xxxxxxxxxx…');
    expect([...text]).toHaveLength(20);
  });

  it('keeps strings with newlines on one line', () => {
    expect(oneLine('a\nb\r\nc')).toBe('a⏎b⏎c');
  });

  it('survives values JSON cannot print', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shorten(cyclic)).toBe('[object Object]');
  });
});
