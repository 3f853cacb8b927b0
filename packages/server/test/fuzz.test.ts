import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, type TestServer, testServer, waitFor } from './support.js';

/** Small seeded PRNG (mulberry32): a failure names its seed and request, so it can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.WEFT_FUZZ_SEED ?? 20_240_611);
const COUNT = 1200;
const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

const DOCS = [
  HELLO,
  'name: pair\nsteps:\n  - { id: a, type: skill, skill: echo, inputs: { n: 1 } }\n  - { id: b, type: skill, skill: transform, inputs: { value: "${ steps.a.output.n + 1 }" } }\n',
  '{"name":"json-flow","steps":[{"id":"a","type":"skill","skill":"log","inputs":{"message":"hi"}}]}',
  'name: vars\nsteps:\n  - { id: v, type: set, values: { count: 1 } }\n  - { id: f, type: fail, code: bad_input, message: "no" }\n',
];
const TOKENS = [
  'shell',
  'log',
  'echo',
  'transform',
  'nope',
  '${ inputs.x }',
  '${',
  '}',
  '[',
  ']',
  '{',
  ':',
  '- ',
  '\t',
  '',
  'null',
  '0',
  '-1',
  '1e309',
  '"',
  "'",
  'parallel',
  'loop',
  'set',
  'fail',
  '\u0000',
  '\u{1F600}',
  'needs: [a]',
  '&anchor',
  '*alias',
  '!!binary',
];
const STRINGS = [
  '',
  ' ',
  'a',
  'x'.repeat(300),
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u{1F600}',
  'null',
  '-1',
  '1e999',
  'NaN',
  'running,nope',
  'completed',
  '2024-01-01T00:00:00Z',
  '<script>',
  "' OR 1=1 --",
  '%zz',
  'ZXhhbXBsZQ',
  'MTAwMDpyMQ',
];

function randomJson(depth = 0): unknown {
  switch (int(depth > 2 ? 6 : 8)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick([0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308]);
    case 3:
    case 4:
      return pick(STRINGS);
    case 5:
      return pick(DOCS);
    case 6:
      return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(4) }, () => [
          pick(['source', 'path', 'file', 'input', 'x', '']),
          randomJson(depth + 1),
        ]),
      );
  }
}

function mutateText(text: string): string {
  let out = text;
  for (let i = 0, n = 1 + int(4); i < n; i++) {
    const at = int(out.length + 1);
    switch (int(5)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + int(8));
        break;
      case 1:
        out = out.slice(0, at) + pick(TOKENS) + out.slice(at);
        break;
      case 2:
        out = out.replace(
          pick(['echo', 'log', 'transform', 'skill', 'steps', 'id', 'name', 'inputs']),
          pick(TOKENS),
        );
        break;
      case 3:
        out = out.slice(0, at);
        break;
      default: {
        const lines = out.split('\n');
        const [a, b] = [int(lines.length), int(lines.length)];
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        out = lines.join('\n');
      }
    }
  }
  return out;
}

function randomBody(): unknown {
  switch (int(5)) {
    case 0:
      return randomJson();
    case 1:
      return { source: mutateText(pick(DOCS)), ...(rand() < 0.5 ? { input: randomJson() } : {}) };
    case 2:
      return {
        source: pick(DOCS),
        input: randomJson(),
        ...(rand() < 0.3 ? { [pick(['path', 'file', 'extra'])]: randomJson() } : {}),
      };
    case 3:
      return { path: pick(STRINGS), input: randomJson() };
    default:
      return { source: pick(DOCS), file: pick(['a.json', 'b.yaml', '', 'x'.repeat(600), pick(STRINGS)]) };
  }
}

function randomQuery(keys: readonly string[]): string {
  const parts = Array.from({ length: int(4) }, () => {
    const key = rand() < 0.8 ? pick(keys) : pick(STRINGS);
    return `${encodeURIComponent(key)}=${rand() < 0.2 ? pick(STRINGS) : encodeURIComponent(String(randomJson(3)))}`;
  });
  return parts.join('&');
}

function randomRequest(runIds: readonly string[]): InjectOptions {
  const id = rand() < 0.5 && runIds.length > 0 ? pick(runIds) : encodeURIComponent(pick(STRINGS)) || 'x';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (rand() < 0.2) headers['idempotency-key'] = pick([...STRINGS, 'k1', 'k2']);
  if (rand() < 0.1)
    headers['content-type'] = pick([
      'text/plain',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      '',
    ]);
  switch (int(13)) {
    case 11:
      return {
        method: 'POST',
        url: pick(['/api/v1/workflows', '/api/v1/workflows/hello/rollback']),
        headers,
        payload: JSON.stringify(
          rand() < 0.6
            ? {
                source: mutateText(pick(DOCS)),
                message: pick(STRINGS),
                status: pick(['draft', 'active', 'x']),
              }
            : { version: randomJson(2), ...(rand() < 0.5 ? { extra: randomJson() } : {}) },
        ),
      };
    case 12: {
      const name = rand() < 0.5 ? 'hello' : encodeURIComponent(pick(STRINGS)) || 'x';
      return pick<InjectOptions>([
        { method: 'GET', url: `/api/v1/workflows/${name}?${randomQuery(['version'])}` },
        { method: 'GET', url: `/api/v1/workflows/${name}/versions/${pick(['1', '0', '-1', 'x', '99'])}` },
        { method: 'GET', url: `/api/v1/workflows/${name}/diff?${randomQuery(['from', 'to'])}` },
        {
          method: 'PUT',
          url: `/api/v1/workflows/${name}/versions/${pick(['1', '2', 'x'])}/status`,
          headers,
          payload: JSON.stringify({ status: pick(['draft', 'active', 'deprecated', 'archived', 'gone', 1]) }),
        },
        { method: 'GET', url: `/api/v1/workflows/${name}/versions` },
      ]);
    }
    case 0:
    case 1:
    case 2: {
      const body = randomBody();
      return {
        method: 'POST',
        url: '/api/v1/runs',
        headers,
        payload: rand() < 0.1 ? mutateText(JSON.stringify(body)) : JSON.stringify(body),
      };
    }
    case 3:
      return {
        method: 'POST',
        url: '/api/v1/workflows/validate',
        headers,
        payload: JSON.stringify(
          rand() < 0.7 ? { source: mutateText(pick(DOCS)), file: pick(['x.json', 'x.yaml']) } : randomJson(),
        ),
      };
    case 4:
      return {
        method: 'GET',
        url: `/api/v1/runs?${randomQuery(['workflow', 'status', 'parent', 'cursor', 'limit', 'created_before', 'created_after'])}`,
      };
    case 5:
      return {
        method: 'GET',
        url: `/api/v1/runs/${id}/${pick(['events', 'logs'])}?${randomQuery(['after', 'limit'])}`,
      };
    case 6:
      return { method: 'GET', url: `/api/v1/runs/${id}` };
    case 7:
      // Always names a run that does not exist, so no live stream is opened.
      return {
        method: 'GET',
        url: `/api/v1/stream?run=missing-${int(1000)}&${randomQuery(['workflow', 'after', 'access_token'])}`,
        headers: rand() < 0.5 ? { 'last-event-id': pick(STRINGS) } : {},
      };
    default:
      return {
        method: pick(['PUT', 'DELETE', 'PATCH', 'GET', 'POST']),
        url: pick([
          '/api/v1/runs/x/pause',
          '/api/v1',
          '/docs/../etc',
          `/api/v1/runs/${pick(STRINGS)}`,
          '/%zz',
          '/healthz?x=%',
        ]),
        payload: rand() < 0.5 ? 'junk' : undefined,
      };
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await testServer({ bodyLimit: 64 * 1024 });
});
afterAll(async () => server?.close());

describe(`fuzz (${COUNT} requests, seed ${SEED})`, () => {
  it('answers random and mutated requests with 2xx or 4xx JSON, never 5xx, and stays up and consistent', async () => {
    const statuses = new Map<number, number>();
    const runIds: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const request = randomRequest(runIds);
      const res = await server.app.inject(request);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const where = `request ${i} (seed ${SEED}): ${JSON.stringify(request).slice(0, 400)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, where).toBeLessThan(500);
      if (res.statusCode >= 400) expect(res.json().error.code, where).toMatch(/^[a-z_]+$/);
      if (res.statusCode === 201 && request.url === '/api/v1/runs') runIds.push(res.json().id);
    }
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect(runIds.length).toBeGreaterThan(10);

    expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ok = await server.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { source: HELLO, input: { name: 'after' } },
    });
    expect(ok.statusCode).toBe(201);

    // The store is consistent: every run ends, and its events are numbered 1..last_seq without a gap.
    const runs = await waitFor(async () => {
      const all = await server.engine.listRuns({ limit: 10_000 });
      return all.every((r) => ['completed', 'failed', 'cancelled'].includes(r.status)) ? all : undefined;
    }, 30_000);
    expect(runs.length).toBe(runIds.length + 1);
    for (const run of runs) {
      const seqs = (await server.engine.getEvents(run.id)).map((e) => e.seq);
      expect(seqs, run.id).toEqual(Array.from({ length: run.lastSeq }, (_, i) => i + 1));
    }
  });
});
