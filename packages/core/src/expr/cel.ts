import { Environment } from '@marcbachmann/cel-js';

/**
 * The CEL environment of Weft. CEL keeps `int` and `double` apart and refuses `double + int`;
 * values from JSON are doubles, so mixed arithmetic is given JSON semantics here.
 */
function createEnvironment(): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  const arithmetic: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
    '%': (a, b) => a % b,
  };
  for (const [op, apply] of Object.entries(arithmetic)) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => apply(a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => apply(Number(a), b));
  }
  return env;
}

export const cel: Environment = createEnvironment();

/** A compiled CEL program: call it with the scope. */
export type CelProgram = ((scope: Record<string, unknown>) => unknown) & { ast: CelNode };

export interface CelNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
}

/**
 * CEL reserves `loop`, but SPEC names the loop variables `loop.item` and `loop.index`. The name is
 * rewritten to this binding before parsing; scopes bind the loop variables under it.
 */
export const LOOP_BINDING = '__loop';

/** Rewrites the identifier `loop` (not inside strings, not a field after `.`) to LOOP_BINDING. */
export function rewriteReserved(source: string): string {
  if (!source.includes('loop')) return source;
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      const triple = source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < source.length && !source.startsWith(quote, j)) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + quote.length);
      i = j + quote.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      const word = source.slice(i, j);
      const before = out.trimEnd();
      out += word === 'loop' && !before.endsWith('.') ? LOOP_BINDING : word;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

export function parseCel(source: string): CelProgram {
  return cel.parse(rewriteReserved(source)) as unknown as CelProgram;
}
