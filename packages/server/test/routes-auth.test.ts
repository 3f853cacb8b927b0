import { afterEach, describe, expect, it } from 'vitest';
import { HELLO, type TestServer, testServer } from './support.js';

let server: TestServer;
afterEach(async () => server?.close());

const READ = 'read-token-0123456789';
const WRITE = 'write-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const tokens = [
  { token: READ, scope: 'read' as const },
  { token: WRITE, scope: 'write' as const },
  { token: ADMIN, scope: 'admin' as const },
];

const call = (method: 'GET' | 'POST', url: string, token?: string) =>
  server.app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(method === 'POST' ? { payload: { source: HELLO, input: { name: 'a' } } } : {}),
  });

describe('bearer tokens', () => {
  it('leaves every route open when no token is configured', async () => {
    server = await testServer();
    expect((await call('GET', '/api/v1/runs')).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/runs')).statusCode).toBe(201);
  });

  it('answers 401 without a token or with a wrong one, with WWW-Authenticate', async () => {
    server = await testServer({ auth: { tokens } });
    const none = await call('GET', '/api/v1/runs');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="weft"');
    expect(none.json().error.code).toBe('unauthorized');
    expect((await call('GET', '/api/v1/runs', 'wrong-token-0123456789')).statusCode).toBe(401);
    const basic = await server.app.inject({
      url: '/api/v1/runs',
      headers: { authorization: `Basic ${READ}` },
    });
    expect(basic.statusCode).toBe(401);
  });

  it('answers 403 when the scope is too small: read reads, write starts runs, admin does both', async () => {
    server = await testServer({ auth: { tokens } });
    expect((await call('GET', '/api/v1/runs', READ)).statusCode).toBe(200);
    const refused = await call('POST', '/api/v1/runs', READ);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'forbidden',
      details: { required: 'write', scope: 'read' },
    });
    expect((await call('POST', '/api/v1/runs', WRITE)).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/runs', ADMIN)).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/runs', ADMIN)).statusCode).toBe(200);
  });

  it('keeps health, the OpenAPI document and the docs public; metrics need read', async () => {
    server = await testServer({ auth: { tokens } });
    for (const url of ['/healthz', '/readyz', '/api/v1/openapi.json', '/docs/', '/docs/json']) {
      expect((await call('GET', url)).statusCode, url).toBe(200);
    }
    expect((await call('GET', '/metrics')).statusCode).toBe(401);
    expect((await call('GET', '/metrics', READ)).statusCode).toBe(200);
  });

  it('accepts access_token in the query only on the stream route', async () => {
    server = await testServer({ auth: { tokens } });
    expect((await call('GET', `/api/v1/runs?access_token=${READ}`)).statusCode).toBe(401);
    const res = await call('GET', `/api/v1/stream?run=nope&access_token=${READ}`);
    expect(res.statusCode).toBe(404);
    expect((await call('GET', '/api/v1/stream?run=nope')).statusCode).toBe(401);
  });

  it('refuses tokens too short to be secrets', async () => {
    await expect(testServer({ auth: { tokens: [{ token: 'short', scope: 'read' }] } })).rejects.toThrow(
      /at least 16 characters, got 5/,
    );
  });
});
