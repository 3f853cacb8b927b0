import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { type Scope, scopeAllows, type TokenTable } from './tokens.js';

/** `public` routes need no token; the others need a token with at least this scope. */
export type RouteScope = Scope | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope a token needs for this route; routes that do not say need `admin`. */
    scope?: RouteScope;
    /** Accept `?access_token=` too (browsers cannot set headers on EventSource and WebSocket). */
    tokenInQuery?: boolean;
  }
}

/** Checks bearer tokens on every request when tokens are configured. */
export function installAuth(app: FastifyInstance, tokens: TokenTable): void {
  if (!tokens.enabled) return;
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const required = config?.scope ?? 'admin';
    if (required === 'public') return;
    const presented = bearerOf(request) ?? (config?.tokenInQuery ? queryToken(request) : undefined);
    if (presented === undefined) {
      throw apiError(
        'unauthorized',
        'this server requires a token: send the header Authorization: Bearer <token>',
      );
    }
    const scope = tokens.scopeOf(presented);
    if (scope === undefined)
      throw apiError('unauthorized', 'the bearer token is not one this server accepts');
    if (!scopeAllows(scope, required)) {
      throw apiError(
        'forbidden',
        `${request.method} ${request.routeOptions.url ?? 'this route'} needs a token with scope ${required}; this token has scope ${scope}`,
        {
          required,
          scope,
        },
      );
    }
  });
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function queryToken(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.access_token;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
