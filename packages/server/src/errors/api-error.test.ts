import { WeftError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { toApiError } from './api-error.js';
import { codeForStatus, HTTP_STATUS_BY_CODE, httpStatusOf } from './http-status.js';

describe('the code-to-status table', () => {
  it('maps the API codes and makes anything else a 500', () => {
    expect(httpStatusOf('invalid_document')).toBe(400);
    expect(httpStatusOf('unauthorized')).toBe(401);
    expect(httpStatusOf('forbidden')).toBe(403);
    expect(httpStatusOf('not_found')).toBe(404);
    expect(httpStatusOf('conflict')).toBe(409);
    expect(httpStatusOf('payload_too_large')).toBe(413);
    expect(httpStatusOf('rate_limited')).toBe(429);
    expect(httpStatusOf('store_error')).toBe(500);
    expect(codeForStatus(413)).toBe('payload_too_large');
    expect(codeForStatus(418)).toBe('invalid_request');
    for (const [code, status] of Object.entries(HTTP_STATUS_BY_CODE)) expect(httpStatusOf(code)).toBe(status);
  });
});

describe('toApiError', () => {
  it('keeps a WeftError with a known code, with its details', () => {
    const error = new WeftError('conflict', 'run r1 has already ended', { details: { run_id: 'r1' } });
    expect(toApiError(error, 'req-1')).toEqual({
      status: 409,
      body: { error: { code: 'conflict', message: 'run r1 has already ended', details: { run_id: 'r1' } } },
      internal: false,
    });
  });

  it('hides the message of anything else behind internal_error and the request id', () => {
    for (const thrown of [
      new Error('password=hunter2'),
      new WeftError('store_error', 'SQLITE_BUSY at /srv/db'),
      'text',
      null,
    ]) {
      const { status, body, internal } = toApiError(thrown, 'req-9');
      expect(status).toBe(500);
      expect(internal).toBe(true);
      expect(body.error.code).toBe('internal_error');
      expect(JSON.stringify(body)).not.toMatch(/hunter2|SQLITE|\/srv/);
      expect(body.error.details).toEqual({ request_id: 'req-9' });
    }
  });
});
