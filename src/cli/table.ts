// Tables for the terminal, a pull-request comment (Markdown) or a spreadsheet
// (CSV), from one list of rows, so every command prints them alike.
export type TableFormat = 'text' | 'md' | 'csv';

export interface Table {
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** columns to align right (numbers) */
  readonly right?: ReadonlySet<number>;
}

export function renderTable(table: Table, format: TableFormat): string {
  const { headers, rows } = table;
  if (format === 'csv') return [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\n');
  if (format === 'md') {
    const align = headers.map((_, i) => (table.right?.has(i) ? '---:' : '---'));
    return [headers, align, ...rows].map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (table.right?.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A change as the tables show it: sign, four decimals. */
export const signedFixed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

const csvCell = (c: string): string => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
