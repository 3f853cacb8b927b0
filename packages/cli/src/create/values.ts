/** Turning typed answers into document values: JSON when it parses to an allowed type, else text. */

export type ParsedValue = { value: unknown } | { error: string };

/** The JSON Schema type names a value may have: `integer` also counts as `number`. */
export type ValueType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** True when the text holds a `${ }` expression, evaluated when the step runs. */
export function isExpression(text: string): boolean {
  return text.includes('${');
}

/**
 * Reads an answer as a value of one of `types` (empty: any). JSON is tried first
 * (`42`, `true`, `["a"]`, `{"a":1}`); otherwise the text itself, when strings are allowed or it
 * holds a `${ }` expression (unless `expressions` is false).
 * @example parseValue('3', ['integer']) // { value: 3 }
 */
export function parseValue(
  text: string,
  types: readonly string[] = [],
  options: { expressions?: boolean } = {},
): ParsedValue {
  const trimmed = text.trim();
  const json = parseJson(trimmed);
  if (json !== undefined && allows(types, jsonType(json.value))) return { value: json.value };
  if (options.expressions !== false && isExpression(trimmed)) return { value: trimmed };
  if (types.length === 0 || types.includes('string')) return { value: text };
  const expression = options.expressions === false ? '' : ' or a ${ } expression';
  return { error: `expected ${describeTypes(types)}${expression}, got '${text}'` };
}

/** The schema's `type` as a list (absent: any). */
export function typesOf(type: string | string[] | undefined): string[] {
  if (type === undefined) return [];
  return Array.isArray(type) ? type : [type];
}

function parseJson(text: string): { value: unknown } | undefined {
  if (text === '') return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function jsonType(value: unknown): ValueType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as ValueType;
}

function allows(types: readonly string[], type: ValueType): boolean {
  if (types.length === 0) return true;
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function describeTypes(types: readonly string[]): string {
  const names = types.map((t) =>
    t === 'integer'
      ? 'an integer'
      : t === 'array'
        ? 'a JSON array'
        : t === 'object'
          ? 'a JSON object'
          : `a ${t}`,
  );
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
