import type { Engine, RunRecord, RunStatus } from '@weft/core';
import { apiError } from '../errors/api-error.js';

export interface ListRunsQuery {
  workflow?: string;
  /** Comma-separated statuses. */
  status?: string;
  parent?: string;
  created_before?: string;
  created_after?: string;
  cursor?: string;
  limit?: number;
}

export interface RunPage {
  runs: RunRecord[];
  next_cursor: string | null;
}

const STATUSES: ReadonlySet<string> = new Set([
  'pending',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
]);
const MAX_SCAN = 10_000;

/**
 * Newest first, `limit` at a time. The cursor is the position of the last run returned
 * (created_at and id, the store's order), so runs created in the same millisecond are neither
 * skipped nor repeated across pages.
 */
export async function listRuns(engine: Engine, query: ListRunsQuery): Promise<RunPage> {
  const limit = query.limit ?? 50;
  const status = parseStatuses(query.status);
  const after = parseTime(query.created_after, 'created_after');
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  let before = parseTime(query.created_before, 'created_before');
  if (cursor && (before === undefined || cursor.createdAt + 1 < before)) before = cursor.createdAt + 1;
  const filter = { workflow: query.workflow, status, parentRunId: query.parent, before };
  // Runs in the cursor's millisecond that were already returned are fetched again and dropped.
  for (let fetch = limit + 1 + (cursor ? 16 : 0); ; fetch = Math.min(fetch * 4, MAX_SCAN)) {
    const rows = await engine.listRuns({ ...filter, limit: fetch });
    const fresh = rows.filter((r) => !cursor || r.createdAt < cursor.createdAt || r.id < cursor.id);
    const inRange = after === undefined ? fresh : fresh.filter((r) => r.createdAt > after);
    const exhausted = rows.length < fetch || inRange.length < fresh.length;
    if (inRange.length > limit || exhausted || fetch >= MAX_SCAN) {
      const runs = inRange.slice(0, limit);
      const last = runs[runs.length - 1];
      const more = inRange.length > limit || (!exhausted && last !== undefined);
      return { runs, next_cursor: more && last ? encodeCursor(last) : null };
    }
  }
}

function parseStatuses(text: string | undefined): RunStatus[] | undefined {
  if (text === undefined || text === '') return undefined;
  const list = text.split(',').map((s) => s.trim());
  const bad = list.find((s) => !STATUSES.has(s));
  if (bad !== undefined) {
    throw apiError(
      'invalid_request',
      `querystring.status: expected statuses among ${[...STATUSES].join(', ')}, got '${bad}'`,
      {
        issues: [{ path: 'querystring.status', message: `unknown status '${bad}'` }],
      },
    );
  }
  return list as RunStatus[];
}

function parseTime(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isFinite(ms)) return ms;
  throw apiError('invalid_request', `querystring.${name}: expected an ISO 8601 date-time, got '${text}'`, {
    issues: [{ path: `querystring.${name}`, message: 'not a date-time' }],
  });
}

function encodeCursor(run: RunRecord): string {
  return Buffer.from(`${run.createdAt}:${run.id}`, 'utf8').toString('base64url');
}

function decodeCursor(text: string): { createdAt: number; id: string } {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const at = raw.indexOf(':');
  const createdAt = Number(raw.slice(0, at));
  if (at <= 0 || !Number.isSafeInteger(createdAt) || raw.length === at + 1) {
    throw apiError('invalid_request', 'querystring.cursor: expected the next_cursor of a previous page', {
      issues: [{ path: 'querystring.cursor', message: 'not a cursor this server made' }],
    });
  }
  return { createdAt, id: raw.slice(at + 1) };
}
