/**
 * Tables for human output (cli-table3). With colour off, borders and headers
 * carry no ANSI codes (cli-table3 adds them by default even when piped).
 *
 * Tables fit the terminal: on a terminal (or with COLUMNS set) the least
 * important columns are dropped first (by `priority`, else from the right,
 * never the first), then the widest remaining column is abbreviated with
 * "…". A line under the table names what was dropped. `--wide` (or output
 * to a pipe without COLUMNS) keeps every column.
 *
 * Without colour, a table that needs no cutting and whose text is one line of
 * characters one column wide each (see PLAIN) is drawn here, as cli-table3
 * draws it (test/unit/table-plain.test.ts compares the two): cli-table3 does
 * general work per cell (options merged, spans laid out) that costs
 * milliseconds of a short command such as `prices`.
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
  if (!options.color && !truncated) {
    const head = keep.map((i) => options.head[i]!);
    const body = cells.map((row) => keep.map((i) => row[i] ?? ''));
    if (head.length > 0 && head.every(isPlain) && body.every((row) => row.every(isPlain))) {
      return withDropped(drawPlain(head, body, keep.map((i) => options.align?.[i] ?? 'left'), options.compact ?? false), dropped);
    }
  }
  const table = new Table({
    head: keep.map((i) => options.head[i]!),
    style: options.color ? {head: ['cyan'], border: ['grey'], compact: options.compact ?? false} : {head: [], border: [], compact: options.compact ?? false},
    ...(options.align ? {colAligns: keep.map((i) => options.align![i] ?? 'left')} : {}),
    ...(truncated ? {colWidths: colWidths.map((w) => w + 2)} : {}),
  });
  for (const row of cells) table.push(keep.map((i) => row[i] ?? ''));
  const text = table.toString();
  return withDropped(text, dropped);
}

function withDropped(text: string, dropped: readonly string[]): string {
  return dropped.length > 0 ? `${text}\n(${dropped.length} column${dropped.length === 1 ? '' : 's'} hidden to fit the terminal: ${dropped.join(', ')}; --wide shows all)` : text;
}

/**
 * Text cli-table3 measures as one column per UTF-16 unit (string-width 4:
 * printable ASCII, Latin-1 and the Latin extensions, general punctuation
 * and symbols up to U+2319, such as the ellipsis), on one line, without
 * escape sequences.
 */
const PLAIN = /^[\x20-\x7e\xa0-\u02ff\u2000-\u2319]*$/;

const isPlain = (text: string) => PLAIN.test(text);

/** `text` padded with spaces to `width` columns, as cli-table3 aligns a cell. */
function pad(text: string, width: number, align: Align): string {
  const room = width - text.length;
  if (align === 'right') return ' '.repeat(room) + text;
  if (align === 'center') {
    const right = Math.ceil(room / 2);
    return ' '.repeat(room - right) + text + ' '.repeat(right);
  }
  return text + ' '.repeat(room);
}

/**
 * The table cli-table3 draws with its default characters, one space of
 * padding, no colour, widths from the content: a rule above each row (only
 * under the header when compact), one line per row, a rule at the bottom.
 */
function drawPlain(head: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[], compact: boolean): string {
  const widths = head.map((h, i) => rows.reduce((w, row) => Math.max(w, row[i]!.length), h.length));
  const rule = (left: string, mid: string, right: string) => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(mid)}${right}`;
  const line = (row: readonly string[]) => `│${row.map((cell, i) => ` ${pad(cell, widths[i]!, align[i]!)} `).join('│')}│`;
  const out = [rule('┌', '┬', '┐'), line(head)];
  rows.forEach((row, y) => {
    if (!compact || y === 0) out.push(rule('├', '┼', '┤'));
    out.push(line(row));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

// Number formatting lives in ./format.ts; re-exported for callers of this module.
export {fmt, fmtAge, fmtAmount, fmtPrice} from './format.js';
