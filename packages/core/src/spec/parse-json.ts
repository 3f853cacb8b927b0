import type { ParsedSource } from './parse-yaml.js';
import { LineIndex, PositionMap } from './positions.js';
import type { Path } from './problems.js';

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON refuses raw control characters in strings.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/**
 * Parses strict JSON, keeping where each node starts. Hand-written because `JSON.parse` reports no
 * positions (and on Node 20 not always an offset); values are decoded by `JSON.parse` itself.
 */
export function parseJson(source: string): ParsedSource {
  const lines = new LineIndex(source);
  const positions = new PositionMap();
  const errors: ParsedSource['errors'] = [];
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const found = (): string => (i >= source.length ? 'the end of the file' : `'${source[i]}'`);
  const skipSpace = (): void => {
    while (i < source.length && ' \t\n\r'.includes(source[i]!)) i++;
  };
  const readString = (): string => {
    STRING.lastIndex = i;
    const match = STRING.exec(source);
    if (!match) {
      const end = source.indexOf('"', i + 1);
      fail(end < 0 ? 'unterminated string' : 'invalid character or escape in string');
    }
    i += match![0].length;
    return JSON.parse(match![0]) as string;
  };

  const readValue = (path: Path): unknown => {
    skipSpace();
    positions.setValue(path, lines.at(i));
    const c = source[i];
    if (c === '{') return readObject(path);
    if (c === '[') return readArray(path);
    if (c === '"') return readString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (source.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      i += number[0].length;
      return Number(number[0]);
    }
    return fail(`expected a value, got ${found()}`);
  };

  const readObject = (path: Path): Record<string, unknown> => {
    const object: Record<string, unknown> = {};
    i++;
    skipSpace();
    if (source[i] === '}') {
      i++;
      return object;
    }
    for (;;) {
      skipSpace();
      if (source[i] !== '"') fail(`expected a property name in double quotes, got ${found()}`);
      const keyAt = i;
      const key = readString();
      const childPath = [...path, key];
      if (Object.hasOwn(object, key))
        errors.push({ position: lines.at(keyAt), message: `duplicate key '${key}'` });
      positions.setKey(childPath, lines.at(keyAt));
      skipSpace();
      if (source[i] !== ':') fail(`expected ':' after the property name, got ${found()}`);
      i++;
      Object.defineProperty(object, key, {
        value: readValue(childPath),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      skipSpace();
      if (source[i] === ',') {
        i++;
        continue;
      }
      if (source[i] === '}') {
        i++;
        return object;
      }
      fail(`expected ',' or '}' after a property, got ${found()}`);
    }
  };

  const readArray = (path: Path): unknown[] => {
    const array: unknown[] = [];
    i++;
    skipSpace();
    if (source[i] === ']') {
      i++;
      return array;
    }
    for (;;) {
      array.push(readValue([...path, array.length]));
      skipSpace();
      if (source[i] === ',') {
        i++;
        continue;
      }
      if (source[i] === ']') {
        i++;
        return array;
      }
      fail(`expected ',' or ']' after a list item, got ${found()}`);
    }
  };

  try {
    const value = readValue([]);
    skipSpace();
    if (i < source.length) fail(`unexpected ${found()} after the end of the JSON value`);
    return { value, positions, errors };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return {
      positions,
      errors: [{ position: lines.at(error.offset), message: `invalid JSON: ${error.message}` }],
    };
  }
}
