import type { EventRecord, RunRecord, StepRecord } from '@weft/core';
import type { Colors } from './colors.js';
import { compensationLine } from './compensation.js';
import { clock, dateTime, errorLine, span } from './format.js';
import { parentKey } from './run-view.js';
import { oneLine, shorten } from './shorten.js';
import { statusSymbol, statusWord } from './symbols.js';
import { table } from './table.js';

const VALUE_WIDTH = 80;

/** The header of `weft runs show`: one `label  value` line per field. */
export function runHeader(run: RunRecord, colors: Colors): string {
  const took =
    run.startedAt === null
      ? ''
      : ` (${run.endedAt === null ? 'running for' : 'took'} ${span(run.startedAt, run.endedAt)})`;
  const fields: [string, string][] = [
    ['run', run.id],
    ['workflow', run.workflow],
    ['version', run.version === null ? '-' : String(run.version)],
    ['status', `${statusSymbol(run.status, colors)} ${statusWord(run.status, colors)}`],
    ['started', `${dateTime(run.startedAt)}${took}`],
    ['input', shorten(run.input, VALUE_WIDTH)],
    ['output', shorten(run.output ?? null, VALUE_WIDTH)],
    ['error', run.error ? colors.red(oneLineError(run.error)) : '-'],
    ['parent', run.parentRunId ?? '-'],
  ];
  const rollback = compensationLine(run, colors);
  if (rollback !== undefined) fields.splice(8, 0, ['rollback', rollback]);
  const chained = run.meta?.chained_from as { run_id?: unknown; workflow?: unknown } | undefined;
  if (chained?.run_id)
    fields.push(['chained', `from ${String(chained.run_id)} (${String(chained.workflow)})`]);
  return fields.map(([label, value]) => `${colors.dim(label.padEnd(9))}${value}`).join('\n');
}

/** The runs a run started (`workflow` steps): id, workflow, the step that started it, status. */
export function childTable(children: readonly RunRecord[], colors: Colors): string {
  return table(children, [
    { header: 'STATUS', value: (r) => `${statusSymbol(r.status, colors)} ${r.status}` },
    { header: 'RUN', value: (r) => r.id },
    { header: 'WORKFLOW', value: (r) => r.workflow },
    { header: 'STEP', value: (r) => String(r.meta?.parent_step ?? '-') },
    {
      header: 'DURATION',
      value: (r) => (r.startedAt === null ? '-' : span(r.startedAt, r.endedAt)),
      align: 'right',
    },
  ]);
}

/** One row per attempt, indented by nesting, with the output (or error) cut to one line. */
export function stepTable(steps: readonly StepRecord[], colors: Colors): string {
  if (steps.length === 0) return colors.dim('(no steps yet)');
  const keys = new Set(steps.map((s) => s.stepKey));
  return table(steps, [
    { header: 'STATUS', value: (s) => `${statusSymbol(s.status, colors)} ${s.status}` },
    { header: 'STEP', value: (s) => `${'  '.repeat(depthOf(s.stepKey, keys))}${s.stepKey}` },
    { header: 'ATTEMPT', value: (s) => (s.attempt > 0 ? String(s.attempt) : '-'), align: 'right' },
    { header: 'STARTED', value: (s) => (s.startedAt === null ? '-' : clock(s.startedAt)) },
    {
      header: 'DURATION',
      value: (s) => (s.endedAt === null ? '-' : span(s.startedAt, s.endedAt)),
      align: 'right',
    },
    {
      header: 'OUTPUT / ERROR',
      value: (s) =>
        s.error
          ? colors.red(oneLineError(s.error))
          : s.status === 'completed'
            ? shorten(s.output ?? null, 60)
            : reason(s),
    },
  ]);
}

/** A `step.log` or failure event as one line: `12:00:01 [info] fetch: message`. */
export function logRecordLine(event: EventRecord, colors: Colors): string | undefined {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const at = colors.dim(clock(event.time));
  const step = event.stepKey ?? '-';
  if (event.type === 'step.log') {
    const level = String(data.level ?? 'info');
    const paint = level === 'error' ? colors.red : level === 'warn' ? colors.yellow : colors.dim;
    const extra =
      data.data && typeof data.data === 'object' && Object.keys(data.data).length > 0
        ? ` ${JSON.stringify(data.data)}`
        : '';
    return `${at} ${paint(`[${level}]`)} ${step}: ${String(data.message ?? '').trimEnd()}${extra}`;
  }
  if (event.type === 'step.failed') {
    const attempt = typeof data.attempt === 'number' ? ` (attempt ${data.attempt})` : '';
    return `${at} ${colors.red('[error]')} ${step}: failed${attempt}: ${errorLine(data.error as { code?: unknown; message?: unknown })}`;
  }
  if (event.type === 'hook.failed') {
    return `${at} ${colors.yellow('[warn]')} ${step}: hook ${String(data.point)} failed: ${String(data.message)}`;
  }
  if (event.type === 'run.failed') {
    return `${at} ${colors.red('[error]')} run failed: ${errorLine(data.error as { code?: unknown; message?: unknown })}`;
  }
  return undefined;
}

/** The event types `weft runs logs` shows. */
export const LOG_EVENT_TYPES: ReadonlySet<string> = new Set([
  'step.log',
  'step.failed',
  'step.retrying',
  'run.failed',
  'hook.failed',
]);

function oneLineError(error: { code?: unknown; message?: unknown; step?: unknown }): string {
  const where = typeof error.step === 'string' ? `${error.step}: ` : '';
  return oneLine(`${where}${errorLine(error)}`, VALUE_WIDTH);
}

function reason(step: StepRecord): string {
  const why = step.meta?.reason ?? step.meta?.by;
  return typeof why === 'string' ? oneLine(why, 60) : '';
}

function depthOf(key: string, keys: ReadonlySet<string>): number {
  let depth = 0;
  for (let k = parentKey(key); k !== null; k = parentKey(k)) if (keys.has(k)) depth++;
  return depth;
}
