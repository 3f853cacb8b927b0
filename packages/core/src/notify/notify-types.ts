import type { Evaluable } from '../expr/index.js';

/** When a notification is sent. */
export type NotifyEvent = 'completed' | 'failed' | 'cancelled' | 'delayed';

export const NOTIFY_EVENTS: readonly NotifyEvent[] = ['completed', 'failed', 'cancelled', 'delayed'];

/** One webhook: a workflow's `notify` entry, or a global sink of weft.config.yaml. */
export interface NotifyTarget {
  url: string;
  on: NotifyEvent[];
  /** `delayed` fires once when the run is still going this long after it started. */
  delayAfterMs?: number;
  /** HMAC key for this target; default `NotificationOptions.secret`. */
  secret?: string;
  /** A document's `url` with `${ }` expressions: resolved with the run's scope when it notifies. */
  urlValue?: Evaluable;
  /** The resolved `url` with secrets redacted: what deliveries record. */
  shownUrl?: string;
}

/** `EngineOptions.notifications`: global sinks and delivery settings. */
export interface NotificationOptions {
  /** Webhooks every workflow's runs notify (`notifications.sinks`). */
  sinks?: NotifyTarget[];
  /** HMAC-SHA256 key; default the secret `NOTIFY_SECRET`. Without one, payloads go unsigned. */
  secret?: string;
  /** Attempts per delivery; default 3. */
  attempts?: number;
  /** First retry delay, doubled each attempt; default 500 ms. */
  backoffMs?: number;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** How often due `delayed` deadlines are looked for; default 1 s. */
  pollMs?: number;
}

/** The JSON body POSTed to a target. */
export interface NotificationPayload {
  event: NotifyEvent;
  run_id: string;
  workflow: string;
  status: string;
  output?: unknown;
  error?: unknown;
  /** ISO 8601. */
  time: string;
}
