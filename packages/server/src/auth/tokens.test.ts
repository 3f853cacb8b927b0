import { describe, expect, it } from 'vitest';
import { assertSafeListen, isLoopbackHost } from './loopback.js';
import { parseApiTokens, scopeAllows, TokenTable } from './tokens.js';

describe('API tokens', () => {
  it('parses token:scope lists', () => {
    expect(parseApiTokens('aaaaaaaaaaaaaaaa:read, bbbbbbbbbbbbbbbb:c:admin')).toEqual([
      { token: 'aaaaaaaaaaaaaaaa', scope: 'read' },
      { token: 'bbbbbbbbbbbbbbbb:c', scope: 'admin' },
    ]);
    expect(parseApiTokens(undefined)).toEqual([]);
    expect(parseApiTokens('  ')).toEqual([]);
  });

  it('names the bad entry by position, never by its text', () => {
    expect(() => parseApiTokens('aaaaaaaaaaaaaaaa:read,secret-value-123456:root')).toThrow(
      "WEFT_API_TOKENS: entry 2: expected token:scope with scope read, write or admin, got scope 'root'",
    );
    expect(() => parseApiTokens('secret-value-123456')).toThrow(/entry 1: .*got no scope/);
    expect(() => parseApiTokens('short:read')).toThrow(
      'entry 1: expected a token of at least 16 characters, got 5',
    );
  });

  it('orders scopes read < write < admin and finds a token in constant time', () => {
    expect(scopeAllows('admin', 'write')).toBe(true);
    expect(scopeAllows('read', 'write')).toBe(false);
    const table = new TokenTable([{ token: 'x'.repeat(16), scope: 'write' }]);
    expect(table.scopeOf('x'.repeat(16))).toBe('write');
    expect(table.scopeOf('y'.repeat(16))).toBeUndefined();
    expect(new TokenTable([]).enabled).toBe(false);
  });
});

describe('listening beyond loopback', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.test', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses a non-loopback address without a token, saying what to do', () => {
    expect(() => assertSafeListen('0.0.0.0', false)).toThrow(
      /refusing to listen on 0\.0\.0\.0 without an API token.*WEFT_API_TOKENS/,
    );
    expect(() => assertSafeListen('0.0.0.0', true)).not.toThrow();
    expect(() => assertSafeListen('127.0.0.1', false)).not.toThrow();
  });
});
