import type { AnyWeftEvent, WeftEvent } from '@weft/core';
import { stripAnsi } from './ansi.js';
import type { Colors } from './colors.js';
import { clock, errorLine, formatDuration } from './format.js';
import type { StepView } from './run-view.js';
import { statusSymbol } from './symbols.js';

type Part = [text: string, paint?: (text: string) => string];

export interface StepLineOptions {
  colors: Colors;
  now: number;
  /** Spinner frame; undefined draws a still symbol. */
  frame?: number;
  /** Width the key column is padded to. */
  keyWidth: number;
  /** Terminal columns; the line is cut to fit. */
  width?: number;
}

/** `⠋   each[2].fetch   1.20s (attempt 2) timeout: ...`, indented by nesting. */
export function stepLine(step: StepView, options: StepLineOptions): string {
  const { colors } = options;
  const label = `${'  '.repeat(step.depth)}${step.key}`;
  const parts: Part[] = [
    [statusSymbol(step.status, colors, options.frame)],
    [` ${label.padEnd(options.keyWidth)}`],
  ];
  const duration =
    step.durationMs !== null
      ? formatDuration(step.durationMs)
      : step.status === 'running' && step.startedAt !== null
        ? formatDuration(Math.max(0, options.now - step.startedAt))
        : '';
  if (duration) parts.push([`  ${duration}`, colors.dim]);
  if (step.attempt > 1) parts.push([` (attempt ${step.attempt})`, colors.yellow]);
  if (step.status === 'failed' || step.status === 'retrying')
    parts.push([`  ${errorLine(step.error)}`, colors.red]);
  if (step.note) parts.push([`  ${step.note}`, colors.dim]);
  return fit(parts, options.width);
}

/** `12:00:01 [warn] fetch: slow answer`, for `step.log` events. */
export function logLine(event: WeftEvent<'step.log'>, colors: Colors): string {
  const level = event.data.level;
  const paint = level === 'error' ? colors.red : level === 'warn' ? colors.yellow : colors.dim;
  const data =
    event.data.data && Object.keys(event.data.data).length > 0 ? ` ${JSON.stringify(event.data.data)}` : '';
  return `${colors.dim(clock(event.time))} ${paint(`[${level}]`)} ${event.stepKey ?? '-'}: ${event.data.message.trimEnd()}${data}`;
}

export function isLog(event: AnyWeftEvent): event is WeftEvent<'step.log'> {
  return event.type === 'step.log';
}

/** Joins colored parts, cutting the plain text to `width` columns (so lines never wrap). */
function fit(parts: readonly Part[], width: number | undefined): string {
  let room = width === undefined ? Number.POSITIVE_INFINITY : Math.max(10, width - 1);
  let line = '';
  for (const [text, paint] of parts) {
    if (room <= 0) break;
    const flat = text.replace(/\r?\n/g, ' ');
    const shown = [...stripAnsi(flat)].length > room ? `${[...flat].slice(0, room - 1).join('')}…` : flat;
    room -= [...stripAnsi(shown)].length;
    line += paint ? paint(shown) : shown;
  }
  return line;
}
