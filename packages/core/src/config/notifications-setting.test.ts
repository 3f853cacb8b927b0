import { describe, expect, it } from 'vitest';
import { parseConfigFile } from './load-config.js';

describe('config: hooks and notifications', () => {
  it('reads hook modules, hook_timeout and notification sinks', () => {
    const config = parseConfigFile(
      '/app/weft.config.yaml',
      `hooks: [hooks/audit.ts]
hook_timeout: 2s
notifications:
  attempts: 4
  backoff: 250ms
  sinks:
    - { url: "https://ops.test/weft", on: [failed, delayed], delay_after: 10m }
`,
      '/app',
    );
    expect(config.hooks).toEqual(['hooks/audit.ts']);
    expect(config.hook_timeout).toBe(2000);
    expect(config.notifications).toEqual({
      attempts: 4,
      backoffMs: 250,
      sinks: [{ url: 'https://ops.test/weft', on: ['failed', 'delayed'], delayAfterMs: 600_000 }],
    });
  });

  it('says what a bad sink should be', () => {
    expect(() =>
      parseConfigFile('/app/weft.config.yaml', 'notifications:\n  sinks: [ { url: ftp://x } ]\n', '/app'),
    ).toThrow(/expected an http\(s\) URL/);
  });
});
