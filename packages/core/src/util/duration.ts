const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPOUND = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses `250ms`, `30s`, `1h30m`, `PT30S` into milliseconds. Throws a message that says what was
 * expected; a bare number is refused with the unit it probably meant.
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    throw new Error(
      `expected a duration string such as '${value}s' or '${value}ms', got the bare number ${value}`,
    );
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(
      `expected a duration string such as '30s', '5m' or 'PT30S', got ${JSON.stringify(value)}`,
    );
  }
  const text = value.trim();
  if (text.startsWith('-')) {
    throw new Error(
      `expected a duration of 0 or more such as '${text.slice(1)}', got the negative '${text}'`,
    );
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    throw new Error(
      `expected a duration with a unit, got '${text}' (did you mean '${text}s' or '${text}ms'?)`,
    );
  }
  if (COMPOUND.test(text)) {
    let total = 0;
    for (const match of text.matchAll(PART)) total += Number(match[1]) * (UNIT_MS[match[2]!] ?? 0);
    return Math.round(total);
  }
  const iso = ISO.exec(text);
  if (iso && text !== 'P' && text !== 'PT' && !text.endsWith('T')) {
    const [, d, h, m, s] = iso;
    return Math.round(
      Number(d ?? 0) * UNIT_MS.d! +
        Number(h ?? 0) * UNIT_MS.h! +
        Number(m ?? 0) * UNIT_MS.m! +
        Number(s ?? 0) * 1000,
    );
  }
  throw new Error(
    `expected a duration such as '250ms', '30s', '5m', '2h', '1d', '1h30m' or 'PT30S', got '${text}'`,
  );
}

/** Formats milliseconds for people: `850ms`, `1.2s`, `3m04s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
