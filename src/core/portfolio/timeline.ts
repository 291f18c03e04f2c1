/**
 * A small terminal area chart for a time series (balance history). Pure: it
 * returns lines of text and never prints. Columns split the time range
 * evenly; a column shows the last point at or before its end (the series is
 * a step function between snapshots). Block characters give 8 levels per row.
 */

export interface ChartPoint {
  readonly ts: number;
  readonly value: number;
}

export interface ChartOptions {
  /** Plot columns (default 60, fewer when there are fewer points). */
  readonly width?: number;
  /** Plot rows (default 8). */
  readonly height?: number;
  readonly formatValue?: (value: number) => string;
  readonly formatTime?: (ts: number) => string;
}

const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

function defaultTime(ts: number): string {
  return new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
}

/** Resamples points (oldest first) into `width` columns; undefined before the first point. */
export function resample(points: readonly ChartPoint[], width: number): (number | undefined)[] {
  if (points.length === 0 || width <= 0) return [];
  const t0 = points[0]!.ts;
  const t1 = points[points.length - 1]!.ts;
  const columns: (number | undefined)[] = [];
  let i = 0;
  let current: number | undefined;
  for (let c = 0; c < width; c++) {
    const end = width === 1 || t1 === t0 ? t1 : t0 + ((t1 - t0) * (c + 1)) / width;
    while (i < points.length && points[i]!.ts <= end) current = points[i++]!.value;
    columns.push(current);
  }
  return columns;
}

export function renderChart(points: readonly ChartPoint[], options: ChartOptions = {}): string[] {
  if (points.length === 0) return [];
  const height = Math.max(1, options.height ?? 8);
  const width = Math.max(1, Math.min(options.width ?? 60, Math.max(points.length, 2) * 4));
  const fmtV = options.formatValue ?? ((v: number) => v.toFixed(2));
  const fmtT = options.formatTime ?? defaultTime;
  const columns = resample(points, width);
  const values = points.map((p) => p.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const levels = height * 8;
  const heightOf = (v: number | undefined): number => {
    if (v === undefined) return 0;
    if (hi === lo) return Math.ceil(levels / 2);
    return 1 + Math.round(((v - lo) / (hi - lo)) * (levels - 1));
  };
  const heights = columns.map(heightOf);
  const top = fmtV(hi);
  const bottom = fmtV(lo);
  const labelWidth = Math.max(top.length, bottom.length);
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    const floor = (height - 1 - r) * 8;
    let row = '';
    for (const h of heights) row += EIGHTHS[Math.max(0, Math.min(8, h - floor))];
    const label = r === 0 ? top : r === height - 1 ? bottom : '';
    lines.push(`${label.padStart(labelWidth)} ┤${row}`);
  }
  const start = fmtT(points[0]!.ts);
  const end = fmtT(points[points.length - 1]!.ts);
  const axis = `${' '.repeat(labelWidth)} └${'─'.repeat(width)}`;
  const gap = Math.max(1, width + 2 - start.length - end.length);
  lines.push(axis, `${' '.repeat(labelWidth + 1)}${start}${' '.repeat(gap)}${end}`);
  return lines;
}
