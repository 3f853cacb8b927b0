import { EXIT, errorCode, reportError } from '../errors.js';

export interface NotStartedOptions {
  /** The workflow file, for messages about its input. */
  file?: string;
  /** `--json`: stdout still gets its one object, with `error` set. */
  json: boolean;
  debug: boolean;
}

/**
 * Reports why `weft run` / `weft runs resume` could not run: a refused document prints its
 * `file:line:column: path: message` lines, a refused input lists the schema errors, anything
 * else is one `weft:` line. Returns the exit code.
 */
export function reportNotStarted(error: unknown, options: NotStartedOptions): number {
  const code = describe(error, options);
  if (options.json) process.stdout.write(`${JSON.stringify(jsonFailure(error))}\n`);
  return code;
}

function describe(error: unknown, options: NotStartedOptions): number {
  const code = errorCode(error);
  const problems = (error as { details?: { problems?: unknown } }).details?.problems;
  if (code === 'invalid_document' && error instanceof Error) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  if (code === 'invalid_input' && Array.isArray(problems)) {
    const lines = problems.map(
      (p: { path?: unknown; message?: unknown }) => `  ${String(p.path)}: ${String(p.message)}`,
    );
    const of = options.file === undefined ? '' : ` of ${options.file}`;
    process.stderr.write(`weft: the input does not match the inputs schema${of}:\n${lines.join('\n')}\n`);
    return EXIT.usage;
  }
  return reportError(error, options.debug);
}

function jsonFailure(error: unknown): object {
  const message = error instanceof Error ? error.message : String(error);
  return {
    run_id: null,
    status: null,
    output: null,
    error: { code: errorCode(error) ?? 'error', message, step: null },
  };
}
