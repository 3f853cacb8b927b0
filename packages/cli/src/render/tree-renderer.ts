import type { AnyWeftEvent } from '@weft/core';
import type { Colors } from './colors.js';
import type { RunRenderer } from './renderer.js';
import type { RunView } from './run-view.js';
import { isLog, logLine, stepLine } from './step-line.js';

const FRAME_MS = 100;
const MAX_KEY_WIDTH = 40;
/** Steps shown in the final, static tree before it is cut. */
const FINAL_MAX_LINES = 200;

export interface TerminalStream {
  write(text: string): boolean;
  columns?: number;
  rows?: number;
}

/**
 * The live tree of steps on a terminal, redrawn in place with ANSI (at most ~10 times a second);
 * log lines and notes scroll above it.
 */
export class TreeRenderer implements RunRenderer {
  private drawnLines = 0;
  private frame = 0;
  private dirty = true;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly view: RunView,
    private readonly out: TerminalStream,
    private readonly colors: Colors,
    private readonly now: () => number = Date.now,
  ) {
    this.out.write('\x1b[?25l');
    this.timer = setInterval(() => this.tick(), FRAME_MS);
    this.timer.unref();
    // A second Ctrl-C exits at once: the cursor must come back even then.
    process.once('exit', this.showCursor);
  }

  private readonly showCursor = (): void => {
    this.out.write('\x1b[?25h');
  };

  event(event: AnyWeftEvent): void {
    if (isLog(event)) this.print(logLine(event, this.colors));
    this.dirty = true;
  }

  print(line: string): void {
    this.erase();
    this.out.write(`${line}\n`);
    this.dirty = true;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.erase();
    this.draw(FINAL_MAX_LINES, undefined);
    this.drawnLines = 0;
    process.off('exit', this.showCursor);
    this.showCursor();
  }

  private tick(): void {
    const animating = this.view.count('running') > 0;
    if (!this.dirty && !animating) return;
    this.frame++;
    this.erase();
    this.draw(Math.max(3, (this.out.rows || 24) - 2), this.frame);
    this.dirty = false;
  }

  private draw(maxLines: number, frame: number | undefined): void {
    const steps = this.view.ordered();
    const shown = steps.length > maxLines ? steps.slice(steps.length - (maxLines - 1)) : steps;
    const keyWidth = Math.min(MAX_KEY_WIDTH, Math.max(0, ...shown.map((s) => s.key.length + 2 * s.depth)));
    // A pseudo-terminal may report 0 columns: then lines are not cut.
    const options = { colors: this.colors, now: this.now(), keyWidth, width: this.out.columns || undefined };
    const lines = shown.map((step) =>
      stepLine(step, { ...options, ...(frame === undefined ? {} : { frame }) }),
    );
    if (shown.length < steps.length)
      lines.unshift(this.colors.dim(`… ${steps.length - shown.length} more steps above`));
    if (lines.length > 0) this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  private erase(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\r\x1b[0J`);
    this.drawnLines = 0;
  }
}
