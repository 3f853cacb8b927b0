import {
  ACTIVE_STATUSES_SQL,
  DOCUMENT_COLUMNS,
  EVENT_COLUMNS,
  POSTGRES_RUN_SELECT,
  RUN_COLUMNS,
  STEP_COLUMNS,
} from '../store-rows.js';
import type { RunFilter } from '../types.js';

// Batches travel as one jsonb parameter each (JSON.stringify of the records); the statement text
// never depends on the row count, so each is prepared once per connection. JSON null becomes SQL NULL.

const RUN_RECORD = `id text, workflow text, version integer, "documentHash" text, status text,
  input jsonb, output jsonb, error jsonb, "parentRunId" text, "createdAt" bigint, "startedAt" bigint,
  "endedAt" bigint, "deadlineAt" bigint, owner text, "leaseExpiresAt" bigint, "lastSeq" bigint, meta jsonb`;

const STEP_RECORD = `"runId" text, "stepKey" text, attempt integer, "stepId" text, type text, status text,
  "startedAt" bigint, "endedAt" bigint, input jsonb, output jsonb, error jsonb, meta jsonb`;

const EVENT_RECORD = `"runId" text, seq bigint, type text, time bigint, "stepKey" text, data jsonb`;

/** Lease free: nobody holds it, it has expired, or its holder is dead. `$n` = now, `$n+1` = dead owners. */
const leaseFree = (now: number) => `(owner IS NULL OR lease_expires_at IS NULL
  OR lease_expires_at <= $${now} OR owner = ANY($${now + 1}::text[]))`;

