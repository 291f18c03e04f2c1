/**
 * Small terminal charts, plain text (no ANSI codes), so they read the same
 * piped or on a TTY. `undefined` means "no data" and is drawn as a gap,
 * never as zero.
 *
 * - sparkline([1, 3, undefined, 2]) -> "▁█ ▅": one character per value.
 * - lineChart(values, {height, yLabel, xLabels}) -> a multi-line chart with a
 *   y axis (min, max and zero when in range) and optional x labels.
 */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

function finite(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined && Number.isFinite(v));
}

export function sparkline(values: readonly (number | undefined)[], options: {min?: number; max?: number} = {}): string {
  const data = finite(values);
  if (data.length === 0) return ' '.repeat(values.length);
  const lo = options.min ?? Math.min(...data);
  const hi = options.max ?? Math.max(...data);
  return values
    .map((v) => {
      if (v === undefined || !Number.isFinite(v)) return ' ';
      if (hi === lo) return BLOCKS[3]!;
      const i = Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (BLOCKS.length - 1));
      return BLOCKS[i]!;
    })
    .join('');
}

/** Reduces values to `width` points, keeping the maximum of each group (gaps stay gaps). */
export function resample(values: readonly (number | undefined)[], width: number): (number | undefined)[] {
  if (values.length <= width) return [...values];
  const out: (number | undefined)[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.floor(((i + 1) * values.length) / width);
    const group = finite(values.slice(from, Math.max(to, from + 1)));
    out.push(group.length > 0 ? Math.max(...group) : undefined);
  }
  return out;
}

export interface LineChartOptions {
  /** Rows of the plot area (default 8). */
  readonly height?: number;
  /** Maximum columns of the plot area; longer series are resampled (default 60). */
  readonly width?: number;
  /** Formats y-axis labels (default: 2 decimals). */
  readonly format?: (value: number) => string;
  /** Unit shown after the top label, e.g. "bps". */
  readonly unit?: string;
  /** Labels under the first and last column, e.g. start and end times. */
  readonly xLabels?: readonly [string, string];
}

/**
 * A line chart of one series. Each column shows its value as `•`; a
 * vertical `│` joins consecutive values more than one row apart; the zero
 * line is drawn as `─` when zero is in range. Returns the lines joined by
 * newlines (no trailing newline).
 */
export function lineChart(values: readonly (number | undefined)[], options: LineChartOptions = {}): string {
  const height = Math.max(2, Math.floor(options.height ?? 8));
  const series = resample(values, Math.max(1, Math.floor(options.width ?? 60)));
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const data = finite(series);
  if (data.length === 0) return '(no data)';
  let lo = Math.min(...data);
  let hi = Math.max(...data);
  if (hi === lo) {
    hi += 1;
    lo -= 1;
  }
  const rowOf = (v: number) => Math.round(((v - lo) / (hi - lo)) * (height - 1));
  const grid: string[][] = Array.from({length: height}, () => new Array(series.length).fill(' '));
  if (lo <= 0 && hi >= 0) {
    const z = rowOf(0);
    for (let c = 0; c < series.length; c++) grid[z]![c] = '─';
  }
  let prev: number | undefined;
  series.forEach((v, c) => {
    if (v === undefined || !Number.isFinite(v)) {
      prev = undefined;
      return;
    }
    const r = rowOf(v);
    if (prev !== undefined && Math.abs(prev - r) > 1) {
      const [a, b] = prev < r ? [prev + 1, r - 1] : [r + 1, prev - 1];
      for (let k = a; k <= b; k++) grid[k]![c] = '│';
    }
    grid[r]![c] = '•';
    prev = r;
  });
  const labels = new Map<number, string>([
    [height - 1, `${format(hi)}${options.unit ? ` ${options.unit}` : ''}`],
    [0, format(lo)],
  ]);
  if (lo < 0 && hi > 0 && !labels.has(rowOf(0))) labels.set(rowOf(0), format(0));
  const labelWidth = Math.max(...[...labels.values()].map((l) => l.length));
  const lines: string[] = [];
  for (let r = height - 1; r >= 0; r--) lines.push(`${(labels.get(r) ?? '').padStart(labelWidth)} ┤${grid[r]!.join('')}`);
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(series.length)}`);
  if (options.xLabels) {
    const [left, right] = options.xLabels;
    const gap = Math.max(1, series.length - left.length - right.length);
    lines.push(`${' '.repeat(labelWidth + 2)}${left}${' '.repeat(gap)}${right}`);
  }
  return lines.join('\n');
}
