import type { Engine } from '@weft/core';
import type { RateLimit } from './http/rate-limit.js';
import type { WeftMetrics } from './metrics/weft-metrics.js';
import type { RunStarter } from './runs/start-run.js';
import type { EventHub } from './stream/event-hub.js';
import type { SinkLimits } from './stream/sse-sink.js';

/** What the route groups share. */
export interface ServerContext {
  engine: Engine;
  starter: RunStarter;
  /** Where request paths are looked up (schedules), and whether their runs may use `shell`. */
  workflows: { dir: string; allowShell: boolean };
  hub: EventHub;
  metrics: WeftMetrics;
  skillNames: ReadonlySet<string>;
  stream: SinkLimits & { maxQueue: number };
  /** Calls per client address to `/hooks/<token>`. */
  hookRateLimit: RateLimit;
  /** Streams open now, ended when the server closes. */
  openStreams: Set<{ close(): void }>;
}
