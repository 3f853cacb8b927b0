import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../errors.js';
import { invokeSkill } from '../invoke.js';
import { rejectionOf, testSkillContext } from '../testing.js';
import { httpSkill } from './http.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const routes: Record<string, Handler> = {
  '/echo': (req, body, res) => {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.setHeader('X-Custom', 'yes');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  },
  '/text': (_req, _body, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end('plain words');
  },
  '/problem+json': (_req, _body, res) => {
    res.writeHead(201, { 'content-type': 'application/problem+json' });
    res.end('{"title":"made"}');
  },
  '/empty': (_req, _body, res) => {
    res.writeHead(204).end();
  },
  '/busy': (_req, _body, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end('{"error":"busy"}');
  },
  '/busy-until': (_req, _body, res) => {
    res.writeHead(429, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() });
    res.end('slow down');
  },
  '/huge-error': (_req, _body, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('e'.repeat(10_000));
  },
  '/hang': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part');
  },
};

let server: Server;
let base: string;
let closedPort: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route) route(req, body, res);
      else res.writeHead(404).end('not here');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise((resolve) => spare.close(resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const call = (input: Record<string, unknown>, overrides = {}) =>
  invokeSkill(
    httpSkill,
    input,
    testSkillContext({ idempotencyKey: 'run_1:fetch:1', ...overrides }),
  ) as Promise<{
    status: number;
    headers: Record<string, string | string[]>;
    body: unknown;
  }>;

describe('http', () => {
  it('sends a GET by default and parses a JSON response', async () => {
    const output = await call({ url: `${base}/echo` });
    expect(output.status).toBe(200);
    const echo = output.body as Echo;
    expect(echo.method).toBe('GET');
    expect(echo.body).toBe('');
  });

  it('returns headers as a plain object with lower-case names', async () => {
    const { headers } = await call({ url: `${base}/echo` });
    expect(headers['x-custom']).toBe('yes');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('sends other methods, lower-case ones included', async () => {
    for (const method of ['POST', 'put', 'PATCH', 'DELETE']) {
      const { body } = await call({ method, url: `${base}/echo` });
      expect((body as Echo).method).toBe(method.toUpperCase());
    }
    const head = await call({ method: 'HEAD', url: `${base}/echo` });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('appends query values to the URL, repeating arrays and leaving out null', async () => {
    const { body } = await call({
      url: `${base}/echo?keep=1`,
      query: { q: 'a b&c', n: 5, flag: true, tag: ['x', 'y'], none: null },
    });
    expect((body as Echo).url).toBe('/echo?keep=1&q=a+b%26c&n=5&flag=true&tag=x&tag=y');
  });

  it('sends json with a JSON content type', async () => {
    const { body } = await call({ method: 'POST', url: `${base}/echo`, json: { id: 7, tags: ['a'] } });
    const echo = body as Echo;
    expect(echo.headers['content-type']).toBe('application/json');
    expect(JSON.parse(echo.body)).toEqual({ id: 7, tags: ['a'] });
  });

  it('sends a raw body and the caller’s headers', async () => {
    const { body } = await call({
      method: 'PUT',
      url: `${base}/echo`,
      body: 'a,b\n1,2\n',
      headers: { 'Content-Type': 'text/csv', 'X-Count': 2, Authorization: 'Bearer t' },
    });
    const echo = body as Echo;
    expect(echo.body).toBe('a,b\n1,2\n');
    expect(echo.headers).toMatchObject({
      'content-type': 'text/csv',
      'x-count': '2',
      authorization: 'Bearer t',
    });
  });

  it('sends the idempotency key unless the caller set one', async () => {
    const sent = await call({ url: `${base}/echo` });
    expect((sent.body as Echo).headers['idempotency-key']).toBe('run_1:fetch:1');
    const own = await call({ url: `${base}/echo`, headers: { 'IDEMPOTENCY-KEY': 'mine' } });
    expect((own.body as Echo).headers['idempotency-key']).toBe('mine');
  });

  it('returns text bodies as text and +json bodies parsed', async () => {
    expect((await call({ url: `${base}/text` })).body).toBe('plain words');
    const created = await call({ url: `${base}/problem+json` });
    expect(created).toMatchObject({ status: 201, body: { title: 'made' } });
    expect(await call({ url: `${base}/empty` })).toMatchObject({ status: 204, body: '' });
  });

  it('accepts the statuses named in expect_status', async () => {
    expect((await call({ url: `${base}/busy`, expect_status: 503 })).status).toBe(503);
    expect((await call({ url: `${base}/nothing`, expect_status: [200, 404] })).body).toBe('not here');
    const error = await rejectionOf(call({ url: `${base}/echo`, expect_status: [201, 202, 204] }));
    expect(error.message).toBe(`GET ${base}/echo answered 200, expected 201, 202 or 204`);
  });

  it('fails with http_status, the status, the body and retry_after_ms', async () => {
    const error = await rejectionOf(call({ url: `${base}/busy` }));
    expect(error.code).toBe('http_status');
    expect(error.message).toBe(`GET ${base}/busy answered 503, expected 2xx`);
    expect(error.details).toEqual({ status: 503, body: { error: 'busy' }, retry_after_ms: 7000 });
  });

  it('reads retry_after_ms from an HTTP date and cuts long error bodies', async () => {
    const limited = await rejectionOf(call({ url: `${base}/busy-until` }));
    expect(limited.details.status).toBe(429);
    expect(limited.details.retry_after_ms).toBeGreaterThan(55_000);
    expect(limited.details.retry_after_ms).toBeLessThanOrEqual(60_000);
    const huge = await rejectionOf(call({ url: `${base}/huge-error` }));
    expect(huge.details.body).toBe(`${'e'.repeat(4096)}[...${10_000 - 4096} more characters]`);
    expect(huge.details).not.toHaveProperty('retry_after_ms');
  });

  it('stops mid-request on abort with the signal’s reason', async () => {
    const controller = new AbortController();
    const pending = call({ url: `${base}/hang` }, { signal: controller.signal });
    setTimeout(() => controller.abort(new WeftError('timeout', 'step timed out after 100ms')), 100);
    const error = await rejectionOf(pending);
    expect(error.code).toBe('timeout');
    const cancelled = new AbortController();
    const other = call({ url: `${base}/hang` }, { signal: cancelled.signal });
    setTimeout(() => cancelled.abort(), 50);
    expect((await rejectionOf(other)).code).toBe('cancelled');
  });

  it('fails with skill_error naming the URL and the cause when the connection is refused', async () => {
    const error = await rejectionOf(
      call({ method: 'post', url: `http://127.0.0.1:${closedPort}/x`, json: {} }),
    );
    expect(error.code).toBe('skill_error');
    expect(error.message).toBe(
      `POST http://127.0.0.1:${closedPort}/x failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
    expect(error.details).toEqual({ errno: 'ECONNREFUSED' });
  });

  it('refuses bad requests before sending', async () => {
    expect((await rejectionOf(call({ url: 'not a url' }))).message).toBe(
      "http: /url must be an absolute URL, got 'not a url'",
    );
    expect((await rejectionOf(call({ url: 'ftp://x.test/' }))).message).toBe(
      "http: /url must use http or https, got 'ftp:'",
    );
    expect((await rejectionOf(call({ url: `${base}/echo`, json: {} }))).message).toBe(
      'http: a GET request cannot have a body',
    );
    expect(
      (await rejectionOf(call({ method: 'POST', url: `${base}/echo`, json: {}, body: '' }))).message,
    ).toBe('http: give either /json or /body, not both');
    const schema = await rejectionOf(call({ url: `${base}/echo`, expect_status: '2xx', header: {} }));
    expect(schema.code).toBe('validation_failed');
    expect(schema.message).toBe(
      "skill 'http' input: /header is not allowed (did you mean 'headers'?); /expect_status must be integer,array",
    );
  });

  it('sends credentials in the URL as Basic auth and keeps them out of messages', async () => {
    const { body } = await call({ url: `${base.replace('//', '//user:s%40cret@')}/echo` });
    expect((body as Echo).headers.authorization).toBe(
      `Basic ${Buffer.from('user:s@cret').toString('base64')}`,
    );
    const error = await rejectionOf(call({ url: `http://user:secret@127.0.0.1:${closedPort}/` }));
    expect(error.message).toBe(
      `GET http://***@127.0.0.1:${closedPort}/ failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
  });
});
