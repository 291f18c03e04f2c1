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

/**
 * What `value.toLocaleString('en-US', {minimumFractionDigits: min, maximumFractionDigits: max})`
 * prints, without Intl: the first Intl call builds ICU's number formatter, which
 * costs more start-up time than all the rest of a `prices` table. Like Intl, it
 * rounds the shortest decimal form of the number (String(value)) half away from zero.
 */
function grouped(value: number, min: number, max: number): string {
  const [mantissa = '0', exponent = '0'] = String(Math.abs(value)).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point, '0');
  let int = digits.slice(0, point);
  let frac = digits.slice(point);
  if (frac.length > max) {
    const up = frac.charAt(max) >= '5';
    frac = frac.slice(0, max);
    if (up) {
      const next = (BigInt(int + frac) + 1n).toString().padStart(int.length + frac.length, '0');
      int = next.slice(0, next.length - frac.length);
      frac = next.slice(next.length - frac.length);
    }
  }
  frac = frac.padEnd(min, '0');
  while (frac.length > min && frac.endsWith('0')) frac = frac.slice(0, -1);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return `${sign}${int.replace(/\B(?=(\d{3})+$)/g, ',')}${frac ? `.${frac}` : ''}`;
}

/** Formats a number with a fixed number of significant decimals for display only. */
export function fmt(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return grouped(value, digits, digits);
}

/** Price formatting that keeps enough digits for small prices. */
export function fmtPrice(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : abs >= 0.01 ? 6 : 8;
  return grouped(value, digits, digits);
}

export function fmtAmount(value: number | string | undefined): string {
  if (value === undefined) return '-';
  const n = typeof value === 'string' ? Number(value) : value;
  if (!Number.isFinite(n)) return String(value);
  return grouped(n, 0, 8);
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
