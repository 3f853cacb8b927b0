import type { Engine } from '@weft/core';
import { apiError } from '../errors/api-error.js';
import type { StreamTarget } from './subscription.js';

/** How a client names what to follow: `run` or `workflow` (neither: every run), and where it is. */
export interface StreamQuery {
  run?: string;
  workflow?: string;
  /** A seq for a run; the `cursor` of the last event received otherwise. */
  after?: string | number;
}

/**
 * The subscription a request asks for. `Last-Event-ID` (sent by EventSource on reconnect) wins
 * over `after`. A run that does not exist is `not_found`.
 */
export async function resolveTarget(
  engine: Engine,
  query: StreamQuery,
  lastEventId?: string,
): Promise<StreamTarget> {
  if (query.run !== undefined && query.workflow !== undefined) {
    throw invalid('run', 'give run or workflow, not both');
  }
  const resumeFrom = lastEventId !== undefined && lastEventId !== '' ? lastEventId : query.after;
  if (query.run === undefined) {
    const after = resumeFrom === undefined ? undefined : String(resumeFrom);
    return query.workflow === undefined
      ? { kind: 'all', after }
      : { kind: 'workflow', workflow: query.workflow, after };
  }
  const run = await engine.store.getRun(query.run);
  if (!run) throw apiError('not_found', `no run with id '${query.run}'`, { run_id: query.run });
  return { kind: 'run', run, after: seqFrom(resumeFrom, query.run) };
}

/** `12`, or `<runId>:12` as the stream's own event ids are. */
function seqFrom(value: string | number | undefined, runId: string): number {
  if (value === undefined) return 0;
  let text = String(value);
  const colon = text.lastIndexOf(':');
  if (colon >= 0) {
    if (text.slice(0, colon) !== runId) {
      throw invalid(
        'after',
        `expected an event id of run ${runId}, got one of run '${text.slice(0, colon)}'`,
      );
    }
    text = text.slice(colon + 1);
  }
  if (!/^\d{1,15}$/.test(text))
    throw invalid('after', `expected a sequence number (integer >= 0), got '${String(value)}'`);
  return Number(text);
}

function invalid(field: string, message: string): Error {
  return apiError('invalid_request', `${field}: ${message}`, {
    issues: [{ path: `querystring.${field}`, message }],
  });
}
