import { Cron } from 'croner';
import { WeftError } from '../errors.js';

const FIVE = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
const SIX = ['second', ...FIVE];
const cache = new Map<string, Cron>();

function croner(expression: string, zone: string): Cron {
  return new Cron(expression, { timezone: zone, paused: true, mode: '5-or-6-parts' });
}

/** The field croner refused: each field alone, the others `*`, until one fails. */
function offendingField(fields: string[]): { name: string; value: string } | undefined {
  const names = fields.length === 6 ? SIX : FIVE;
  for (let i = 0; i < fields.length; i++) {
    const alone = fields.map((field, j) => (j === i ? field : '*'));
    try {
      croner(alone.join(' '), 'UTC');
    } catch {
      return { name: names[i]!, value: fields[i]! };
    }
  }
  return undefined;
}

/**
 * A cron expression (5 fields, or 6 with seconds first; nicknames such as `@daily`) in a time
 * zone, checked once. A bad one throws `invalid_input` naming the field and croner's reason.
 * @example compileCron('30 2 * * *', 'America/New_York')
 */
export function compileCron(expression: string, zone: string): Cron {
  const key = `${zone}\u0000${expression}`;
  const known = cache.get(key);
  if (known) return known;
  const text = expression.trim();
  let cron: Cron;
  try {
    cron = croner(text, zone);
  } catch (cause) {
    const reason = ((cause as Error).message ?? String(cause)).replace(/^CronPattern: /, '');
    const fields = text.split(/\s+/).filter(Boolean);
    const where = fields.length === 5 || fields.length === 6 ? offendingField(fields) : undefined;
    const field = where ? `the ${where.name} field '${where.value}' is invalid: ` : '';
    const expected =
      fields.length === 5 || fields.length === 6 || text.startsWith('@')
        ? ''
        : `; expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), got ${fields.length}`;
    throw new WeftError('invalid_input', `cron expression '${expression}': ${field}${reason}${expected}`, {
      cause,
      details: { field: where?.name ?? 'cron', value: expression },
    });
  }
  cache.set(key, cron);
  return cron;
}

/** The first fire strictly after `after` (ms), or null when the expression never fires again. */
export function nextCronTime(expression: string, zone: string, after: number): number | null {
  return compileCron(expression, zone).nextRun(new Date(after))?.getTime() ?? null;
}
