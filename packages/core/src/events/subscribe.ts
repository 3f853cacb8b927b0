import type { EventBus } from './bus.js';
import type { AnyWeftEvent, EventType, WeftEvent } from './types.js';

/** Which run events a subscriber gets; every field left out matches everything. */
export interface EventFilter {
  type?: EventType | readonly EventType[];
  workflow?: string;
  runId?: string;
}

/**
 * Listens on the bus for the events matching `filter`. A single type registers a typed listener,
 * so `bus.emit` stays a map lookup for every other type; the filter runs only in the listener.
 */
export function subscribe(
  bus: EventBus,
  filter: EventFilter,
  listener: (event: AnyWeftEvent) => void,
): () => void {
  const { type, workflow, runId } = filter;
  const matches = (event: AnyWeftEvent): boolean =>
    (workflow === undefined || event.workflow === workflow) && (runId === undefined || event.runId === runId);
  const fn = (event: AnyWeftEvent): void => {
    if (matches(event)) listener(event);
  };
  if (type === undefined) return bus.on('*', fn);
  const types = typeof type === 'string' ? [type] : [...new Set(type)];
  const offs = types.map((t) => bus.on(t, fn as (event: WeftEvent) => void));
  return () => {
    for (const off of offs) off();
  };
}

/** The same filter over stored events (`getEvents`), for `weft events tail` and history readers. */
export function matchesFilter(
  filter: EventFilter,
  event: { type: string; runId: string },
  workflow: string,
): boolean {
  const { type } = filter;
  const typeOk =
    type === undefined ||
    (typeof type === 'string' ? type === event.type : type.includes(event.type as EventType));
  return (
    typeOk &&
    (filter.workflow === undefined || filter.workflow === workflow) &&
    (filter.runId === undefined || filter.runId === event.runId)
  );
}
