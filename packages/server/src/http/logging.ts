import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

/** A logger to use as is, or the level of the one the server makes (`silent` for none). */
export type LoggerOption = FastifyBaseLogger | { level: string } | false;

/** Request log lines without secrets: `?access_token=` and webhook tokens are masked, headers are not logged. */
export function loggerOptions(
  option: LoggerOption | undefined,
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (!option) return { logger: false };
  if (!('info' in option)) {
    return {
      logger: {
        level: option.level,
        serializers: {
          req: (req: { method?: string; url?: string; ip?: string; host?: string }) => ({
            method: req.method,
            url: redactUrl(req.url ?? ''),
            host: req.host,
            remoteAddress: req.ip,
          }),
        },
      },
    };
  }
  return { loggerInstance: option };
}

export function redactUrl(url: string): string {
  return url
    .replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]')
    .replace(/^\/hooks\/[^/?#]+/, '/hooks/[redacted]');
}
