import { afterEach, describe, expect, it } from 'vitest';
import { type TestServer, testServer, waitFor, waitForRunEnd } from './support.js';

let server: TestServer;
afterEach(async () => server?.close());

const PAID = `name: paid
steps:
  - { id: paid, type: event, event: payment.received, timeout: 1m }
  - { id: done, type: skill, skill: echo, inputs: { amount: "\${ steps.paid.output.amount }" } }
`;
const GATE = `name: gate
steps:
  - id: sign_off
    type: approval
    prompt: Ship it?
    form: { type: object, properties: { ticket: { type: string } }, required: [ticket] }
`;

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  server.app.inject({ method: 'POST', url, payload: payload as object, headers });

/** Starts a run and waits until its first step waits; returns the run id and that wait. */
async function waiting(
  source: string,
): Promise<{ id: string; wait: { kind: string; webhook: string | null; details: Record<string, unknown> } }> {
  const id = (await post('/api/v1/runs', { source })).json().id as string;
  const wait = await waitFor(
    async () => (await server.app.inject({ url: `/api/v1/runs/${id}` })).json().waits[0],
  );
  return { id, wait };
}

async function output(id: string): Promise<unknown> {
  expect(await waitForRunEnd(server.engine, id)).toBe('completed');
  return (await server.app.inject({ url: `/api/v1/runs/${id}` })).json().run.output;
}

describe('events', () => {
  it('sends an event to a run (202) and the waiting step takes it', async () => {
    server = await testServer();
    const { id, wait } = await waiting(PAID);
    expect(wait).toMatchObject({
      kind: 'event',
      event_types: ['payment.received'],
      webhook: expect.stringMatching(/^\/hooks\/[\w-]{22}$/),
    });
    const sent = await post(`/api/v1/runs/${id}/events`, { type: 'payment.received', data: { amount: 5 } });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toEqual({ id: expect.any(String), delivered: 1 });
    expect(await output(id)).toEqual({ amount: 5 });
    const late = await post(`/api/v1/runs/${id}/events`, { type: 'payment.received' });
    expect(late.statusCode).toBe(409);
  });

  it('sends an event by type to every step waiting for it', async () => {
    server = await testServer();
    const a = await waiting(PAID);
    const b = await waiting(PAID);
    const sent = await post('/api/v1/events', {
      type: 'payment.received',
      source: 'billing',
      data: { amount: 1 },
    });
    expect(sent.json().delivered).toBe(2);
    expect(await output(a.id)).toEqual({ amount: 1 });
    expect(await output(b.id)).toEqual({ amount: 1 });
  });

  it.each([
    ['/api/v1/events', {}, 400, 'invalid_request'],
    ['/api/v1/events', { type: '' }, 400, 'invalid_request'],
    ['/api/v1/events', { type: 'x', 'Bad-Name': 1 }, 400, 'invalid_input'],
    ['/api/v1/runs/nope/events', { type: 'x' }, 404, 'not_found'],
  ])('answers POST %s %j with %i', async (url, body, status, code) => {
    server = await testServer();
    const res = await post(url, body);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });
});

describe('webhooks', () => {
  it('resumes the waiting step with the posted JSON as data, once', async () => {
    server = await testServer();
    const { id, wait } = await waiting(PAID);
    const hook = wait.webhook as string;
    const res = await post(hook, { amount: 7 });
    expect(res.statusCode).toBe(202);
    expect(await output(id)).toEqual({ amount: 7 });
    expect((await post(hook, { amount: 8 })).statusCode).toBe(409);
  });

  it('takes CloudEvents in binary (ce- headers) and structured mode, and checks the type', async () => {
    server = await testServer();
    const first = await waiting(PAID);
    const wrong = await post(first.wait.webhook as string, { amount: 1 }, { 'ce-type': 'other.type' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toContain(
      "waits for an event of type 'payment.received', got 'other.type'",
    );
    const structured = await server.app.inject({
      method: 'POST',
      url: first.wait.webhook as string,
      headers: { 'content-type': 'application/cloudevents+json' },
      payload: JSON.stringify({ type: 'payment.received', id: 'evt-1', source: 'psp', data: { amount: 3 } }),
    });
    expect(structured.json()).toEqual({ id: 'evt-1', delivered: 1 });
    expect(await output(first.id)).toEqual({ amount: 3 });
  });

  it('answers 404 for an unknown token and 400 for a malformed one, with no bearer token needed', async () => {
    server = await testServer({ auth: { tokens: [{ token: 'w'.repeat(20), scope: 'admin' }] } });
    expect((await post('/hooks/AAAAAAAAAAAAAAAAAAAAAA', {})).statusCode).toBe(404);
    expect((await post('/hooks/short', {})).statusCode).toBe(400);
    expect((await post('/hooks/bad%20token%20value!!', {})).statusCode).toBe(400);
    expect((await post('/api/v1/events', { type: 'x' })).statusCode).toBe(401);
  });

  it('rate limits calls per client address (429 with Retry-After)', async () => {
    server = await testServer({ hookRateLimit: { max: 2, windowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/hooks/AAAAAAAAAAAAAAAAAAAAAA', {})).statusCode);
    expect(statuses).toEqual([404, 404, 429]);
    const limited = await post('/hooks/AAAAAAAAAAAAAAAAAAAAAA', {});
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('approvals', () => {
  it('decides an approval; the form is checked; a second decision conflicts', async () => {
    server = await testServer();
    const { id, wait } = await waiting(GATE);
    expect(wait).toMatchObject({ kind: 'approval', webhook: null, details: { prompt: 'Ship it?' } });
    const url = `/api/v1/runs/${id}/approvals/sign_off`;
    const noTicket = await post(url, { approved: true, by: 'ada' });
    expect(noTicket.statusCode).toBe(400);
    expect(noTicket.json().error.code).toBe('invalid_input');
    const ok = await post(url, { approved: true, by: 'ada', comment: 'go', data: { ticket: 'T-1' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ run_id: id, step_key: 'sign_off', approved: true });
    expect(await output(id)).toMatchObject({ approved: true, by: 'ada', data: { ticket: 'T-1' } });
    expect((await post(url, { approved: false })).statusCode).toBe(409);
  });

  it.each([
    ['sign_off', {}, 400],
    ['sign_off', { approved: 'yes' }, 400],
    ['other', { approved: true }, 404],
  ])('answers step %s %j with %i', async (step, body, status) => {
    server = await testServer();
    const { id } = await waiting(GATE);
    expect((await post(`/api/v1/runs/${id}/approvals/${step}`, body)).statusCode).toBe(status);
  });
});
