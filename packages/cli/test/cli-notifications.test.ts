import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '@weft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

const SECRET = 'cli-notify-secret';
let server: Server;
let url = '';
const received: { event: string; verified: boolean }[] = [];

beforeAll(async () => {
  assertBuilt();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const verified = verifySignature(
        SECRET,
        String(req.headers['weft-timestamp']),
        body,
        String(req.headers['weft-signature']),
      );
      received.push({ event: JSON.parse(body).event, verified });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/weft`;
});
afterAll(() => server.close());

const FLOW = `name: chatty
steps:
  - { id: say, type: skill, skill: log, inputs: { message: "one" } }
  - { id: nap, type: skill, skill: sleep, inputs: { duration: 600ms } }
  - { id: again, type: skill, skill: log, inputs: { message: "two" } }
`;

describe('weft notifications, hooks, logs', () => {
  it('notifies a global sink, lists the attempts, loads hooks, logs at --log-level, follows logs', async () => {
    const cwd = workspace({
      'flow.yaml': FLOW,
      'audit.mjs':
        "export default { afterStep: (ctx) => (ctx.stepId === 'again' ? { output: 'hooked' } : undefined) };\n",
      'weft.config.yaml': `hooks: [audit.mjs]
secrets: { NOTIFY_SECRET: ${SECRET} }
notifications:
  sinks: [ { url: "${url}", on: [completed] } ]
`,
    });
    const running = weft(['run', 'flow.yaml', '--json', '--log-level', 'info'], { cwd });
    // Follow the run from another process while it goes.
    let runId: string | undefined;
    for (let i = 0; i < 100 && !runId; i++) {
      const list = await weft(['runs', 'list', '--json'], { cwd });
      runId = list.code === 0 ? (JSON.parse(list.stdout || '[]') as { id: string }[])[0]?.id : undefined;
      if (!runId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(runId).toBeDefined();
    const followed = await weft(['runs', 'logs', runId!, '--follow'], { cwd, timeoutMs: 15_000 });
    const run = await running;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', output: 'hooked' });
    const logLines = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(logLines.find((l) => l.event === 'run.completed')).toMatchObject({
      run_id: runId,
      workflow: 'chatty',
      step: null,
    });
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain('one');
    expect(followed.stdout).toContain('two');

    expect(received).toEqual([{ event: 'completed', verified: true }]);
    const listed = await weft(['notifications', 'list', '--run', runId!, '--json'], { cwd });
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { runId, event: 'completed', url, status: 'delivered', httpStatus: 200 },
    ]);
    const table = await weft(['notifications', 'list'], { cwd });
    expect(table.stdout).toContain('delivered');
  });

  it('names a hook module that fails to load, and refuses a bad --log-level', async () => {
    const cwd = workspace({ 'flow.yaml': FLOW, 'weft.config.yaml': 'hooks: [missing.mjs]\n' });
    const run = await weft(['run', 'flow.yaml'], { cwd });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/hook module '.*missing\.mjs': no such file/);
    const bad = await weft(['runs', 'list', '--log-level', 'loud'], { cwd: workspace() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--log-level: expected one of');
  });
});
