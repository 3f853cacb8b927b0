import type { AnyWeftEvent } from '@weft/core';

/** Shows a run as its events arrive; `weft run` and `weft runs resume` pick one for stderr. */
export interface RunRenderer {
  event(event: AnyWeftEvent): void;
  /** A line above the progress (a note, the run header). */
  print(line: string): void;
  /** Stops updating; the display is left as it last was. */
  stop(): void;
}
