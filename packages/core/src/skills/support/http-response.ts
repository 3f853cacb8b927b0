/** Response headers as a plain object with lower-case names; `set-cookie` stays a list. */
export function headersObject(headers: Headers): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') result[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) result['set-cookie'] = cookies;
  return result;
}

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim());
}

/** The body parsed when the content type says JSON and it parses; otherwise the text. */
export function parseBody(text: string, contentType: string | null): unknown {
  if (!isJsonContentType(contentType)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry-After (delta seconds or an HTTP date) in milliseconds from `now`, or undefined. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The URL for messages, with any user:password replaced. */
export function displayUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '***';
  copy.password = '';
  return copy.href;
}

/** `2xx`, `201`, `200 or 204`, `200, 201 or 204`. */
export function describeExpected(expected: number | readonly number[] | undefined): string {
  if (expected === undefined) return '2xx';
  const list = typeof expected === 'number' ? [expected] : [...expected];
  if (list.length <= 1) return String(list[0]);
  return `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
}

export function statusMatches(status: number, expected: number | readonly number[] | undefined): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  return typeof expected === 'number' ? status === expected : expected.includes(status);
}
