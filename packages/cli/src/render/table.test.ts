import { describe, expect, it } from 'vitest';
import { stripAnsi } from './ansi.js';
import { table } from './table.js';

describe('table', () => {
  it('aligns columns, right-aligns when asked, and ignores color codes in widths', () => {
    const rows = [
      { id: 'a1', n: '5', s: '\x1b[32mok\x1b[39m' },
      { id: 'b', n: '120', s: 'failed' },
    ];
    const text = table(rows, [
      { header: 'ID', value: (r) => r.id },
      { header: 'N', value: (r) => r.n, align: 'right' },
      { header: 'STATUS', value: (r) => r.s },
    ]);
    expect(stripAnsi(text)).toBe('ID    N  STATUS\na1    5  ok\nb   120  failed');
  });
});
