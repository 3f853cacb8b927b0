import { describe, expect, it } from 'vitest';
import { Journal } from './journal.js';

const record = (seq: number) => ({ runId: 'r', seq, type: 'step.log', time: 0, stepKey: null, data: null });

describe('Journal', () => {
  it('gives the events after a position while they are kept', () => {
    const journal = new Journal(3);
    for (let seq = 1; seq <= 5; seq++) journal.append('w', record(seq));
    expect(journal.after(4)?.map((e) => e.n)).toEqual([5]);
    expect(journal.after(2)?.map((e) => e.n)).toEqual([3, 4, 5]);
    expect(journal.after(5)).toEqual([]);
    expect(journal.after(1)).toBeUndefined();
    expect(journal.after(6)).toBeUndefined();
  });

  it('refuses every position reached before events went unrecorded', () => {
    const journal = new Journal(10);
    journal.append('w', record(1));
    journal.invalidate();
    expect(journal.after(1)).toBeUndefined();
    journal.append('w', record(2));
    expect(journal.after(2)).toEqual([]);
  });
});
