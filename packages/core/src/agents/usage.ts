import type { Pricing } from './config.js';
import type { AgentUsage } from './types.js';

/** A run's token usage, and its cost when some agent's prices are configured. */
export interface RunUsage extends AgentUsage {
  /** Sum of the steps' `meta.cost`; absent when no step recorded one. */
  cost?: number;
  /** The `pricing.currency` of the steps with a cost, when they all say the same. */
  currency?: string;
}

/** Cents of cents are enough; this keeps float noise (0.30000000000000004) out of records. */
const round = (value: number) => Math.round(value * 1e10) / 1e10;

/**
 * What tokens cost at per-million prices.
 * @example costOf({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }, { input_per_million: 0.15, output_per_million: 0.6 }) // 0.00045
 */
export function costOf(usage: AgentUsage, pricing: Pricing): number {
  return round(
    (usage.prompt_tokens * pricing.input_per_million + usage.completion_tokens * pricing.output_per_million) /
      1e6,
  );
}

/**
 * Sums the `usage` (and `cost`) in step records' meta: a run's usage (`weft runs show`).
 * @example runUsage((await engine.getRun(id)).steps) // { prompt_tokens, completion_tokens, total_tokens, cost? }
 */
export function runUsage(steps: readonly { meta?: Record<string, unknown> | null }[]): RunUsage | undefined {
  let total: RunUsage | undefined;
  const currencies = new Set<string>();
  for (const step of steps) {
    const usage = step.meta?.usage as Partial<AgentUsage> | undefined;
    if (!usage || typeof usage !== 'object') continue;
    total ??= { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    total.prompt_tokens += Number(usage.prompt_tokens) || 0;
    total.completion_tokens += Number(usage.completion_tokens) || 0;
    total.total_tokens += Number(usage.total_tokens) || 0;
    const cost = step.meta?.cost;
    if (typeof cost === 'number') {
      total.cost = round((total.cost ?? 0) + cost);
      const currency = step.meta?.currency;
      currencies.add(typeof currency === 'string' ? currency : '');
    }
  }
  const [only] = currencies;
  if (total && currencies.size === 1 && only) total.currency = only;
  return total;
}
