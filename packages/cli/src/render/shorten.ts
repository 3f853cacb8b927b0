/**
 * A value on one line of at most `max` characters: JSON, with `…` where it was cut.
 * @example shorten({ body: 'x'.repeat(200) }, 20) // '{"body":"xxxxxxxxxx…'
 */
export function shorten(value: unknown, max = 80): string {
  let text: string;
  if (value === undefined) text = '-';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else text = safeJson(value);
  return oneLine(text, max);
}

/** Text on one line (newlines shown as `⏎`), cut to `max` characters with `…`. */
export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\r?\n/g, '⏎');
  if (flat.length <= max) return flat;
  return `${flat.slice(0, Math.max(0, max - 1))}…`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
