/** Error codes of SPEC.md section 4, plus the load and usage errors of the CLI contract. */
export type WeftErrorCode =
  | 'timeout'
  | 'http_status'
  | 'exit_code'
  | 'skill_error'
  | 'agent_error'
  | 'circuit_open'
  | 'event_timeout'
  | 'validation_failed'
  | 'expression_error'
  | 'join_failed'
  | 'max_iterations_exceeded'
  | 'max_depth_exceeded'
  | 'max_chain_length_exceeded'
  | 'max_transitions_exceeded'
  | 'no_transition'
  | 'cancelled'
  | 'invalid_document'
  | 'invalid_input'
  | 'invalid_config'
  | 'not_supported'
  | 'not_found'
  | 'conflict'
  | 'lease_lost'
  | 'store_error'
  | (string & {});

/** Codes that are never retried, whatever the retry policy says. */
export const NON_RETRIABLE_CODES: ReadonlySet<string> = new Set([
  'validation_failed',
  'expression_error',
  'cancelled',
]);

/** The serialisable shape of an error, as stored on steps and runs and bound to `${ error }`. */
export interface ErrorInfo {
  code: string;
  message: string;
  step?: string;
  attempt?: number;
  [extra: string]: unknown;
}

export interface WeftErrorOptions {
  cause?: unknown;
  /** Extra fields carried into the stored error (`status`, `exit_code`, `problems`...). */
  details?: Record<string, unknown>;
}

/**
 * The one error class of Weft: a string `code`, a message that names the thing, the original `cause`.
 * @example throw new WeftError('http_status', `GET ${url} answered 503, expected 2xx`, { details: { status: 503 } })
 */
export class WeftError extends Error {
  readonly code: WeftErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: WeftErrorCode, message: string, options: WeftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.details = options.details ?? {};
  }

  toInfo(): ErrorInfo {
    return { ...this.details, code: this.code, message: this.message };
  }

  /** Normalises anything thrown into a WeftError; unknown throws become `fallbackCode`. */
  static from(error: unknown, fallbackCode: WeftErrorCode = 'skill_error'): WeftError {
    if (error instanceof WeftError) return error;
    if (error instanceof Error) {
      if (error.name === 'AbortError') return new WeftError('cancelled', error.message, { cause: error });
      return new WeftError(fallbackCode, error.message, { cause: error });
    }
    return new WeftError(fallbackCode, typeof error === 'string' ? error : JSON.stringify(error));
  }
}
