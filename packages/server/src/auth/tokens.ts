import { createHash, timingSafeEqual } from 'node:crypto';
import { WeftError } from '@weft/core';

/** What a token may do: `read` ⊂ `write` ⊂ `admin`. */
export type Scope = 'read' | 'write' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

export interface ApiToken {
  token: string;
  scope: Scope;
}

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };
/** 16 characters: a token shorter than that is too easy to guess for a server on a network. */
export const MIN_TOKEN_LENGTH = 16;

export function scopeAllows(granted: Scope, required: Scope): boolean {
  return RANK[granted] >= RANK[required];
}

/**
 * Parses `WEFT_API_TOKENS`: comma-separated `token:scope` entries. Messages name the entry by
 * position, never by its text, so a token does not end up in a log.
 * @example parseApiTokens('s3cr3t-token-for-ci-01:write') // [{ token: 's3cr3t-token-for-ci-01', scope: 'write' }]
 */
export function parseApiTokens(text: string | undefined, source = 'WEFT_API_TOKENS'): ApiToken[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((raw, index) => {
    const entry = raw.trim();
    const at = entry.lastIndexOf(':');
    const scope = at < 0 ? '' : entry.slice(at + 1);
    const where = `${source}: entry ${index + 1}`;
    if (at < 0 || !SCOPES.includes(scope as Scope)) {
      throw new WeftError(
        'invalid_config',
        `${where}: expected token:scope with scope read, write or admin, got ${at < 0 ? 'no scope' : `scope '${scope}'`}`,
      );
    }
    return checkToken({ token: entry.slice(0, at), scope: scope as Scope }, where);
  });
}

/** Refuses tokens too short to be secrets. */
export function checkToken(token: ApiToken, where: string): ApiToken {
  if (token.token.length < MIN_TOKEN_LENGTH) {
    throw new WeftError(
      'invalid_config',
      `${where}: expected a token of at least ${MIN_TOKEN_LENGTH} characters, got ${token.token.length}`,
    );
  }
  return token;
}

/** Looks tokens up by a hash, compared in constant time. */
export class TokenTable {
  readonly #entries: { digest: Buffer; scope: Scope }[];

  constructor(tokens: readonly ApiToken[]) {
    this.#entries = tokens.map((t, i) => ({
      digest: digest(checkToken(t, `token ${i + 1}`).token),
      scope: t.scope,
    }));
  }

  get enabled(): boolean {
    return this.#entries.length > 0;
  }

  /** The scope of a presented token, or undefined when it is not one of ours. */
  scopeOf(presented: string): Scope | undefined {
    const d = digest(presented);
    let found: Scope | undefined;
    for (const entry of this.#entries) {
      // Every entry is compared so the time taken does not tell which one matched.
      if (timingSafeEqual(entry.digest, d) && (found === undefined || RANK[entry.scope] > RANK[found])) {
        found = entry.scope;
      }
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
