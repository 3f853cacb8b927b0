import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WeftError } from '../errors.js';
import { loadConfig } from './load-config.js';

function dirWith(text: string): string {
  const cwd = mkdtempSync(join(tmpdir(), 'weft-resilience-config-'));
  writeFileSync(join(cwd, 'weft.config.yaml'), text);
  return cwd;
}

async function problems(cwd: string, env: Record<string, string> = {}): Promise<string[]> {
  const error = (await loadConfig({ cwd, env }).catch((e: unknown) => e)) as WeftError;
  expect(error.code).toBe('invalid_config');
  return error.message.split('\n');
}

describe('limits, redis and circuit_breakers settings', () => {
  it('reads them from the file', async () => {
    const cwd = dirWith(
      'limits: { running_runs: 20, running_steps: 100, skills: { http: 8 } }\nredis: { url: "redis://127.0.0.1:6379/2", key_prefix: "orders:" }\n',
    );
    expect(await loadConfig({ cwd, env: {} })).toMatchObject({
      limits: { runningRuns: 20, runningSteps: 100, skills: { http: 8 } },
      redis: { url: 'redis://127.0.0.1:6379/2', keyPrefix: 'orders:' },
    });
  });

  it('takes WEFT_REDIS, and WEFT_LIMITS and WEFT_CIRCUIT_BREAKERS as JSON, over the file', async () => {
    const cwd = dirWith('limits: { running_runs: 1 }\n');
    const config = await loadConfig({
      cwd,
      env: {
        WEFT_REDIS: 'redis://cache:6379',
        WEFT_LIMITS: '{"skills":{"shell":2}}',
        WEFT_CIRCUIT_BREAKERS: '{"default":{"failure_threshold":3,"open_for":"1m"}}',
      },
    });
    expect(config).toMatchObject({
      redis: { url: 'redis://cache:6379' },
      limits: { skills: { shell: 2 } },
      circuitBreakers: { default: { failureThreshold: 3, openForMs: 60_000 } },
    });
  });

  it('refuses limits below 1 and a redis that is not a redis:// URL, with positions', async () => {
    const cwd = dirWith('limits:\n  running_runs: 0\n  skills: { http: -2 }\nredis: http://127.0.0.1:6379\n');
    expect(await problems(cwd)).toEqual([
      'weft.config.yaml:2:17: limits.running_runs: expected an integer >= 1, got 0',
      'weft.config.yaml:3:19: limits.skills.http: expected an integer >= 1, got -2',
      "weft.config.yaml:4:8: redis: expected a redis:// or rediss:// URL, got 'http://127.0.0.1:6379'",
    ]);
  });

  it('names the variable of a bad JSON setting', async () => {
    expect(await problems(dirWith(''), { WEFT_LIMITS: 'running_runs=2' })).toEqual([
      "WEFT_LIMITS: expected a mapping, got 'running_runs=2'",
    ]);
  });
});
