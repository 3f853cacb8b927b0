import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WeftEngine } from '../src/engine/engine.js';
import { Templates } from '../src/templates/templates.js';
import { eventually, stepStates, useStepEngines } from './support/step-engine.js';

/** Each built-in template, instantiated with parameters and run to its end on a real engine. */

const setup = useStepEngines();
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

/** An HTTP server on 127.0.0.1 answering from `route`; every request is recorded in `seen`. */
async function httpServer(route: (request: Seen, count: number) => { status: number; body?: unknown }) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', body: text ? JSON.parse(text) : null };
      seen.push(request);
      const { status, body } = route(request, seen.length);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function make(
  engine: WeftEngine,
  template: string,
  parameters: Record<string, unknown>,
  workflow: string,
) {
  const made = await new Templates(engine).instantiate(template, parameters, { workflow });
  expect(made.push).toMatchObject({ name: workflow, created: true });
  expect((await engine.workflows.show(workflow)).origin).toMatchObject({ template, version: null });
  return made;
}

async function run(engine: WeftEngine, workflow: string, input?: unknown) {
  return (await engine.start({ name: workflow }, input)).result();
}

describe('built-in templates', () => {
  it('http-health-check: retries until healthy; when down, notifies the webhook and fails', async () => {
    const { engine } = await setup();
    const site = await httpServer((request, count) =>
      request.path === '/flaky' ? { status: count < 3 ? 503 : 200 } : { status: 500 },
    );
    const hook = await httpServer(() => ({ status: 204 }));
    const params = {
      url: `${site.url}/flaky`,
      notify_url: `${hook.url}/alerts`,
      retry_delay: '10ms',
      attempts: '3',
    };
    await make(engine, 'http-health-check', params, 'site-up');
    expect(await run(engine, 'site-up')).toMatchObject({
      status: 'completed',
      output: { url: `${site.url}/flaky`, healthy: true, status: 200 },
    });
    expect(site.seen.map((s) => s.path)).toEqual(['/flaky', '/flaky', '/flaky']);
    expect(hook.seen).toEqual([]);

    await make(engine, 'http-health-check', { ...params, url: `${site.url}/down`, attempts: 2 }, 'site-down');
    const down = await run(engine, 'site-down');
    expect(down).toMatchObject({ status: 'failed', error: { code: 'unhealthy', step: 'check.catch.down' } });
    expect(down.error?.message).toContain(`${site.url}/down is down after 2 attempts`);
    expect(site.seen.filter((s) => s.path === '/down')).toHaveLength(2);
    expect(hook.seen).toEqual([
      {
        method: 'POST',
        path: '/alerts',
        body: {
          check: `${site.url}/down`,
          healthy: false,
          error: 'http_status',
          message: expect.stringContaining('500'),
          attempts: 2,
          run: down.runId,
        },
      },
    ]);
  });

  it('fan-out-fan-in: runs the worker workflow once per item, in parallel, and gathers results in order', async () => {
    const { engine } = await setup();
    await engine.workflows.push(`name: square
inputs: { type: object, properties: { item: { type: integer }, index: { type: integer } } }
steps:
  - { id: nap, type: skill, skill: sleep, inputs: { duration: 30ms } }
  - { id: calc, type: skill, skill: transform, inputs: { value: { n: "\${ inputs.item }", square: "\${ inputs.item * inputs.item }", index: "\${ inputs.index }" } } }
`);
    await make(engine, 'fan-out-fan-in', { worker: 'square', max_parallelism: '3' }, 'squares');
    const result = await run(engine, 'squares', { items: [1, 2, 3, 4, 5] });
    expect(result).toMatchObject({ status: 'completed' });
    expect(result.output).toEqual({
      count: 5,
      failed: 0,
      results: [1, 2, 3, 4, 5].map((n, index) => ({ n, square: n * n, index })),
    });
    const children = await engine.listRuns({ workflow: 'square' });
    expect(children).toHaveLength(5);
    expect(children.every((c) => c.parentRunId === result.runId)).toBe(true);
    // Three at once: the five 30 ms children overlap.
    const spans = children.map((c) => [c.startedAt ?? 0, c.endedAt ?? 0] as const);
    const overlapping = spans.filter(([s], i) => spans.some(([s2, e2], j) => i !== j && s2 <= s && s < e2));
    expect(overlapping.length).toBeGreaterThan(0);

    await expect(
      new Templates(engine).instantiate('fan-out-fan-in', { worker: 'sqare' }, { workflow: 'x' }),
    ).rejects.toThrow("parameter 'worker': no registered workflow 'sqare' (did you mean 'square'?)");
  });

  it('etl-with-validation: loads valid records; strict mode refuses bad data before the load', async () => {
    const { engine, dir } = await setup();
    writeFileSync(
      join(dir, 'in.json'),
      JSON.stringify([
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ]),
    );
    await make(
      engine,
      'etl-with-validation',
      { source_file: 'in.json', target_file: 'out.json', id_field: 'sku', min_records: 2 },
      'load-skus',
    );
    const ok = await run(engine, 'load-skus');
    expect(ok).toMatchObject({
      status: 'completed',
      output: { loaded: 2, target: 'out.json', valid: true, errors: [] },
    });
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual([
      { id: 'a', record: { sku: 'a', qty: 1 }, run: ok.runId },
      { id: 'b', record: { sku: 'b', qty: 2 }, run: ok.runId },
    ]);

    writeFileSync(join(dir, 'in.json'), JSON.stringify([{ sku: 'a' }, { sku: 'a' }, { qty: 3 }]));
    writeFileSync(join(dir, 'out.json'), 'untouched');
    const bad = await run(engine, 'load-skus');
    expect(bad).toMatchObject({ status: 'failed', error: { code: 'validation_failed', step: 'check' } });
    expect(bad.error?.message).toMatch(/sku/);
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('untouched');
    expect((await stepStates(engine, bad.runId)).load).toBe('blocked');

    await make(
      engine,
      'etl-with-validation',
      { source_file: 'in.json', target_file: 'out.json', id_field: 'sku', validation_mode: 'warn' },
      'load-skus-lenient',
    );
    const lenient = await run(engine, 'load-skus-lenient');
    expect(lenient).toMatchObject({ status: 'completed', output: { loaded: 2, valid: false } });
    expect(
      (lenient.output as { errors: { message: string }[] }).errors.map((e) => e.message).join(' '),
    ).toMatch(/unique/);
  });

  it('approval-gated-deploy: deploys once approved; a rejection deploys nothing', async () => {
    const { engine, dir } = await setup();
    await make(
      engine,
      'approval-gated-deploy',
      {
        service: 'billing',
        environment: 'production',
        deploy_command:
          'echo "$SERVICE $VERSION $ENVIRONMENT by $APPROVED_BY" >> deployed.txt; echo deployed',
      },
      'deploy-billing',
    );
    const handle = await engine.start({ name: 'deploy-billing' }, { version: '1.4.2' });
    await eventually(async () => (await stepStates(engine, handle.runId)).approve === 'waiting');
    expect((await engine.getRun(handle.runId))?.run.status).toBe('running');
    await engine.approve(handle.runId, 'approve', { approved: true, by: 'ada', comment: 'ship it' });
    expect(await handle.result()).toMatchObject({
      status: 'completed',
      output: {
        service: 'billing',
        environment: 'production',
        version: '1.4.2',
        approved_by: 'ada',
        deploy_output: 'deployed\n',
      },
    });
    expect(readFileSync(join(dir, 'deployed.txt'), 'utf8')).toBe('billing 1.4.2 production by ada\n');

    const second = await engine.start({ name: 'deploy-billing' }, { version: '1.5.0' });
    await eventually(async () => (await stepStates(engine, second.runId)).approve === 'waiting');
    await engine.approve(second.runId, 'approve', { approved: false, by: 'bob', comment: 'freeze' });
    const rejected = await second.result();
    expect(rejected).toMatchObject({ status: 'failed', error: { code: 'deploy_rejected' } });
    expect(rejected.error?.message).toContain(
      'deploy of billing 1.5.0 to production was not approved: freeze',
    );
    expect(readFileSync(join(dir, 'deployed.txt'), 'utf8')).toBe('billing 1.4.2 production by ada\n');
  });

  it('saga-with-compensations: a failed shipment refunds and releases, newest first; success undoes nothing', async () => {
    const { engine } = await setup();
    let shippingDown = true;
    const services = await httpServer((request) => {
      if (request.path === '/shipping/shipments' && shippingDown)
        return { status: 500, body: { error: 'no trucks' } };
      return { status: 200, body: { ok: true, at: request.path } };
    });
    await make(
      engine,
      'saga-with-compensations',
      {
        inventory_url: `${services.url}/inventory`,
        payments_url: `${services.url}/payments`,
        shipping_url: `${services.url}/shipping`,
        retry_delay: '10ms',
      },
      'order-saga',
    );
    const input = { order_id: 'A-7', items: ['book'], amount: 12.5 };
    const failed = await run(engine, 'order-saga', input);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'http_status', step: 'ship', compensation: { ran: ['charge', 'reserve'], failed: [] } },
    });
    expect(services.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /inventory/reservations',
      'POST /payments/charges',
      'POST /shipping/shipments',
      'POST /payments/refunds',
      'DELETE /inventory/reservations/A-7',
    ]);
    expect(services.seen[3]?.body).toEqual({ order_id: 'A-7', amount: 12.5 });

    shippingDown = false;
    services.seen.length = 0;
    const ok = await run(engine, 'order-saga', input);
    expect(ok).toMatchObject({
      status: 'completed',
      output: { order_id: 'A-7', shipment: { ok: true, at: '/shipping/shipments' } },
    });
    expect(services.seen.map((s) => s.path)).toEqual([
      '/inventory/reservations',
      '/payments/charges',
      '/shipping/shipments',
    ]);
  });

  it('agent-review-loop: the writer revises with the reviewer feedback until approved', async () => {
    const { engine, dir } = await setup();
    const script = join(dir, 'agents.mjs');
    writeFileSync(
      script,
      `let prompt = '';
process.stdin.on('data', (c) => (prompt += c));
process.stdin.on('end', () => {
  if (process.argv[2] === 'writer') {
    console.log(prompt.includes('add a title') ? '# Owls\\nOwls hunt at night.' : 'Owls hunt at night.');
  } else {
    const approved = prompt.includes('# Owls');
    console.log(JSON.stringify({ approved, feedback: approved ? 'good' : 'add a title' }));
  }
});
`,
    );
    engine.registerAgent('writer', { type: 'command', command: [process.execPath, script, 'writer'] });
    engine.registerAgent('critic', {
      type: 'command',
      command: [process.execPath, script, 'critic'],
      output: 'json',
    });
    await make(
      engine,
      'agent-review-loop',
      { writer: 'writer', reviewer: 'critic', max_rounds: 3 },
      'owl-essay',
    );
    const result = await run(engine, 'owl-essay', { task: 'write about owls' });
    expect(result).toMatchObject({
      status: 'completed',
      output: { approved: true, rounds: 2, draft: '# Owls\nOwls hunt at night.', feedback: 'good' },
    });

    await make(
      engine,
      'agent-review-loop',
      { writer: 'critic', reviewer: 'critic', max_rounds: 2 },
      'never-approved',
    );
    const stuck = await run(engine, 'never-approved', { task: 'write about owls' });
    expect(stuck).toMatchObject({ status: 'failed', error: { code: 'not_approved' } });
    expect(stuck.error?.message).toContain('no approval after 2 rounds; last feedback: add a title');
  });
});
