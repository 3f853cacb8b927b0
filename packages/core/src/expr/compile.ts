import { WeftError } from '../errors.js';
import { collectReferences, emptyReferences, mergeReferences, type References } from './analyze.js';
import { type CelProgram, parseCel } from './cel.js';
import { toJson, toText } from './normalize.js';
import { hasExpression, splitTemplate, TemplateError } from './template.js';

/** The names an expression sees; see SPEC.md section 5. */
export type Scope = Record<string, unknown>;

/**
 * A value from a document with its `${ }` expressions compiled once, at load.
 * @example compileValue({ url: 'https://x.test/${ inputs.id }' }).evaluate({ inputs: { id: 7 } })
 */
export interface Evaluable<T = unknown> {
  readonly refs: References;
  /** True when no expression is inside: `evaluate` returns the value as written. */
  readonly isStatic: boolean;
  evaluate(scope: Scope): T;
}

/** A syntax problem found at load; `path` points inside the value (`headers.Authorization`). */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function compileProgram(source: string, path: readonly (string | number)[]): CelProgram {
  try {
    return parseCel(source);
  } catch (error) {
    throw new ExpressionSyntaxError(
      `invalid expression '${source}': ${firstLine((error as Error).message)}`,
      path,
    );
  }
}

function run(program: CelProgram, source: string, scope: Scope): unknown {
  try {
    return toJson(program(scope));
  } catch (error) {
    throw new WeftError(
      'expression_error',
      `expression '${source}' failed: ${firstLine((error as Error).message)}`,
      {
        cause: error,
        details: { expression: source },
      },
    );
  }
}

function staticValue<T>(value: T): Evaluable<T> {
  return { refs: emptyReferences(), isStatic: true, evaluate: () => value };
}

function compileString(text: string, path: readonly (string | number)[]): Evaluable {
  if (!hasExpression(text)) return staticValue(text.includes('$${') ? text.replaceAll('$${', '${') : text);
  let parts: ReturnType<typeof splitTemplate>;
  try {
    parts = splitTemplate(text);
  } catch (error) {
    if (error instanceof TemplateError) throw new ExpressionSyntaxError(error.message, path);
    throw error;
  }
  const refs = emptyReferences();
  const compiled = parts.map((part) => {
    if ('text' in part) return part.text;
    const program = compileProgram(part.expr, path);
    collectReferences(program.ast, refs);
    return { program, source: part.expr };
  });
  const only = compiled[0];
  if (compiled.length === 1 && typeof only === 'object') {
    return { refs, isStatic: false, evaluate: (scope) => run(only.program, only.source, scope) };
  }
  return {
    refs,
    isStatic: false,
    evaluate(scope) {
      let out = '';
      for (const piece of compiled)
        out += typeof piece === 'string' ? piece : toText(run(piece.program, piece.source, scope));
      return out;
    },
  };
}

/** Compiles every `${ }` inside a value (strings, arrays and mappings, at any depth). */
export function compileValue(value: unknown, path: readonly (string | number)[] = []): Evaluable {
  if (typeof value === 'string') return compileString(value, path);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileValue(item, [...path, i]));
    if (items.every((item) => item.isStatic)) return staticValue(items.map((item) => item.evaluate({})));
    const refs = items.reduce((acc, item) => mergeReferences(acc, item.refs), emptyReferences());
    return { refs, isStatic: false, evaluate: (scope) => items.map((item) => item.evaluate(scope)) };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, compileValue(item, [...path, key])] as const,
    );
    if (entries.every(([, item]) => item.isStatic)) {
      return staticValue(Object.fromEntries(entries.map(([key, item]) => [key, item.evaluate({})])));
    }
    const refs = entries.reduce((acc, [, item]) => mergeReferences(acc, item.refs), emptyReferences());
    return {
      refs,
      isStatic: false,
      evaluate(scope) {
        const out: Record<string, unknown> = {};
        for (const [key, item] of entries) out[key] = item.evaluate(scope);
        return out;
      },
    };
  }
  return staticValue(value);
}

/**
 * Compiles a condition field (`when`, `condition`, `while`, `until`, `match`, `that`): a boolean,
 * a `${ }` expression, or a bare expression. The result must be a boolean.
 */
export function compileCondition(
  value: unknown,
  path: readonly (string | number)[] = [],
): Evaluable<boolean> {
  if (typeof value === 'boolean') return staticValue(value);
  if (typeof value !== 'string') {
    throw new ExpressionSyntaxError(
      `expected a boolean or an expression, got ${JSON.stringify(value)}`,
      path,
    );
  }
  const trimmed = value.trim();
  const inner = compileValueOrBare(trimmed, path);
  return {
    refs: inner.refs,
    isStatic: inner.isStatic,
    evaluate(scope) {
      const result = inner.evaluate(scope);
      if (typeof result !== 'boolean') {
        throw new WeftError(
          'expression_error',
          `condition '${trimmed}' must be a boolean, got ${JSON.stringify(result)}`,
          {
            details: { expression: trimmed },
          },
        );
      }
      return result;
    },
  };
}

function compileValueOrBare(text: string, path: readonly (string | number)[]): Evaluable {
  if (hasExpression(text)) return compileString(text, path);
  const program = compileProgram(text, path);
  return {
    refs: collectReferences(program.ast),
    isStatic: false,
    evaluate: (scope) => run(program, text, scope),
  };
}
