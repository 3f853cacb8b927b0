import { visibleWidth } from './ansi.js';

export interface Column<T> {
  header: string;
  value(row: T): string;
  align?: 'left' | 'right';
}

/**
 * Rows as aligned text columns (colors allowed in cells) separated by two spaces, header first; no trailing spaces.
 * @example table([{ id: 'a' }], [{ header: 'ID', value: (r) => r.id }]) // 'ID\na'
 */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => c.value(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => visibleWidth(line[i] ?? ''))));
  return cells
    .map((line) =>
      line
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - visibleWidth(cell));
          return columns[i]!.align === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
