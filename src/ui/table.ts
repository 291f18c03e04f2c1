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

/** Formats a number with a fixed number of significant decimals for display only. */
export function fmt(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

/** Price formatting that keeps enough digits for small prices. */
export function fmtPrice(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : abs >= 0.01 ? 6 : 8;
  return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

export function fmtAmount(value: number | string | undefined): string {
  if (value === undefined) return '-';
  const n = typeof value === 'string' ? Number(value) : value;
  if (!Number.isFinite(n)) return String(value);
  return n.toLocaleString('en-US', {maximumFractionDigits: 8});
}

/** Human age: 850ms, 12s, 3m, 2h, 4d. */
export function fmtAge(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)}h`;
  return `${Math.round(ms / 86_400_000)}d`;
}
