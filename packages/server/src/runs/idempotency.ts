import { createHash } from 'node:crypto';

/** Namespace of run ids derived from Idempotency-Key headers (fixed: ids must be stable across versions). */
const NAMESPACE = Buffer.from('6f0f3c8e5b2a4d1c9e7a2b4c6d8e0f12', 'hex');

/**
 * A UUID (version 5, RFC 9562) derived from an idempotency key: the same key always names the
 * same run, in every server process sharing the store.
 * @example runIdForKey('order-42') === runIdForKey('order-42') // true
 */
export function runIdForKey(key: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(key, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Runs one start per key at a time in this process, so two equal requests cannot both insert the run. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, body: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(body);
    this.#tails.set(key, next);
    try {
      return await next;
    } finally {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    }
  }
}
