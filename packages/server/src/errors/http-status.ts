/**
 * The one table from error code to HTTP status. Codes not listed here are server faults (500):
 * their message is not shown to the client (see `toApiError`).
 */
export const HTTP_STATUS_BY_CODE = {
  invalid_request: 400,
  invalid_document: 400,
  invalid_input: 400,
  validation_failed: 400,
  not_supported: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  not_ready: 503,
} as const satisfies Record<string, number>;

/** A code the API answers with; anything else thrown is reported as `internal_error`. */
export type ApiErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && Object.hasOwn(HTTP_STATUS_BY_CODE, code);
}

/** HTTP status of a code; 500 for codes outside the table. */
export function httpStatusOf(code: string): number {
  return isApiErrorCode(code) ? HTTP_STATUS_BY_CODE[code] : 500;
}

/** The code for a status raised by the HTTP layer itself (Fastify's own 4xx errors). */
export function codeForStatus(status: number): ApiErrorCode {
  for (const [code, value] of Object.entries(HTTP_STATUS_BY_CODE)) {
    if (value === status) return code as ApiErrorCode;
  }
  return status >= 400 && status < 500 ? 'invalid_request' : 'internal_error';
}
