import { WeftError } from '../../errors.js';
import { abortError } from '../support/abort.js';
import {
  describeExpected,
  displayUrl,
  headersObject,
  parseBody,
  retryAfterMs,
  statusMatches,
} from '../support/http-response.js';
import { defineSkill } from '../types.js';

type Scalar = string | number | boolean;

export interface HttpInput {
  method?: string;
  url: string;
  headers?: Record<string, Scalar>;
  /** Appended to the URL's query; arrays repeat the name, null is left out. */
  query?: Record<string, Scalar | Scalar[] | null>;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  body?: string;
  /** Default: any 2xx. */
  expect_status?: number | number[];
}

export interface HttpOutput {
  status: number;
  /** Lower-case names; `set-cookie` is a list. */
  headers: Record<string, string | string[]>;
  /** Parsed when the response is JSON, else the text. */
  body: unknown;
}

// The error's body is stored with the step; long bodies are cut.
const ERROR_BODY_CHARS = 4096;
const SCALAR_TYPES = ['string', 'number', 'boolean'];
const STATUS = { type: 'integer', minimum: 100, maximum: 599 };

export const httpSkill = defineSkill<HttpInput, HttpOutput>({
  name: 'http',
  description: 'Sends an HTTP request and returns { status, headers, body }; an unexpected status fails.',
  input: {
    type: 'object',
    properties: {
      method: { type: 'string', pattern: '^[A-Za-z]+$', default: 'GET' },
      url: { type: 'string', minLength: 1 },
      headers: { type: 'object', additionalProperties: { type: SCALAR_TYPES } },
      query: {
        type: 'object',
        additionalProperties: { type: [...SCALAR_TYPES, 'null', 'array'], items: { type: SCALAR_TYPES } },
      },
      json: {},
      body: { type: 'string' },
      expect_status: { type: ['integer', 'array'], minimum: 100, maximum: 599, items: STATUS, minItems: 1 },
    },
    required: ['url'],
    additionalProperties: false,
  },
  run: async (input, ctx) => {
    const method = (input.method ?? 'GET').toUpperCase();
    const url = requestUrl(input);
    const target = `${method} ${displayUrl(url)}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name, String(value));
    moveCredentials(url, headers);
    if (!headers.has('idempotency-key')) headers.set('idempotency-key', ctx.idempotencyKey);
    const body = requestBody(input, headers, method);

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers, body, signal: ctx.signal });
      text = await response.text();
    } catch (error) {
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      throw networkError(target, error);
    }
    const contentType = response.headers.get('content-type');
    if (!statusMatches(response.status, input.expect_status)) {
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      throw new WeftError(
        'http_status',
        `${target} answered ${response.status}, expected ${describeExpected(input.expect_status)}`,
        {
          details: {
            status: response.status,
            body: errorBody(text, contentType),
            ...(retryAfter === undefined ? {} : { retry_after_ms: retryAfter }),
          },
        },
      );
    }
    return {
      status: response.status,
      headers: headersObject(response.headers),
      body: parseBody(text, contentType),
    };
  },
});

function requestUrl(input: HttpInput): URL {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch (error) {
    throw new WeftError('validation_failed', `http: /url must be an absolute URL, got '${input.url}'`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WeftError('validation_failed', `http: /url must use http or https, got '${url.protocol}'`);
  }
  for (const [name, value] of Object.entries(input.query ?? {})) {
    if (value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  return url;
}

// fetch refuses URLs with user:password; send them as Basic auth, as curl does.
function moveCredentials(url: URL, headers: Headers): void {
  if (url.username === '' && url.password === '') return;
  if (!headers.has('authorization')) {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set('authorization', `Basic ${Buffer.from(user).toString('base64')}`);
  }
  url.username = '';
  url.password = '';
}

function requestBody(input: HttpInput, headers: Headers, method: string): string | undefined {
  if (input.json !== undefined && input.body !== undefined) {
    throw new WeftError('validation_failed', 'http: give either /json or /body, not both');
  }
  if (input.json === undefined && input.body === undefined) return undefined;
  if (method === 'GET' || method === 'HEAD') {
    throw new WeftError('validation_failed', `http: a ${method} request cannot have a body`);
  }
  if (input.body !== undefined) return input.body;
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return JSON.stringify(input.json);
}

function errorBody(text: string, contentType: string | null): unknown {
  if (text.length > ERROR_BODY_CHARS)
    return `${text.slice(0, ERROR_BODY_CHARS)}[...${text.length - ERROR_BODY_CHARS} more characters]`;
  return parseBody(text, contentType);
}

function networkError(target: string, error: unknown): WeftError {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const first = (cause as { errors?: unknown[] }).errors?.[0] ?? cause;
  const code = (first as { code?: unknown }).code ?? (cause as { code?: unknown }).code;
  const detail = (first as Error).message ?? String(first);
  const why = typeof code === 'string' ? (detail.includes(code) ? detail : `${code}: ${detail}`) : detail;
  return new WeftError('skill_error', `${target} failed: ${why}`, {
    cause: error,
    details: typeof code === 'string' ? { errno: code } : {},
  });
}
