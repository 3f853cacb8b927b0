import type { AgentUsage } from './types.js';

/**
 * Sums the `usage` in step records' meta: a run's token usage (`weft runs show`).
 * @example runUsage((await engine.getRun(id)).steps) // { prompt_tokens, completion_tokens, total_tokens }
 */
export function runUsage(
  steps: readonly { meta?: Record<string, unknown> | null }[],
): AgentUsage | undefined {
  let total: AgentUsage | undefined;
  for (const step of steps) {
    const usage = step.meta?.usage as Partial<AgentUsage> | undefined;
    if (!usage || typeof usage !== 'object') continue;
    total ??= { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    total.prompt_tokens += Number(usage.prompt_tokens) || 0;
    total.completion_tokens += Number(usage.completion_tokens) || 0;
    total.total_tokens += Number(usage.total_tokens) || 0;
  }
  return total;
}
