/**
 * Which breaker a skill call goes through: `http` calls by the host of their URL (with its port
 * when the URL names one). Agent adapters pass the agent's name to `CircuitBreakers.guard` themselves.
 */
const TARGETS: Record<string, (input: unknown) => string | undefined> = {
  http: (input) => {
    const url = (input as { url?: unknown } | null)?.url;
    if (typeof url !== 'string') return undefined;
    try {
      return new URL(url).host || undefined;
    } catch {
      return undefined; // the skill reports the bad URL itself
    }
  },
};

export function breakerTargetOf(skill: string, input: unknown): string | undefined {
  return TARGETS[skill]?.(input);
}
