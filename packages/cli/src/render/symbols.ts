import type { Colors } from './colors.js';

/** Spinner frames for running steps. */
export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** Step statuses plus `retrying`, which the display shows between attempts. */
export type DisplayStatus =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'skipped'
  | 'blocked'
  | 'cancelled'
  | 'compensated';

/** The symbol of a status, colored; `frame` animates running steps. */
export function statusSymbol(status: string, colors: Colors, frame?: number): string {
  switch (status) {
    case 'running':
      return colors.cyan(frame === undefined ? '▸' : SPINNER[frame % SPINNER.length]!);
    case 'completed':
      return colors.green('✓');
    case 'failed':
      return colors.red('✗');
    case 'retrying':
      return colors.yellow('↻');
    case 'waiting':
    case 'paused':
      return colors.cyan('⏸');
    case 'skipped':
      return colors.dim('↷');
    case 'blocked':
      return colors.yellow('⊘');
    case 'cancelled':
      return colors.yellow('⊘');
    case 'compensated':
      return colors.magenta('↺');
    default:
      return colors.dim('○');
  }
}

/** A status word colored like its symbol. */
export function statusWord(status: string, colors: Colors): string {
  if (status === 'completed') return colors.green(status);
  if (status === 'failed') return colors.red(status);
  if (status === 'running' || status === 'waiting') return colors.cyan(status);
  if (status === 'cancelled' || status === 'blocked') return colors.yellow(status);
  return status;
}
