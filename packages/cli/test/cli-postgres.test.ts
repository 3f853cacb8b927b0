import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, WORKFLOWS, weft, workspace } from './cli-harness.js';

const url = process.env.WEFT_TEST_POSTGRES_URL;
if (!url) console.warn('cli-postgres.test.ts skipped: WEFT_TEST_POSTGRES_URL is not set');

describe.skipIf(!url)('weft on PostgreSQL (WEFT_TEST_POSTGRES_URL)', () => {
  const schema = `weft_cli_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = `${url}${url?.includes('?') ? '&' : '?'}schema=${schema}`;
  beforeAll(() => {
    assertBuilt();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('runs, lists and shows runs in a Postgres store', async () => {
    const cwd = workspace(WORKFLOWS);
    const env = { WEFT_STORE: store };
    const run = await weft(['run', 'hello.yaml', '--set', 'name=Pg', '--json'], { cwd, env });
    expect(run.code).toBe(0);
    const { run_id: id, output } = JSON.parse(run.stdout) as { run_id: string; output: unknown };
    expect(output).toEqual({ greeting: 'hello Pg', times: 1 });
    const listed = JSON.parse((await weft(['runs', 'list', '--json'], { cwd, env })).stdout) as {
      id: string;
    }[];
    expect(listed.map((r) => r.id)).toEqual([id]);
    const status = await weft(['db', 'status'], { cwd, env });
    expect(status.stdout).toMatch(/^pending\s+none$/m);
  });
});
