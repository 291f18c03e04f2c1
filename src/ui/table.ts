/**
 * Tables for human output (cli-table3). With colour off, borders and headers
 * carry no ANSI codes (cli-table3 adds them by default even when piped).
 */
import Table from 'cli-table3';

export type Align = 'left' | 'right' | 'center';

export interface TableOptions {
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly align?: readonly Align[];
  readonly color: boolean;
  readonly compact?: boolean;
}

export function renderTable(options: TableOptions): string {
  const table = new Table({
    head: [...options.head],
    style: options.color ? {head: ['cyan'], border: ['grey'], compact: options.compact ?? false} : {head: [], border: [], compact: options.compact ?? false},
    ...(options.align ? {colAligns: [...options.align]} : {}),
  });
  for (const row of options.rows) table.push(row.map((cell) => (typeof cell === 'number' ? String(cell) : cell)));
  return table.toString();
}

// Number formatting lives in ./format.ts; re-exported for callers of this module.
export {fmt, fmtAge, fmtAmount, fmtPrice} from './format.js';
