/** Where JSON text went wrong, for people: V8's messages on Node 20 often leave the position out. */
export interface JsonErrorPosition {
  /** 0-based offset of the first character that cannot be part of valid JSON. */
  offset: number;
  line: number;
  column: number;
  /** `unexpected '}'` or `unexpected end of text`. */
  problem: string;
}

class Stop {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];

/** Scans `text` as JSON and returns where it breaks, or undefined when it is valid. */
export function jsonErrorPosition(text: string): JsonErrorPosition | undefined {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const space = (): void => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const expect = (char: string): void => {
    space();
    if (text[i] !== char) stop();
    i++;
  };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const char = text[i]!;
      if (char === '"') {
        i++;
        return;
      }
      if (char < ' ') stop();
      if (char === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) stop();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '\0')) stop();
      }
      i++;
    }
    stop();
  };
  const sequence = (close: string, item: () => void): void => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
  };
  const member = (): void => {
    space();
    if (text[i] !== '"') stop();
    string();
    expect(':');
    value();
  };
  const scalar = (): void => {
    const literal = LITERALS.find((word) => text.startsWith(word, i));
    if (literal) {
      i += literal.length;
      return;
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) stop();
    i = NUMBER.lastIndex;
  };
  function value(): void {
    space();
    const char = text[i];
    if (char === '{') sequence('}', member);
    else if (char === '[') sequence(']', value);
    else if (char === '"') string();
    else scalar();
  }
  try {
    value();
    space();
    if (i < text.length) stop();
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return describe(text, error.offset);
  }
}

function describe(text: string, offset: number): JsonErrorPosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const char = text[offset];
  const problem = char === undefined ? 'unexpected end of text' : `unexpected ${JSON.stringify(char)}`;
  return { offset, line, column, problem };
}
