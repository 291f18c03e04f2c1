/**
 * How the portfolio total moved, from journalled snapshot runs. Pure.
 *
 * - Without a venue filter the series uses runs that asked every configured
 *   venue (a `--venues` run would look like a drop); its value is the run's
 *   total. With a venue filter, a run counts when it asked all those venues,
 *   and its value is the sum of their values.
 * - A point is partial when its run was (a venue failed and its stale
 *   snapshot stood in, or an asset had no price), or a filtered venue had no value.
 * - With an asset, the series is that asset's amount (and value) summed over
 *   the venues that answered in each run.
 * - Values are in the quote the runs were valued in; runs in other quotes are
 *   not mixed in.
 */
import {add, cmp, dec, isZero, sub, sum} from '../money/decimal.js';
import type {AssetHistoryRow, HistoryRun} from '../journal/balance-snapshots.js';

export interface HistoryPoint {
  readonly ts: number;
  readonly value: string;
  /** With --asset: the asset amount at that run. */
  readonly amount?: string;
  readonly partial: boolean;
}

export interface BalanceHistory {
  readonly quote: string;
  readonly since: number;
  readonly venues: readonly string[] | undefined;
  readonly asset: string | undefined;
  readonly points: readonly HistoryPoint[];
  readonly first: HistoryPoint | undefined;
  readonly last: HistoryPoint | undefined;
  /** last - first, in the quote. */
  readonly change: string | undefined;
  /** Percent, 2 decimals; undefined when the first value is 0. */
  readonly changePct: number | undefined;
  readonly min: string | undefined;
  readonly max: string | undefined;
}

export interface HistoryOptions {
  readonly quote: string;
  readonly since: number;
  readonly venues?: readonly string[];
  readonly asset?: string;
}

export function totalHistory(runs: readonly HistoryRun[], options: HistoryOptions): BalanceHistory {
  const points: HistoryPoint[] = [];
  for (const run of runs) {
    if (run.quote !== options.quote) continue;
    if (!options.venues) {
      if (!run.allVenues) continue;
      points.push({ts: run.ts, value: dec(run.totalValue), partial: run.partial});
      continue;
    }
    const picked = options.venues.map((name) => run.venues.find((v) => v.venue === name));
    if (picked.some((v) => v === undefined)) continue;
    const value = sum(picked.map((v) => v!.value ?? '0'));
    const partial = picked.some((v) => v!.status === 'failed' || v!.value === undefined || v!.unpriced > 0);
    points.push({ts: run.ts, value, partial});
  }
  return summarize(points, options);
}

export function assetHistory(rows: readonly AssetHistoryRow[], runs: readonly HistoryRun[], options: HistoryOptions & {asset: string}): BalanceHistory {
  const byRun = new Map<number, {ts: number; amount: string; value: string; unpriced: boolean; venues: Set<string>}>();
  for (const row of rows) {
    if (options.venues && !options.venues.includes(row.venue)) continue;
    let point = byRun.get(row.runId);
    if (!point) byRun.set(row.runId, (point = {ts: row.ts, amount: '0', value: '0', unpriced: false, venues: new Set()}));
    point.amount = add(point.amount, row.total);
    if (row.value === undefined) point.unpriced = true;
    else point.value = add(point.value, row.value);
    point.venues.add(row.venue);
  }
  const points: HistoryPoint[] = [];
  for (const run of runs) {
    if (run.quote !== options.quote) continue;
    if (!options.venues && !run.allVenues) continue;
    const asked = run.venues.filter((v) => !options.venues || options.venues.includes(v.venue));
    if (options.venues && asked.length < options.venues.length) continue;
    const p = byRun.get(run.id);
    const failed = asked.some((v) => v.status === 'failed');
    points.push({ts: run.ts, value: p?.value ?? '0', amount: p?.amount ?? '0', partial: failed || (p?.unpriced ?? false)});
  }
  return summarize(points, options);
}

function summarize(points: HistoryPoint[], options: HistoryOptions): BalanceHistory {
  const first = points[0];
  const last = points[points.length - 1];
  let lo: string | undefined;
  let hi: string | undefined;
  for (const p of points) {
    if (lo === undefined || cmp(p.value, lo) < 0) lo = p.value;
    if (hi === undefined || cmp(p.value, hi) > 0) hi = p.value;
  }
  const change = first && last ? sub(last.value, first.value) : undefined;
  return {
    quote: options.quote,
    since: options.since,
    venues: options.venues,
    asset: options.asset,
    points,
    first,
    last,
    change,
    changePct: first && change !== undefined && !isZero(first.value) ? Math.round((Number(change) / Number(first.value)) * 10_000) / 100 : undefined,
    min: lo,
    max: hi,
  };
}
