/** One piece of a string value: literal text, or the source of a `${ }` expression. */
export type TemplatePart = { text: string } | { expr: string; offset: number };

/**
 * Splits a string into literal text and `${ ... }` expressions. `$${` is a literal `${`.
 * Braces inside the expression are balanced, and quoted strings may hold any brace.
 * Throws with the offset of an unterminated `${`.
 */
export function splitTemplate(input: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!input.startsWith('${', i)) {
      text += input[i];
      i++;
      continue;
    }
    const start = i + 2;
    const end = findClosingBrace(input, start);
    if (end < 0) throw new TemplateError(`'\${' at offset ${i} is never closed with '}'`, i);
    if (text) parts.push({ text });
    text = '';
    const expr = input.slice(start, end);
    if (expr.trim() === '') throw new TemplateError(`empty expression '\${}' at offset ${i}`, i);
    parts.push({ expr: expr.trim(), offset: start });
    i = end + 1;
  }
  if (text || parts.length === 0) parts.push({ text });
  return parts;
}

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function findClosingBrace(input: string, from: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < input.length; i++) {
    const c = input[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** True when the string holds at least one `${` that is not escaped. */
export function hasExpression(input: string): boolean {
  let at = input.indexOf('${');
  while (at >= 0) {
    if (at === 0 || input[at - 1] !== '$') return true;
    at = input.indexOf('${', at + 2);
  }
  return false;
}
