import { randomBytes } from 'node:crypto';

/** A wait's token: 128 random bits, base64url (22 characters), safe in a webhook URL path. */
export function newWaitToken(): string {
  return randomBytes(16).toString('base64url');
}
