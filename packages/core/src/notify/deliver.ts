import type { NotificationStore } from '../store/notification-types.js';
import type { NotificationPayload } from './notify-types.js';
import { signatureHeaders } from './sign.js';

export interface DeliveryOptions {
  store: NotificationStore;
  url: string;
  /** What the attempts record as the URL (secrets redacted); default `url`. */
  shownUrl?: string;
  payload: NotificationPayload;
  secret: string | undefined;
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  /** Fires on engine close: the attempt in flight finishes, no more are made. */
  signal: AbortSignal;
}

/**
 * POSTs the payload, retrying with doubling backoff until a 2xx or the attempts run out; every
 * attempt is recorded. Never throws: a failed delivery is only a record.
 */
export async function deliver(o: DeliveryOptions): Promise<boolean> {
  const body = JSON.stringify(o.payload);
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'weft' };
    if (o.secret) Object.assign(headers, signatureHeaders(o.secret, body, Date.now()));
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(o.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      httpStatus = response.status;
      await response.body?.cancel();
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (thrown) {
      const cause = (thrown as { cause?: { message?: string } }).cause?.message;
      error = cause ?? (thrown as Error).message ?? String(thrown);
    }
    const delivered = error === null;
    await o.store
      .addDelivery({
        runId: o.payload.run_id,
        workflow: o.payload.workflow,
        event: o.payload.event,
        url: o.shownUrl ?? o.url,
        attempt,
        status: delivered ? 'delivered' : 'failed',
        httpStatus,
        error,
        createdAt: Date.now(),
      })
      .catch(() => {});
    if (delivered) return true;
    if (attempt === o.attempts || o.signal.aborted) return false;
    await pause(o.backoffMs * 2 ** (attempt - 1), o.signal);
  }
  return false;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
