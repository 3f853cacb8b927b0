import type { EventInput } from '../../engine/waits/cloud-event.js';
import type { SendEventOptions, SendEventResult } from '../../engine/waits/send-event.js';
import { WeftError } from '../../errors.js';
import { amqpSource } from './amqp-source.js';
import { type EventSource, type SourceConnection, toEventInput } from './event-source.js';
import { mqttSource } from './mqtt-source.js';
import { natsSource } from './nats-source.js';
import { redisSource } from './redis-source.js';
import type { EventSourceSettings } from './source-settings.js';

/** What a source needs from the engine: `engine.sendEvent`. */
export interface EventSink {
  sendEvent(event: EventInput, options?: SendEventOptions): Promise<SendEventResult>;
}

export type SourceState = 'connecting' | 'connected' | 'retrying' | 'stopped';

export interface SourceStatus {
  name: string;
  state: SourceState;
  /** Failed connection attempts since the last success. */
  failures: number;
  lastError: string | null;
  /** Messages delivered and skipped (malformed) so far. */
  delivered: number;
  skipped: number;
}

export interface EventSourcesOptions {
  /** Warnings (broker down, malformed message); default: `console.warn`. */
  warn?: (message: string) => void;
  /** Called on every state change of a source. */
  onStatus?: (status: SourceStatus) => void;
  /** Backoff between connection attempts: doubles from `minMs` up to `maxMs`. Default 500ms..30s. */
  backoff?: { minMs: number; maxMs: number };
}

export interface EventSources {
  status(): SourceStatus[];
  stop(): Promise<void>;
}

const FACTORIES: {
  [K in EventSourceSettings['type']]: (s: Extract<EventSourceSettings, { type: K }>) => EventSource;
} = {
  nats: natsSource,
  mqtt: mqttSource,
  redis: redisSource,
  amqp: amqpSource,
};

/**
 * Starts the `event_sources` of weft.config.yaml: each message becomes an event sent with
 * `engine.sendEvent`. A broker that is down is retried with backoff and reported, never fatal.
 * @example const sources = startEventSources(engine, config.eventSources ?? []); await sources.stop();
 */
export function startEventSources(
  engine: EventSink,
  settings: readonly EventSourceSettings[],
  options: EventSourcesOptions = {},
): EventSources {
  const runners = settings.map((setting) => {
    const factory = FACTORIES[setting.type] as (s: EventSourceSettings) => EventSource;
    return new SourceRunner(factory(setting), setting, engine, options);
  });
  for (const runner of runners) void runner.run();
  return {
    status: () => runners.map((runner) => ({ ...runner.status })),
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}

class SourceRunner {
  readonly status: SourceStatus;
  #connection: SourceConnection | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #done: Promise<void> | undefined;

  constructor(
    private readonly source: EventSource,
    private readonly settings: EventSourceSettings,
    private readonly engine: EventSink,
    private readonly options: EventSourcesOptions,
  ) {
    this.status = {
      name: source.name,
      state: 'connecting',
      failures: 0,
      lastError: null,
      delivered: 0,
      skipped: 0,
    };
  }

  run(): Promise<void> {
    this.#done = this.#loop();
    return this.#done;
  }

  async #loop(): Promise<void> {
    const { minMs, maxMs } = this.options.backoff ?? { minMs: 500, maxMs: 30_000 };
    while (!this.#stopping) {
      try {
        this.#connection = await this.source.connect((message) => this.#deliver(message));
        if (this.#stopping) break;
        this.status.failures = 0;
        this.#set('connected', null);
        await this.#connection.closed;
        if (this.#stopping) break;
        throw new Error('connection closed by the broker');
      } catch (error) {
        if (this.#stopping) break;
        this.status.failures += 1;
        const delay = Math.min(maxMs, minMs * 2 ** (this.status.failures - 1));
        const why = error instanceof Error ? error.message || error.name : String(error);
        this.#set('retrying', why);
        this.#warn(`event source ${this.source.name} is unavailable (${why}); retrying in ${delay}ms`);
        await this.#connection?.close().catch(() => {});
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
    this.#set('stopped', this.status.lastError);
  }

  async #deliver(message: Parameters<typeof toEventInput>[0]): Promise<void> {
    try {
      await this.engine.sendEvent(toEventInput(message, this.settings.type_from, this.settings.type));
      this.status.delivered += 1;
    } catch (error) {
      // A bad message is skipped (and acked) so that it cannot block the ones behind it.
      this.status.skipped += 1;
      const why = error instanceof WeftError || error instanceof Error ? error.message : String(error);
      this.#warn(`event source ${this.source.name} skipped a message on '${message.subject}': ${why}`);
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#connection?.close().catch(() => {});
    await this.#done;
  }

  #set(state: SourceState, lastError: string | null): void {
    this.status.state = state;
    this.status.lastError = lastError;
    this.options.onStatus?.({ ...this.status });
  }

  #warn(message: string): void {
    (this.options.warn ?? console.warn)(message);
  }
}
