import { z } from 'zod';
import { compileNotify } from '../notify/compile-notify.js';
import type { NotificationOptions } from '../notify/notify-types.js';
import { parseDuration } from '../util/duration.js';

const ms = z.unknown().transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * `notifications:` in weft.config.yaml: global sinks (`{ url, on, delay_after, secret }`) every
 * workflow notifies, the HMAC `secret` (default the secret NOTIFY_SECRET), `attempts`, `backoff`.
 */
export const notificationsSetting = z
  .strictObject({
    secret: z.string().min(1).optional(),
    attempts: z.number().int().min(1).max(20).optional(),
    backoff: ms.optional(),
    timeout: ms.optional(),
    sinks: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .transform((value, ctx): NotificationOptions => {
    const out: NotificationOptions = {};
    if (value.secret !== undefined) out.secret = value.secret;
    if (value.attempts !== undefined) out.attempts = value.attempts;
    if (value.backoff !== undefined) out.backoffMs = value.backoff;
    if (value.timeout !== undefined) out.timeoutMs = value.timeout;
    try {
      if (value.sinks) out.sinks = compileNotify(value.sinks, 'sinks');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
    return out;
  });
