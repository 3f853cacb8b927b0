import type { AnyWeftEvent } from '@weft/core';
import { describe, expect, it, vi } from 'vitest';
import { colorsFor } from './colors.js';
import { LineRenderer } from './line-renderer.js';
import { RunView } from './run-view.js';
import { TreeRenderer } from './tree-renderer.js';

const plain = colorsFor({ isTTY: false }, {});
const at = new Date(2024, 4, 1, 12, 0, 1).getTime();

function event(type: string, stepKey: string | null, data: Record<string, unknown>): AnyWeftEvent {
  return { type, runId: 'r1', workflow: 'wf', seq: 1, time: at, stepKey, data } as AnyWeftEvent;
}

function sink(): { text: string; write(chunk: string): boolean; columns?: number; rows?: number } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe('LineRenderer', () => {
  it('prints one line per finished step, log line and failure', () => {
    const out = sink();
    const renderer = new LineRenderer(out, plain);
    const error = { code: 'exit_code', message: 'command exited with 3\nmore' };
    renderer.event(event('step.started', 'fetch', { stepId: 'fetch', type: 'skill', attempt: 1 }));
    renderer.event(
      event('step.completed', 'fetch', { stepId: 'fetch', type: 'skill', attempt: 1, durationMs: 12 }),
    );
    renderer.event(event('step.log', 'fetch', { level: 'warn', message: 'slow' }));
    renderer.event(
      event('step.retrying', 'ship', { stepId: 'ship', type: 'skill', attempt: 1, delayMs: 1000, error }),
    );
    renderer.event(
      event('step.failed', 'ship', { stepId: 'ship', type: 'skill', attempt: 2, durationMs: 5, error }),
    );
    renderer.event(event('step.blocked', 'notify', { stepId: 'notify', type: 'skill', by: 'ship' }));
    expect(out.text.split('\n')).toEqual([
      '12:00:01 ✓ fetch 12ms',
      '12:00:01 [warn] fetch: slow',
      '12:00:01 ↻ ship retrying in 1.00s',
      '12:00:01 ✗ ship failed (attempt 2): exit_code: command exited with 3',
      '12:00:01 ⊘ notify blocked by ship',
      '',
    ]);
  });
});

describe('TreeRenderer', () => {
  it('redraws the tree in place, notes above it, and leaves the final tree', () => {
    vi.useFakeTimers();
    try {
      const out = { ...sink(), columns: 80, rows: 20 };
      const view = new RunView();
      const renderer = new TreeRenderer(view, out, plain, () => at + 500);
      const started = event('step.started', 'loop', { stepId: 'loop', type: 'loop', attempt: 1 });
      const child = event('step.completed', 'loop[0].b', {
        stepId: 'b',
        type: 'skill',
        attempt: 1,
        durationMs: 3,
      });
      for (const e of [started, child]) {
        view.apply(e);
        renderer.event(e);
      }
      vi.advanceTimersByTime(100);
      expect(out.text).toBe('\x1b[?25l⠙ loop         500ms\n✓   loop[0].b  3ms\n');
      renderer.print('a note');
      renderer.stop();
      const frame = '\n✓   loop[0].b  3ms\n';
      expect(out.text.slice(out.text.indexOf(frame) + frame.length)).toBe(
        '\x1b[2A\r\x1b[0Ja note\n▸ loop         500ms\n✓   loop[0].b  3ms\n\x1b[?25h',
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
