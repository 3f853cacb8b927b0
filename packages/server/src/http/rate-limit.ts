/** Requests allowed per key in a fixed window. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/**
 * A fixed-window counter per key (client address), kept in memory and pruned as windows pass.
 * @example if (!limiter.allow(request.ip)) throw apiError('rate_limited', ...)
 */
export class RateLimiter {
  #windowStart = 0;
  #counts = new Map<string, number>();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a request; false when the key is over its limit in this window. */
  allow(key: string): boolean {
    const now = this.now();
    if (now - this.#windowStart >= this.limit.windowMs) {
      this.#windowStart = now;
      this.#counts = new Map();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count <= this.limit.max;
  }

  /** Seconds until the current window ends, for `Retry-After`. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#windowStart + this.limit.windowMs - this.now()) / 1000));
  }
}
