import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Headers that sign `body`: `Weft-Timestamp` (unix seconds) and `Weft-Signature: sha256=<hex>`,
 * the HMAC-SHA256 of `<timestamp>.<body>` with `secret`.
 * @example fetch(url, { method: 'POST', body, headers: signatureHeaders(secret, body, Date.now()) })
 */
export function signatureHeaders(secret: string, body: string, now: number): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return { 'Weft-Timestamp': timestamp, 'Weft-Signature': `sha256=${hmac(secret, timestamp, body)}` };
}

/** What a receiver does: true when `signature` is the one `secret` gives for this timestamp and body. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(`sha256=${hmac(secret, timestamp, body)}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function hmac(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
