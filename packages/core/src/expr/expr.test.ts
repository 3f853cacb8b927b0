import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { LOOP_BINDING, rewriteReserved } from './cel.js';
import { compileCondition, compileValue, ExpressionSyntaxError } from './compile.js';
import { splitTemplate } from './template.js';

const scope = {
  inputs: { n: 5, x: 2.5, name: 'Ada', items: [1, 2, 3], o: { a: [1] } },
  steps: { a: { output: { v: 7 } } },
};

describe('expressions: JSON number semantics', () => {
  it.each([
    ['${ inputs.n + 1 }', 6],
    ['${ inputs.n / 2 }', 2.5],
    ['${ inputs.n / 2.0 }', 2.5],
    ['${ inputs.x * 2 }', 5],
    ['${ 1 + 2.5 }', 3.5],
    ['${ size(inputs.items) + inputs.n }', 8],
    ['${ inputs.items[1] }', 2],
    ['${ inputs.n % 2 == 1 }', true],
    ['${ 7 / 2 }', 3],
    ['${ inputs.items.map(i, i * 2) }', [2, 4, 6]],
  ])('%s is %j', (source, expected) => {
    expect(compileValue(source).evaluate(scope)).toEqual(expected);
  });

  it('returns plain JSON: integers as numbers, maps as objects', () => {
    const value = compileValue('${ {"a": 1, "b": [2, 3.5]} }').evaluate({});
    expect(value).toEqual({ a: 1, b: [2, 3.5] });
    expect(typeof (value as { a: unknown }).a).toBe('number');
  });
});

describe('expressions: templates', () => {
  it('keeps the type of a whole-value expression and makes text of interpolation', () => {
    expect(compileValue('${ inputs.n }').evaluate(scope)).toBe(5);
    expect(compileValue('n=${ inputs.n } o=${ inputs.o }').evaluate(scope)).toBe('n=5 o={"a":[1]}');
    expect(compileValue('$${ literal }').evaluate(scope)).toBe('${ literal }');
    expect(compileValue('cost: $${ x } is ${ inputs.n }').evaluate(scope)).toBe('cost: ${ x } is 5');
  });

  it('compiles nested mappings and arrays, leaving static values as written', () => {
    const value = compileValue({ a: '${ steps.a.output.v }', b: ['x', '${ inputs.name }'], c: { d: 1 } });
    expect(value.isStatic).toBe(false);
    expect(value.evaluate(scope)).toEqual({ a: 7, b: ['x', 'Ada'], c: { d: 1 } });
    expect([...value.refs.steps]).toEqual(['a']);
    expect(compileValue({ a: 1, b: 'plain' }).isStatic).toBe(true);
  });

  it('balances braces and quotes inside an expression', () => {
    expect(splitTemplate('${ {"k": "}"}["k"] }!')).toEqual([
      { expr: '{"k": "}"}["k"]', offset: 2 },
      { text: '!' },
    ]);
    expect(compileValue('${ {"a": 1}.a }').evaluate({})).toBe(1);
  });

  it('refuses bad syntax at compile time with the path', () => {
    expect(() => compileValue({ url: '${ inputs. }' })).toThrow(ExpressionSyntaxError);
    expect(() => compileValue('${ inputs.n ')).toThrow(/never closed/);
    try {
      compileValue({ h: { x: '${ 1 + }' } });
    } catch (error) {
      expect((error as ExpressionSyntaxError).path).toEqual(['h', 'x']);
    }
  });

  it('fails at run time with expression_error naming the expression', () => {
    try {
      compileValue('${ inputs.missing }').evaluate(scope);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WeftError);
      expect((error as WeftError).code).toBe('expression_error');
      expect((error as WeftError).message).toContain("'inputs.missing'");
      expect((error as WeftError).message).toContain('No such key: missing');
    }
  });
});

describe('expressions: conditions', () => {
  it('accepts bare expressions, ${ } expressions and booleans', () => {
    expect(compileCondition('inputs.n > 3').evaluate(scope)).toBe(true);
    expect(compileCondition('${ inputs.n > 30 }').evaluate(scope)).toBe(false);
    expect(compileCondition(true).evaluate({})).toBe(true);
  });

  it('requires a boolean result', () => {
    expect(() => compileCondition('inputs.n').evaluate(scope)).toThrow(/must be a boolean/);
  });
});

describe('expressions: references', () => {
  it('collects step ids, roots and secrets, and ignores macro variables', () => {
    const value = compileValue(
      '${ steps.a.output.items.map(x, x + steps["b"].output) } ${ secrets.TOKEN } ${ inputs.n }',
    );
    expect([...value.refs.steps].sort()).toEqual(['a', 'b']);
    expect([...value.refs.secrets]).toEqual(['TOKEN']);
    expect([...value.refs.roots].sort()).toEqual(['inputs', 'secrets', 'steps']);
    expect(value.refs.dynamicSteps).toBe(false);
  });

  it('notes dynamic indexing', () => {
    expect(compileValue('${ steps[inputs.name].output }').refs.dynamicSteps).toBe(true);
    expect(compileValue('${ secrets[inputs.name] }').refs.dynamicSecrets).toBe(true);
  });
});

describe('expressions: the reserved word loop', () => {
  it('reads loop.item and loop.index through the loop binding', () => {
    const value = compileValue('${ loop.index }: ${ loop.item.name }');
    expect(value.evaluate({ [LOOP_BINDING]: { index: 2, item: { name: 'x' } } })).toBe('2: x');
    expect([...value.refs.roots]).toEqual(['loop']);
  });

  it('leaves strings and fields named loop alone', () => {
    expect(rewriteReserved('"loop" + a.loop + loop.item')).toBe(`"loop" + a.loop + ${LOOP_BINDING}.item`);
    expect(rewriteReserved("'it''s' + loop_count")).toBe("'it''s' + loop_count");
  });
});
