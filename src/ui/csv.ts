/**
 * CSV (RFC 4180) and JSON Lines lines for exports. A CSV cell is quoted when
 * it holds a comma, quote or line break; text that a spreadsheet would run as
 * a formula (=, +, -, @ first, and not a number) is prefixed with a single
 * quote. Numbers stay as written (exact decimal strings).
 */

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** One JSON object per line, keys in column order. */
export function jsonLine(columns: readonly string[], record: Readonly<Record<string, string | null>>): string {
  const ordered: Record<string, string | null> = {};
  for (const c of columns) ordered[c] = record[c] ?? null;
  return `${JSON.stringify(ordered)}\n`;
}
