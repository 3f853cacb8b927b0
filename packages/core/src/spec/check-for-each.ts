import { compileValue, hasExpression, splitTemplate } from '../expr/index.js';
import { describeValue } from './problems.js';

/**
 * Why a loop's `for_each` can be known at load not to give a list, else undefined: text around
 * `${ }` (that makes a string), or an expression that reads nothing and gives something else
 * (`${ 5 }`). Lists and other literals are the schema's business; syntax errors the expression check's.
 */
export function forEachProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !hasExpression(value)) return undefined;
  let parts: ReturnType<typeof splitTemplate>;
  try {
    parts = splitTemplate(value);
  } catch {
    return undefined;
  }
  if (parts.length !== 1 || !('expr' in parts[0]!)) {
    return 'text around ${ } makes a string; expected a list (write the expression alone, e.g. ${ inputs.items })';
  }
  try {
    const compiled = compileValue(value, ['for_each']);
    if (compiled.refs.roots.size > 0) return undefined;
    const result = compiled.evaluate({});
    return Array.isArray(result) ? undefined : `'${value}' gives ${describeValue(result)}; expected a list`;
  } catch {
    return undefined;
  }
}
