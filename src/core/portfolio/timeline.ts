/**
 * Turns an unevenly spaced series (snapshots taken whenever a user ran a
 * command) into evenly spaced columns for a chart. Pure. Columns split the
 * time range evenly; each column holds the last point at or before its end,
 * so the series reads as a step function between snapshots (a balance does
 * not move between two observations as far as we know).
 */

export interface TimePoint {
  readonly ts: number;
  readonly value: number;
}

/** Points oldest first -> `width` column values; undefined only before the first point. */
export function timeColumns(points: readonly TimePoint[], width: number): (number | undefined)[] {
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
