/**
 * Exit codes of the `weft` command, in one table.
 *
 * 0   the command did what was asked (for `weft run`: the run completed)
 * 1   a run failed or was cancelled; also any unexpected error (a bug, a crash of a dependency)
 * 2   nothing ran because the request could not be carried out: an invalid document, input,
 *     config or command line, an unusable store, an unknown run id (`not_found`), a run that
 *     cannot be resumed (`conflict`), a feature not available (`not_supported`)
 * 130 interrupted with Ctrl-C (128 + SIGINT); the run can be continued with `weft runs resume`
 *
 * So a script can tell "the workflow failed" (1) from "you asked for something wrong" (2).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const EXIT_BY_CODE: Readonly<Record<string, number>> = {
  usage: EXIT.usage,
  invalid_document: EXIT.usage,
  invalid_input: EXIT.usage,
  invalid_config: EXIT.usage,
  store_error: EXIT.usage,
  not_found: EXIT.usage,
  conflict: EXIT.usage,
  not_supported: EXIT.usage,
  cancelled: EXIT.failed,
  lease_lost: EXIT.failed,
};

/** A mistake on the command line (bad `--input`, `--set`, option values). */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The code of a WeftError or UsageError, read structurally so this module never loads @weft/core. */
export function errorCode(error: unknown): string | undefined {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  // Node's own codes (ENOENT, ERR_...) are upper case; Weft's are snake_case.
  return typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code) ? code : undefined;
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  const code = errorCode(error);
  if (code !== undefined) return EXIT_BY_CODE[code] ?? EXIT.failed;
  const nodeCode = (error as NodeJS.ErrnoException | undefined)?.code;
  if (nodeCode === 'ENOENT' || nodeCode === 'EACCES' || nodeCode === 'EISDIR') return EXIT.usage;
  return EXIT.failed;
}

/** The lines printed for an error: `weft: <message>`, further lines of the message indented. */
export function describeError(error: unknown, debug = false): string[] {
  if (!(error instanceof Error)) return [`weft: ${String(error)}`];
  const [first = '', ...rest] = error.message.split('\n');
  const lines = [`weft: ${first}`, ...rest.map((line) => `  ${line}`)];
  if (debug) {
    lines.push(error.stack ?? '');
    for (let cause = error.cause; cause !== undefined; cause = (cause as Error).cause) {
      lines.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
      if (!(cause instanceof Error)) break;
    }
  }
  return lines;
}

/** Writes the error to stderr and returns its exit code. */
export function reportError(error: unknown, debug = false): number {
  process.stderr.write(`${describeError(error, debug).join('\n')}\n`);
  return exitCodeFor(error);
}
