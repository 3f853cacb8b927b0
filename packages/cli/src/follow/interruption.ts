/** Exit codes for the signals a running `weft run` stops on (128 + signal number). */
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

export interface Interruption {
  /** Resolves with the exit code when Ctrl-C (or SIGTERM) arrives. */
  readonly signalled: Promise<number>;
  dispose(): void;
}

/**
 * Catches the first Ctrl-C so the caller can stop cleanly (release the lease, say how to resume);
 * a second one exits at once.
 */
export function catchInterruption(): Interruption {
  let resolve!: (code: number) => void;
  const signalled = new Promise<number>((r) => {
    resolve = r;
  });
  const handlers = new Map<NodeJS.Signals, () => void>();
  const forceExit = (code: number) => () => process.exit(code);
  for (const [signal, code] of Object.entries(SIGNALS) as [NodeJS.Signals, number][]) {
    const first = (): void => {
      process.off(signal, first);
      const again = forceExit(code);
      handlers.set(signal, again);
      process.on(signal, again);
      resolve(code);
    };
    handlers.set(signal, first);
    process.on(signal, first);
  }
  return {
    signalled,
    dispose: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
