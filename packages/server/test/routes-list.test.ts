import { randomUUID } from 'node:crypto';
import type { RunRecord } from '@weft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HELLO, type TestServer, testServer, waitForRunEnd } from './support.js';

let server: TestServer;
afterEach(async () => server?.close());

/** Writes finished runs straight into the store, several in the same millisecond. */
async function seedRuns(times: number[], fields: Partial<RunRecord> = {}): Promise<RunRecord[]> {
  const runs = times.map((createdAt) => ({
    id: randomUUID(),
    workflow: 'seeded',
    version: null,
    documentHash: 'h',
    status: 'completed' as const,
    input: {},
    output: null,
    error: null,
    parentRunId: null,
    createdAt,
    startedAt: createdAt,
    endedAt: createdAt,
    deadlineAt: null,
    owner: null,
    leaseExpiresAt: null,
    lastSeq: 0,
    meta: {},
    ...fields,
  }));
  await server.engine.store.commit({ owner: 'test', newRuns: runs, runPatches: [], steps: [], events: [] });
  return runs;
}

const list = async (query: string) => {
  const res = await server.app.inject({ url: `/api/v1/runs?${query}` });
  return { status: res.statusCode, body: res.json() };
};

describe('GET /api/v1/runs', () => {
  it('pages newest first with next_cursor, never skipping or repeating runs of the same millisecond', async () => {
    server = await testServer();
    const seeded = await seedRuns([1000, 2000, 2000, 2000, 2000, 2000, 3000, 4000]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.runs.length).toBeLessThanOrEqual(2);
      seen.push(...body.runs.map((r: { id: string }) => r.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    const expected = [...seeded]
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map((r) => r.id);
    expect(seen).toEqual(expected);
  });

  it('filters by workflow, status (comma list), parent and creation time', async () => {
    server = await testServer();
    const [parent] = await seedRuns([Date.parse('2024-01-01T00:00:00Z')]);
    await seedRuns([Date.parse('2024-02-01T00:00:00Z')], {
      status: 'failed',
      parentRunId: parent?.id ?? null,
    });
    const started = (
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/runs',
        payload: { source: HELLO, input: { name: 'x' } },
      })
    ).json();
    await waitForRunEnd(server.engine, started.id);
    const names = (body: { runs: { workflow: string; status: string }[] }) =>
      body.runs.map((r) => `${r.workflow}:${r.status}`);
    expect(names((await list('workflow=hello')).body)).toEqual(['hello:completed']);
    expect(names((await list('status=failed')).body)).toEqual(['seeded:failed']);
    expect(names((await list('status=failed,completed')).body)).toHaveLength(3);
    expect(names((await list(`parent=${parent?.id}`)).body)).toEqual(['seeded:failed']);
    expect(names((await list('created_before=2024-01-15T00:00:00Z')).body)).toEqual(['seeded:completed']);
    expect(names((await list('created_after=2024-01-15T00:00:00Z&workflow=seeded')).body)).toEqual([
      'seeded:failed',
    ]);
  });

  it.each([
    ['status=done', 'querystring.status'],
    ['limit=0', 'querystring.limit'],
    ['limit=201', 'querystring.limit'],
    ['cursor=garbage', 'querystring.cursor'],
    ['created_before=yesterday', 'querystring.created_before'],
    ['colour=red', 'querystring.colour'],
  ])('answers 400 for %s naming %s', async (query, path) => {
    server = await testServer();
    const { status, body } = await list(query);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details.issues[0].path).toBe(path);
  });
});
