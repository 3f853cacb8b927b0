// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Text without ANSI color codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Columns the text takes on a terminal (colors excluded; one per code point). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
