import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { applySets, parseSet } from './set.js';

describe('parseSet', () => {
  it.each([
    ['n=5', 5],
    ['ok=true', true],
    ['none=null', null],
    ['list=[1,2]', [1, 2]],
    ['obj={"a":1}', { a: 1 }],
    ['quoted="42"', '42'],
    ['name=Ada Lovelace', 'Ada Lovelace'],
    ['empty=', ''],
    ['eq=a=b', 'a=b'],
    ['url=https://x.test/?a=1', 'https://x.test/?a=1'],
  ])('reads %s', (text, value) => {
    expect(parseSet(text).value).toEqual(value);
  });

  it('splits dotted keys', () => {
    expect(parseSet('order.customer.id=7')).toEqual({ path: ['order', 'customer', 'id'], value: 7 });
  });

  it.each([
    ['novalue', "--set 'novalue': expected key=value, e.g. --set order_id=42"],
    ['=5', "--set '=5': expected a key such as 'name' or 'order.id' before '=', got ''"],
    ['a..b=1', "--set 'a..b=1': expected a key such as 'name' or 'order.id' before '=', got 'a..b'"],
    ['__proto__.x=1', "--set '__proto__.x=1': '__proto__' cannot be used as a key"],
  ])('refuses %s', (text, message) => {
    expect(() => parseSet(text)).toThrow(new UsageError(message));
  });
});

describe('applySets', () => {
  it('sets fields in order over a copy of the input', () => {
    const base = { a: { keep: 1 }, b: 2 };
    expect(applySets(base, ['a.x=1', 'c.d.e="s"', 'b=3', 'b=4'])).toEqual({
      a: { keep: 1, x: 1 },
      b: 4,
      c: { d: { e: 's' } },
    });
    expect(base).toEqual({ a: { keep: 1 }, b: 2 });
  });

  it('returns the input unchanged without sets, whatever it is', () => {
    expect(applySets([1, 2], [])).toEqual([1, 2]);
  });

  it('refuses to set inside something that is not an object', () => {
    expect(() => applySets({ a: 5 }, ['a.b=1'])).toThrow("--set 'a.b=1': 'a' is the number 5, not an object");
    expect(() => applySets([1], ['a=1'])).toThrow(
      '--set needs the input to be a JSON object, but --input is an array',
    );
  });
});
