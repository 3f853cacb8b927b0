import { WeftError } from '@weft/core';

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * Without a token, the API (which can start runs) must not be reachable from other machines.
 * @example assertSafeListen('0.0.0.0', false) // throws invalid_config with what to do
 */
export function assertSafeListen(host: string, authEnabled: boolean): void {
  if (authEnabled || isLoopbackHost(host)) return;
  throw new WeftError(
    'invalid_config',
    `refusing to listen on ${host} without an API token: anyone who can reach that address could start runs. ` +
      'Set WEFT_API_TOKENS=<token>:admin (comma-separated token:scope, scopes read, write, admin), ' +
      'or listen on 127.0.0.1',
    { details: { host } },
  );
}
