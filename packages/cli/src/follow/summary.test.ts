import { describe, expect, it } from 'vitest';
import { colorsFor } from '../render/colors.js';
import { RunView } from '../render/run-view.js';
import { runSummary, toJsonResult } from './summary.js';

const plain = colorsFor({ isTTY: false }, {});

describe('toJsonResult', () => {
  it('has exactly run_id, status, output, error; error is {code, message, step}', () => {
    const json = toJsonResult({
      runId: 'r1',
      status: 'failed',
      output: undefined,
      error: { code: 'exit_code', message: 'exited with 3', step: 'ship', attempt: 2, exit_code: 3 },
    });
    expect(json).toEqual({
      run_id: 'r1',
      status: 'failed',
      output: null,
      error: { code: 'exit_code', message: 'exited with 3', step: 'ship' },
    });
    expect(Object.keys(json)).toEqual(['run_id', 'status', 'output', 'error']);
  });
});

describe('runSummary', () => {
  it('says how long a completed run took and how many steps ran', () => {
    const view = Object.assign(new RunView(), { workflow: 'hello', durationMs: 1200 });
    expect(runSummary({ runId: 'r1', status: 'completed', output: 1, error: null }, view, plain)).toBe(
      '✓ completed hello in 1.20s (0 steps)',
    );
  });

  it('names the failed step and where to look', () => {
    const view = Object.assign(new RunView(), { workflow: 'ship', durationMs: 50 });
    const error = { code: 'exit_code', message: 'exited with 3', step: 'deploy' };
    expect(runSummary({ runId: 'r9', status: 'failed', output: null, error }, view, plain)).toBe(
      '✗ failed ship in 50ms: deploy: exit_code: exited with 3\n  details: weft runs show r9',
    );
  });
});
