/**
 * Tables for human output (cli-table3). With colour off, borders and headers
 * carry no ANSI codes (cli-table3 adds them by default even when piped).
 *
 * Tables fit the terminal: on a terminal (or with COLUMNS set) the least
 * important columns are dropped first (by `priority`, else from the right,
 * never the first), then the widest remaining column is abbreviated with
 * "…". A line under the table names what was dropped. `--wide` (or output
 * to a pipe without COLUMNS) keeps every column.
 */
import Table from 'cli-table3';

export type Align = 'left' | 'right' | 'center';

export interface TableOptions {
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly align?: readonly Align[];
  readonly color: boolean;
  readonly compact?: boolean;
  /** Importance per column, lower is more important; the highest numbers are dropped first. Default: left to right. */
  readonly priority?: readonly number[];
  /** Overrides the width to fit (default: the terminal's, see setTableWidth). */
  readonly maxWidth?: number;
}

let widthOverride: number | undefined;
let wide = false;

/** `--wide`: keep every column whatever the terminal width. */
export function setWideTables(on: boolean): void {
  wide = on;
}

/** Sets the width tables fit (tests); undefined returns to the terminal's. */
export function setTableWidth(width: number | undefined): void {
  widthOverride = width;
}

/** The width tables must fit, or undefined for no limit. */
export function tableWidth(): number | undefined {
  if (wide) return undefined;
  if (widthOverride !== undefined) return widthOverride;
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 20 ? env : undefined;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (text: string) => Math.max(...text.replace(ANSI, '').split('\n').map((l) => [...l].length));

/** Total width of a cli-table3 table with these content widths (1 space padding each side, 1-char borders). */
/** Text cells longer than this are abbreviated before any column is dropped. */
const LONG_TEXT = 30;

const tableSpan = (widths: readonly number[]) => widths.reduce((n, w) => n + w + 3, 1);

export function renderTable(options: TableOptions): string {
  const cells = options.rows.map((row) => row.map((cell) => (typeof cell === 'number' ? String(cell) : cell)));
  const limit = options.maxWidth ?? tableWidth();
  let keep = options.head.map((_, i) => i);
  const widths = options.head.map((h, i) => Math.max(visible(h), ...cells.map((r) => visible(r[i] ?? ''))));
  const span = () => tableSpan(keep.map((i) => widths[i]!));
  const dropped: string[] = [];
  let truncated = false;
  if (limit !== undefined && span() > limit) {
    // 1. Long text (notes, errors, URLs) is abbreviated first; numbers are never that long.
    for (const i of keep) {
      if (widths[i]! > LONG_TEXT) {
        widths[i] = Math.max(LONG_TEXT, visible(options.head[i]!));
        truncated = true;
      }
    }
    // 2. Then the least important columns (never the first) are dropped.
    const priority = options.priority ?? options.head.map((_, i) => i);
    const order = keep.slice(1).sort((a, b) => (priority[b] ?? b) - (priority[a] ?? a) || b - a);
    for (const i of order) {
      if (span() <= limit || keep.length <= 2) break;
      keep = keep.filter((k) => k !== i);
      dropped.push(options.head[i]!);
    }
  }
  const colWidths = keep.map((i) => widths[i]!);
  // 3. Whatever is still too wide is cut, widest column first.
  while (limit !== undefined && tableSpan(colWidths) > limit) {
    const widest = colWidths.indexOf(Math.max(...colWidths));
    const floor = Math.max(8, visible(options.head[keep[widest]!]!));
    if (colWidths[widest]! <= floor) break;
    colWidths[widest] = Math.max(floor, colWidths[widest]! - (tableSpan(colWidths) - limit));
    truncated = true;
  }
  const table = new Table({
    head: keep.map((i) => options.head[i]!),
    style: options.color ? {head: ['cyan'], border: ['grey'], compact: options.compact ?? false} : {head: [], border: [], compact: options.compact ?? false},
    ...(options.align ? {colAligns: keep.map((i) => options.align![i] ?? 'left')} : {}),
    ...(truncated ? {colWidths: colWidths.map((w) => w + 2)} : {}),
  });
  for (const row of cells) table.push(keep.map((i) => row[i] ?? ''));
  const text = table.toString();
  return dropped.length > 0 ? `${text}\n(${dropped.length} column${dropped.length === 1 ? '' : 's'} hidden to fit the terminal: ${dropped.join(', ')}; --wide shows all)` : text;
}

// Number formatting lives in ./format.ts; re-exported for callers of this module.
export {fmt, fmtAge, fmtAmount, fmtPrice} from './format.js';