/** Named statements: pg prepares each once per pooled connection. */
export const PG_STATEMENTS = {
  insertRuns: {
    name: 'weft_insert_runs',
    text: `INSERT INTO runs (${RUN_COLUMNS})
      SELECT r.id, r.workflow, r.version, r."documentHash", r.status, nullif(r.input, 'null'),
        nullif(r.output, 'null'), nullif(r.error, 'null'), r."parentRunId", r."createdAt", r."startedAt",
        r."endedAt", r."deadlineAt", r.owner, r."leaseExpiresAt", coalesce(r."lastSeq", 0), nullif(r.meta, 'null')
      FROM jsonb_to_recordset($1::jsonb) AS r(${RUN_RECORD})`,
  },
  // A key that is absent from a patch leaves its column alone; a key set to null clears it.
  patchRuns: {
    name: 'weft_patch_runs',
    text: `UPDATE runs AS r SET
        last_seq = (p.v->>'lastSeq')::bigint,
        status = coalesce(p.v->>'status', r.status),
        output = CASE WHEN p.v ? 'output' THEN nullif(p.v->'output', 'null') ELSE r.output END,
        error = CASE WHEN p.v ? 'error' THEN nullif(p.v->'error', 'null') ELSE r.error END,
        started_at = CASE WHEN p.v ? 'startedAt' THEN (p.v->>'startedAt')::bigint ELSE r.started_at END,
        ended_at = CASE WHEN p.v ? 'endedAt' THEN (p.v->>'endedAt')::bigint ELSE r.ended_at END
      FROM jsonb_array_elements($1::jsonb) AS p(v)
      WHERE r.id = p.v->>'id' AND r.owner = $2
      RETURNING r.id`,
  },
  // FOR SHARE holds off a concurrent claim until this batch commits, as the patch's row lock does.
  ownedRuns: {
    name: 'weft_owned_runs',
    text: 'SELECT id FROM runs WHERE id = ANY($1::text[]) AND owner = $2 FOR SHARE',
  },
  upsertSteps: {
    name: 'weft_upsert_steps',
    text: `INSERT INTO steps (${STEP_COLUMNS})
      SELECT s."runId", s."stepKey", s.attempt, s."stepId", s.type, s.status, s."startedAt", s."endedAt",
        nullif(s.input, 'null'), nullif(s.output, 'null'), nullif(s.error, 'null'), nullif(s.meta, 'null')
      FROM jsonb_to_recordset($1::jsonb) AS s(${STEP_RECORD})
      ON CONFLICT (run_id, step_key, attempt) DO UPDATE SET step_id = excluded.step_id,
        type = excluded.type, status = excluded.status, started_at = excluded.started_at,
        ended_at = excluded.ended_at, input = excluded.input, output = excluded.output,
        error = excluded.error, meta = excluded.meta`,
  },
  insertEvents: {
    name: 'weft_insert_events',
    text: `INSERT INTO events (${EVENT_COLUMNS})
      SELECT e."runId", e.seq, e.type, e.time, e."stepKey", nullif(e.data, 'null')
      FROM jsonb_to_recordset($1::jsonb) AS e(${EVENT_RECORD})`,
  },
  putDocument: {
    name: 'weft_put_document',
    text: `INSERT INTO documents (${DOCUMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING`,
  },
  getDocument: {
    name: 'weft_get_document',
    text: `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE hash = $1`,
  },
  getRun: { name: 'weft_get_run', text: `SELECT ${POSTGRES_RUN_SELECT} FROM runs WHERE id = $1` },
  getSteps: {
    name: 'weft_get_steps',
    text: `SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = $1
      ORDER BY coalesce(started_at, ended_at, 0), step_key, attempt`,
  },
  // LIMIT NULL is "no limit" in PostgreSQL.
  getEvents: {
    name: 'weft_get_events',
    text: `SELECT ${EVENT_COLUMNS} FROM events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  },
  // Atomic: a concurrent claim waits for the row lock, then re-checks the WHERE and finds it taken.
  claimRun: {
    name: 'weft_claim_run',
    text: `UPDATE runs SET owner = $1, lease_expires_at = $2
      WHERE id = $3 AND status IN (${ACTIVE_STATUSES_SQL}) AND (owner = $1 OR ${leaseFree(4)})
      RETURNING ${POSTGRES_RUN_SELECT}`,
  },
  renewLeases: {
    name: 'weft_renew_leases',
    text: `UPDATE runs SET lease_expires_at = $1
      WHERE owner = $2 AND status IN (${ACTIVE_STATUSES_SQL}) RETURNING id`,
  },
  releaseRun: {
    name: 'weft_release_run',
    text: 'UPDATE runs SET owner = NULL, lease_expires_at = NULL WHERE id = $1 AND owner = $2',
  },
  listInterrupted: {
    name: 'weft_list_interrupted',
    text: `SELECT ${POSTGRES_RUN_SELECT} FROM runs
      WHERE status IN (${ACTIVE_STATUSES_SQL}) AND ${leaseFree(1)} ORDER BY created_at, id`,
  },
  listOwners: {
    name: 'weft_list_owners',
    text: `SELECT DISTINCT owner FROM runs
      WHERE owner IS NOT NULL AND status IN (${ACTIVE_STATUSES_SQL}) ORDER BY owner`,
  },
} as const;

/** The named statement and parameters of `listRuns` for one filter (one statement per filter shape). */
export function listRunsQuery(filter: RunFilter, statuses: readonly string[]) {
  const where: string[] = [];
  const values: unknown[] = [];
  let shape = 0;
  const add = (bit: number, sql: (n: number) => string, value: unknown) => {
    values.push(value);
    where.push(sql(values.length));
    shape |= bit;
  };
  if (filter.workflow !== undefined) add(1, (n) => `workflow = $${n}`, filter.workflow);
  if (statuses.length > 0) add(2, (n) => `status = ANY($${n}::text[])`, statuses);
  if (filter.parentRunId !== undefined) add(4, (n) => `parent_run_id = $${n}`, filter.parentRunId);
  if (filter.before !== undefined) add(8, (n) => `created_at < $${n}`, filter.before);
  values.push(filter.limit ?? 50);
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return {
    name: `weft_list_runs_${shape}`,
    text: `SELECT ${POSTGRES_RUN_SELECT} FROM runs ${clause} ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
    values,
  };
}
