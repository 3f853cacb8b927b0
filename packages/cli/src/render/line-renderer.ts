import type { AnyWeftEvent } from '@weft/core';
import type { Colors } from './colors.js';
import { clock, errorLine, formatDuration } from './format.js';
import type { RunRenderer } from './renderer.js';
import { isLog, logLine } from './step-line.js';
import { statusSymbol } from './symbols.js';

/** Plain lines as events arrive, for logs and pipes: `12:00:01 ✓ fetch 12ms`. */
export class LineRenderer implements RunRenderer {
  constructor(
    private readonly out: { write(text: string): boolean },
    private readonly colors: Colors,
  ) {}

  event(event: AnyWeftEvent): void {
    const line = this.describe(event);
    if (line !== undefined) this.out.write(`${line}\n`);
  }

  print(line: string): void {
    this.out.write(`${line}\n`);
  }

  stop(): void {}

  private describe(event: AnyWeftEvent): string | undefined {
    const c = this.colors;
    if (isLog(event)) return logLine(event, c);
    const at = `${c.dim(clock(event.time))} `;
    const key = event.stepKey ?? '';
    const attempt =
      'attempt' in event.data && event.data.attempt > 1 ? ` (attempt ${event.data.attempt})` : '';
    switch (event.type) {
      case 'step.completed':
        return `${at}${statusSymbol('completed', c)} ${key} ${c.dim(formatDuration(event.data.durationMs))}${attempt}`;
      case 'step.failed':
        return `${at}${statusSymbol('failed', c)} ${key} failed${attempt}: ${c.red(errorLine(event.data.error))}`;
      case 'step.retrying':
        return `${at}${statusSymbol('retrying', c)} ${key} retrying in ${formatDuration(event.data.delayMs)}`;
      case 'step.skipped':
        return `${at}${statusSymbol('skipped', c)} ${key} skipped${event.data.reason ? `: ${event.data.reason}` : ''}`;
      case 'step.blocked':
        return `${at}${statusSymbol('blocked', c)} ${key} blocked by ${event.data.by}`;
      case 'step.waiting':
        return `${at}${statusSymbol('waiting', c)} ${key} waiting${event.data.reason ? `: ${event.data.reason}` : ''}`;
      case 'step.cancelled':
        return `${at}${statusSymbol('cancelled', c)} ${key} cancelled${event.data.reason ? `: ${event.data.reason}` : ''}`;
      case 'run.compensating':
        return `${at}${statusSymbol('compensated', c)} rolling back: ${event.data.steps.length} step(s) to undo`;
      case 'step.compensated':
        return `${at}${statusSymbol('compensated', c)} ${key} compensated`;
      case 'step.compensation_failed':
        return `${at}${statusSymbol('failed', c)} ${key} compensation failed: ${c.red(errorLine(event.data.error))}`;
      case 'run.paused':
        return `${at}${statusSymbol('paused', c)} run paused${event.data.by ? ` by ${event.data.by}` : ''}`;
      case 'run.resumed':
        return `${at}${statusSymbol('running', c)} run resumed${event.data.by ? ` by ${event.data.by}` : ''}`;
      default:
        return undefined;
    }
  }
}
