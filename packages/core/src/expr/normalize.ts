/** Turns a CEL result into plain JSON: BigInt -> number, Map -> object, timestamps -> ISO strings. */
export function toJson(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          const converted = toJson(item);
          if (converted !== item) {
            copy ??= value.slice();
            copy[i] = converted;
          }
        }
        return copy ?? value;
      }
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) out[String(k)] = toJson(v);
        return out;
      }
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
        // Durations and other CEL objects print as text.
        return String(value);
      }
      let copy: Record<string, unknown> | undefined;
      for (const key in value as Record<string, unknown>) {
        const item = (value as Record<string, unknown>)[key];
        const converted = toJson(item);
        if (converted !== item) {
          copy ??= { ...(value as Record<string, unknown>) };
          copy[key] = converted;
        }
      }
      return copy ?? value;
    }
    case 'undefined':
      return null;
    default:
      return value;
  }
}

/** Text form of a value inside an interpolated string: strings as they are, the rest as JSON. */
export function toText(value: unknown): string {
  const json = toJson(value);
  return typeof json === 'string' ? json : JSON.stringify(json);
}
