/** Who paused a run, why, and when (ms since the epoch; the maximum pause counts from it). */
export interface PauseInfo {
  by: string | null;
  reason: string | null;
  at: number;
}

export interface PauseGateOptions {
  /** Longest a pause may last; `onTooLong` is called once when it is over. Default: no limit. */
  maxPauseMs?: number;
  onTooLong?(pause: PauseInfo): void;
}

/**
 * Whether a run may start steps: closed while the run is paused. Steps about to start, due timers
 * and the run's end wait at the gate until it opens or their signal fires.
 * @example if (gate.close({ by: 'ada', reason: null, at: Date.now() })) await gate.wait(signal);
 */
export class PauseGate {
  readonly #options: PauseGateOptions;
  readonly #waiting = new Set<() => void>();
  #paused: PauseInfo | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A paused run is work in progress: it keeps the process alive, like a step that sleeps. */
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(options: PauseGateOptions = {}) {
    this.#options = options;
  }

  get paused(): PauseInfo | undefined {
    return this.#paused;
  }

  /** Closes the gate; false when it was closed already. */
  close(pause: PauseInfo): boolean {
    if (this.#paused) return false;
    this.#paused = pause;
    this.#keepAlive = setInterval(() => {}, 2 ** 30);
    const { maxPauseMs, onTooLong } = this.#options;
    if (maxPauseMs !== undefined && onTooLong) {
      const delay = Math.min(Math.max(0, pause.at + maxPauseMs - Date.now()), 2 ** 31 - 1);
      this.#timer = setTimeout(() => onTooLong(pause), delay);
      this.#timer.unref();
    }
    return true;
  }

  /** Opens the gate and lets everything waiting go on; false when it was open. */
  open(): boolean {
    if (!this.#paused) return false;
    this.#paused = undefined;
    this.dispose();
    for (const go of [...this.#waiting]) go();
    return true;
  }

  /** Resolves at once when open, else when it opens or `signal` fires; never rejects. */
  wait(signal: AbortSignal): Promise<void> {
    if (!this.#paused || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const go = () => {
        this.#waiting.delete(go);
        signal.removeEventListener('abort', go);
        resolve();
      };
      this.#waiting.add(go);
      signal.addEventListener('abort', go, { once: true });
    });
  }

  /** Stops its timers (the run ended or left this process). */
  dispose(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#keepAlive);
    this.#timer = undefined;
    this.#keepAlive = undefined;
  }
}
