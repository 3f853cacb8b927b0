import type { Engine } from '@weft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HELLO, type TestServer, testServer, waitForRunEnd } from './support.js';

let server: TestServer;
afterEach(async () => server?.close());

describe('POST /api/v1/workflows/validate', () => {
  it('answers valid for a good document and lists problems of a bad one as file:line:column facts', async () => {
    server = await testServer();
    const ok = await server.app.inject({
      method: 'POST',
      url: '/api/v1/workflows/validate',
      payload: { source: HELLO },
    });
    expect(ok.json()).toEqual({ valid: true, workflow: 'hello', problems: [] });
    const bad = await server.app.inject({
      method: 'POST',
      url: '/api/v1/workflows/validate',
      payload: {
        source: 'name: flow\nsteps:\n  - { id: a, type: skill, skill: echo, needs: [b] }\n',
        file: 'flow.yaml',
      },
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json().valid).toBe(false);
    expect(bad.json().problems[0]).toMatchObject({ file: 'flow.yaml', line: 3, path: 'steps[0].needs[0]' });
  });

  it('answers 400 without source, 415 for a body that is not JSON, 413 past the body limit', async () => {
    server = await testServer({ bodyLimit: 1000 });
    const missing = await server.app.inject({
      method: 'POST',
      url: '/api/v1/workflows/validate',
      payload: {},
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({
      code: 'invalid_request',
      message: 'body.source: is required',
    });
    const text = await server.app.inject({
      method: 'POST',
      url: '/api/v1/workflows/validate',
      payload: 'name: x',
      headers: { 'content-type': 'text/yaml' },
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('unsupported_media_type');
    const big = await server.app.inject({
      method: 'POST',
      url: '/api/v1/workflows/validate',
      payload: { source: 'x'.repeat(2000) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
  });
});

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz, and 503 while migrations are pending or the store fails', async () => {
    server = await testServer();
    expect((await server.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await server.app.inject({ url: '/readyz' })).json().status).toBe('ready');
    const store = server.engine.store;
    const real = store.migrationStatus.bind(store);
    store.migrationStatus = async () => ({ ...(await real()), pending: [99] });
    const pending = await server.app.inject({ url: '/readyz' });
    expect(pending.statusCode).toBe(503);
    expect(pending.json().error).toMatchObject({ code: 'not_ready', details: { pending: [99] } });
    store.migrationStatus = async () => {
      throw new Error('database is locked');
    };
    const down = await server.app.inject({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().error.message).toContain('database is locked');
    store.migrationStatus = real;
  });

  it('exposes run, step and HTTP metrics for Prometheus', async () => {
    server = await testServer();
    const run = await server.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { source: HELLO, input: { name: 'm' } },
    });
    await waitForRunEnd(server.engine, run.json().id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await server.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('weft_runs_total{workflow="hello",event="started"} 1');
    expect(res.body).toContain('weft_runs_total{workflow="hello",event="completed"} 1');
    // Gauges: nothing running, queued or dead-lettered once the run ended; no breaker configured.
    expect(res.body).toContain('weft_running_steps 0');
    expect(res.body).toContain('weft_queued_runs 0');
    expect(res.body).toContain('weft_dead_letters 0');
    expect(res.body).toContain('# TYPE weft_breaker_state gauge');
    expect(res.body).toContain('# TYPE weft_cache_hits_total counter');
    expect(res.body).toContain(
      'weft_step_duration_seconds_count{type="skill",skill="echo",outcome="completed"} 1',
    );
    expect(res.body).toContain(
      'weft_step_duration_seconds_count{type="skill",skill="log",outcome="completed"} 1',
    );
    expect(res.body).toMatch(
      /weft_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/runs",status_code="201"\} 1/,
    );
  });

  it('counts cache misses and hits by step type', async () => {
    server = await testServer();
    const source =
      'name: cached\nsteps:\n  - { id: a, type: skill, skill: echo, inputs: { n: 1 }, cache: { key: "k", ttl: 1h } }\n';
    for (let i = 0; i < 2; i++) {
      const run = await server.app.inject({ method: 'POST', url: '/api/v1/runs', payload: { source } });
      await waitForRunEnd(server.engine, run.json().id);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await server.app.inject({ url: '/metrics' });
    expect(res.body).toContain('weft_cache_misses_total{type="skill"} 1');
    expect(res.body).toContain('weft_cache_hits_total{type="skill"} 1');
  });
});

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3.1 document with request and response schemas for every route', async () => {
    server = await testServer();
    const doc = (await server.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/breakers',
        '/api/v1/breakers/{target}/reset',
        '/api/v1/cache',
        '/api/v1/dlq',
        '/api/v1/dlq/{id}',
        '/api/v1/dlq/{id}/replay',
        '/api/v1/events',
        '/api/v1/runs',
        '/api/v1/runs/{id}/rerun',
        '/api/v1/runs/{id}',
        '/api/v1/runs/{id}/approvals/{step}',
        '/api/v1/runs/{id}/cancel',
        '/api/v1/runs/{id}/pause',
        '/api/v1/runs/{id}/resume',
        '/api/v1/runs/{id}/events',
        '/api/v1/runs/{id}/logs',
        '/api/v1/schedules',
        '/api/v1/schedules/preview',
        '/api/v1/schedules/{name}',
        '/api/v1/schedules/{name}/history',
        '/api/v1/schedules/{name}/pause',
        '/api/v1/schedules/{name}/resume',
        '/api/v1/stream',
        '/api/v1/templates',
        '/api/v1/templates/{name}',
        '/api/v1/templates/{name}/instantiate',
        '/api/v1/templates/{name}/versions',
        '/api/v1/workflows',
        '/api/v1/workflows/{name}',
        '/api/v1/workflows/{name}/diff',
        '/api/v1/workflows/{name}/rollback',
        '/api/v1/workflows/{name}/versions',
        '/api/v1/workflows/{name}/versions/{version}',
        '/api/v1/workflows/{name}/versions/{version}/status',
        '/api/v1/workflows/validate',
        '/healthz',
        '/hooks/{token}',
        '/metrics',
        '/readyz',
      ].sort(),
    );
    for (const [path, methods] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: object }>>,
    )) {
      for (const [method, op] of Object.entries(methods)) {
        expect(
          Object.keys(op.responses).some((code) => /^20[0-2]$/.test(code)),
          `${method} ${path}`,
        ).toBe(true);
        expect(Object.keys(op.responses), `${method} ${path}`).toContain('4XX');
      }
    }
    expect(doc.paths['/api/v1/runs'].post.requestBody).toBeDefined();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('serves Swagger UI from the package itself, loading nothing from another site', async () => {
    server = await testServer();
    const html = await server.app.inject({ url: '/docs/' });
    expect(html.statusCode).toBe(200);
    expect(html.body).not.toMatch(/(src|href)="https?:/);
    const init = await server.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toContain('validatorUrl: null');
    expect(init.body).not.toMatch(/url: ["']https?:/);
    const bundle = await server.app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });
});

describe('errors at the boundary', () => {
  it('answers 404 JSON for unknown routes', async () => {
    server = await testServer();
    const res = await server.app.inject({ url: '/api/v1/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'not_found', message: 'no route GET /api/v1/nothing', details: {} },
    });
  });

  it('turns an unexpected throw into a 500 that does not leak its message or stack', async () => {
    server = await testServer();
    (server.engine as { getRun: Engine['getRun'] }).getRun = async () => {
      throw new Error('SELECT secret FROM internals');
    };
    const res = await server.app.inject({ url: '/api/v1/runs/x' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('internal_error');
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('at ');
    expect(res.json().error.details.request_id).toBe(res.json().error.message.match(/request (\S+)$/)?.[1]);
  });
});

describe('CORS', () => {
  it('sends no CORS headers unless origins are configured', async () => {
    server = await testServer();
    const res = await server.app.inject({ url: '/healthz', headers: { origin: 'https://ui.example.test' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the configured origins and answers their preflights', async () => {
    server = await testServer({
      cors: { origins: ['https://ui.example.test'] },
      auth: { tokens: [{ token: 'a'.repeat(20), scope: 'read' }] },
    });
    const pre = await server.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/runs',
      headers: { origin: 'https://ui.example.test', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ui.example.test');
    expect(pre.headers['access-control-allow-headers']).toContain('authorization');
    const other = await server.app.inject({
      url: '/healthz',
      headers: { origin: 'https://evil.example.test' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
