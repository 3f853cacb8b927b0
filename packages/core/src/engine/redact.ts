export const REDACTED = '***';

/**
 * Replaces every occurrence of a secret value inside strings, at any depth. Values shorter than
 * 3 characters are redacted only when a whole string equals them (to keep `a` from eating text).
 */
export function createRedactor(values: readonly string[]): (value: unknown) => unknown {
  const secrets = [...new Set(values.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (value) => value;
  const redactString = (text: string): string => {
    let out = text;
    for (const secret of secrets) {
      if (secret.length < 3) {
        if (out === secret) return REDACTED;
      } else if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    }
    return out;
  };
  const redact = (value: unknown): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(redact);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = redact(v);
      return out;
    }
    return value;
  };
  return redact;
}
