/**
 * Parses `250ms`, `30s`, `1h30m`, `PT30S` into milliseconds. Throws a message that says what was
 * expected; a bare number is refused with the unit it probably meant.
 * @example parseDuration('1h30m') // 5_400_000
 */
export declare function parseDuration(value: unknown): number;
/** Formats milliseconds for people: `850ms`, `1.2s`, `3m04s`. */
export declare function formatDuration(ms: number): string;
