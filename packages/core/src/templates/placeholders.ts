/**
 * `{{ name }}` placeholders in a template's workflow body: found when a template is checked,
 * replaced when it is instantiated. `${ }` run-time expressions are plain text here.
 */

export const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A piece of a string: literal text, or a placeholder naming a parameter. */
export type Piece = { text: string } | { parameter: string };

/**
 * Splits a string into text and placeholders; `\{{` is a literal `{{`. Returns the message for a
 * malformed placeholder instead.
 * @example splitPlaceholders('GET {{ url }}') // { pieces: [{ text: 'GET ' }, { parameter: 'url' }] }
 */
export function splitPlaceholders(text: string): { pieces: Piece[] } | { error: string } {
  const pieces: Piece[] = [];
  let literal = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open < 0) break;
    if (open > 0 && text[open - 1] === '\\') {
      literal += `${text.slice(at, open - 1)}{{`;
      at = open + 2;
      continue;
    }
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      return { error: `'{{' without a closing '}}' (write '\\{{' for a literal '{{')` };
    }
    const name = text.slice(open + 2, close).trim();
    if (!PARAMETER_NAME.test(name)) {
      const got = text.slice(open, close + 2);
      return {
        error: `expected a parameter name inside '{{ }}', got '${got}' (write '\\{{' for a literal '{{')`,
      };
    }
    literal += text.slice(at, open);
    if (literal !== '') pieces.push({ text: literal });
    literal = '';
    pieces.push({ parameter: name });
    at = close + 2;
  }
  literal += text.slice(at);
  if (literal !== '') pieces.push({ text: literal });
  return { pieces };
}

/** A placeholder found in a body: where it is (path from the body), and what it names. */
export interface FoundPlaceholder {
  path: (string | number)[];
  parameter: string;
}

/** A malformed placeholder, or one in a mapping key (`anchor: 'key'`). */
export interface PlaceholderIssue {
  path: (string | number)[];
  message: string;
  anchor?: 'key';
}

/** Every placeholder in a value, and every malformed one. */
export function findPlaceholders(value: unknown): { found: FoundPlaceholder[]; issues: PlaceholderIssue[] } {
  const found: FoundPlaceholder[] = [];
  const issues: PlaceholderIssue[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      if (!node.includes('{{')) return;
      const split = splitPlaceholders(node);
      if ('error' in split) issues.push({ path, message: split.error });
      else
        for (const piece of split.pieces)
          if ('parameter' in piece) found.push({ path, parameter: piece.parameter });
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => {
        visit(item, [...path, index]);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes('{{')) {
          issues.push({
            path: [...path, key],
            message: 'placeholders are replaced in values only, not in mapping keys',
            anchor: 'key',
          });
        }
        visit(child, [...path, key]);
      }
    }
  };
  visit(value, []);
  return { found, issues };
}

/** Marks a mapping entry to leave out: an exact placeholder of an optional parameter not given. */
const OMIT = Symbol('omit');

/**
 * Replaces placeholders. A string that is exactly one placeholder becomes the value itself (typed);
 * text around one makes a string. A parameter without a value leaves its mapping entry out, is
 * null in a list, and is empty text inside a string. A `${` in a value is escaped, so it stays
 * text at run time. Call only on a body without issues.
 * @example substitute({ n: '{{ n }}', s: 'n={{ n }}' }, { n: 3 }) // { n: 3, s: 'n=3' }
 */
export function substitute(value: unknown, values: Readonly<Record<string, unknown>>): unknown {
  const result = replace(value, values);
  return result === OMIT ? null : result;
}

function replace(node: unknown, values: Readonly<Record<string, unknown>>): unknown {
  if (typeof node === 'string') {
    if (!node.includes('{{')) return node;
    const split = splitPlaceholders(node);
    if ('error' in split) return node;
    const [only] = split.pieces;
    if (split.pieces.length === 1 && only && 'parameter' in only) {
      const found = values[only.parameter];
      if (found === undefined) return OMIT;
      return typeof found === 'string' ? literal(found) : found;
    }
    return split.pieces
      .map((piece) => ('text' in piece ? piece.text : asText(values[piece.parameter])))
      .join('');
  }
  if (Array.isArray(node)) {
    return node.map((item) => {
      const replaced = replace(item, values);
      return replaced === OMIT ? null : replaced;
    });
  }
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const replaced = replace(child, values);
      if (replaced !== OMIT) out[key] = replaced;
    }
    return out;
  }
  return node;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? literal(value) : JSON.stringify(value);
}

/** A value is data, not code: a `${` in it stays text at run time (`$${` is a literal `${`). */
function literal(text: string): string {
  return text.replaceAll('${', () => '$${');
}
