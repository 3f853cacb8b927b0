import { describe, expect, it } from 'vitest';
import { redactUrl } from './logging.js';

describe('redactUrl', () => {
  it('masks stream tokens and webhook tokens in logged URLs', () => {
    expect(redactUrl('/api/v1/stream?run=r1&access_token=s3cret&after=2')).toBe(
      '/api/v1/stream?run=r1&access_token=[redacted]&after=2',
    );
    expect(redactUrl('/hooks/AAAAAAAAAAAAAAAAAAAAAA?x=1')).toBe('/hooks/[redacted]?x=1');
    expect(redactUrl('/api/v1/runs?limit=2')).toBe('/api/v1/runs?limit=2');
  });
});
