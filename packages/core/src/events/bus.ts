import type {
  AnyEngineEvent,
  AnyWeftEvent,
  EngineEvent,
  EngineEventType,
  EventType,
  WeftEvent,
} from './types.js';

type Listener = (event: AnyWeftEvent) => void;

/**
 * In-process delivery of typed events. Synchronous and cheap enough to leave on; a listener
 * that throws is reported through `onListenerError` and never reaches the engine.
 */
export class EventBus {
  readonly #byType = new Map<string, Listener[]>();
  #all: Listener[] = [];

  constructor(
    private readonly onListenerError: (
      error: unknown,
      event: AnyWeftEvent | AnyEngineEvent,
    ) => void = () => {},
  ) {}

  on<T extends EngineEventType>(type: T, listener: (event: EngineEvent<T>) => void): () => void;
  on<T extends EventType>(type: T | '*', listener: (event: WeftEvent<T>) => void): () => void;
  on(type: EventType | EngineEventType | '*', listener: (event: never) => void): () => void {
    const fn = listener as Listener;
    if (type === '*') this.#all = [...this.#all, fn];
    else this.#byType.set(type, [...(this.#byType.get(type) ?? []), fn]);
    return () => {
      if (type === '*') this.#all = this.#all.filter((l) => l !== fn);
      else
        this.#byType.set(
          type,
          (this.#byType.get(type) ?? []).filter((l) => l !== fn),
        );
    };
  }

  /** True when someone listens to `type`: lets callers skip building payloads nobody reads. */
  has(type: EventType): boolean {
    return this.#all.length > 0 || (this.#byType.get(type)?.length ?? 0) > 0;
  }

  emit(event: AnyWeftEvent): void {
    const typed = this.#byType.get(event.type);
    if (typed) for (const listener of typed) this.#call(listener, event);
    for (const listener of this.#all) this.#call(listener, event);
  }

  /** An engine-level event (no run): only its typed listeners get it, never `'*'` (those expect runs). */
  emitEngine(event: AnyEngineEvent): void {
    for (const listener of this.#byType.get(event.type) ?? []) {
      try {
        (listener as unknown as (event: AnyEngineEvent) => void)(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  #call(listener: Listener, event: AnyWeftEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.onListenerError(error, event);
    }
  }
}
