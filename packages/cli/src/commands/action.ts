import { type Command, InvalidArgumentError } from 'commander';

/** Wraps a command's action: its result is the process exit code. */
export function exitWith<A extends unknown[]>(
  handler: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    process.exitCode = await handler(...args);
  };
}

/** Commander passes the Command last; actions use it to read global options. */
export function commandOf(args: readonly unknown[]): Command {
  return args[args.length - 1] as Command;
}

/** Accumulates a repeatable option (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses `--limit 20`-style values; commander reports the thrown message as a usage error. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`expected a positive integer for ${name}, got '${value}'`);
    return n;
  };
}
