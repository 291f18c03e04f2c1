/**
 * Aggregates balances fetched from many venues into one view: rows per venue
 * and asset, totals per asset, values in one quote asset, each venue's share
 * next to its target allocation, and assets below their configured reserve.
 * Pure: the effectful shell (service.ts) fetches and journals.
 *
 * Invariants:
 * - Amounts are exact decimal strings; a row's value is total x price rounded
 *   to 8 decimals, and every total value is the exact sum of the row values
 *   shown, so the table adds up.
 * - A venue that failed contributes its last journalled snapshot (rows marked
 *   stale, with its age); the report is then `partial` and says why. A failed
 *   venue with no snapshot contributes nothing, also partial.
 * - An asset with no market path to the quote is unpriced: it has no value,
 *   is listed, and makes the total partial. It is never valued at 0 or 1.
 * - Zero balances are dropped, except assets with a reserve (shown at 0 and
 *   flagged, since 0 is below any positive reserve).
 */
import {add, cmp, dec, isZero, mul, roundToStep, sum} from '../money/decimal.js';
import type {Balance} from '../types.js';
import type {PriceMethod, PriceSource, Pricer} from './pricing.js';

export const VALUE_STEP = '0.00000001';

export interface VenueBalancesInput {
  readonly venue: string;
  readonly status: 'ok' | 'failed';
  /** Fresh balances when ok; the last journalled snapshot (possibly empty) when failed. */
  readonly balances: readonly Balance[];
  /** When these balances were read (fetch time, or the snapshot's time). Undefined when failed with no snapshot. */
  readonly asOf: number | undefined;
  readonly error?: string;
  readonly simulated?: boolean;
}

export interface AggregateOptions {
  readonly quote: string;
  readonly pricer: Pricer;
  readonly now: number;
  /** Target share per venue, percent (config venues.<v>.allocation). */
  readonly allocations?: Readonly<Record<string, number | undefined>>;
  /** Minimum total per asset across venues (config risk.reserves). */
  readonly reserves?: Readonly<Record<string, string>>;
  /** Show only this asset. Shares are then shares of that asset. */
  readonly asset?: string;
}

export interface BalanceRow {
  readonly venue: string;
  readonly asset: string;
  readonly free: string;
  readonly used: string;
  readonly total: string;
  readonly price: number | undefined;
  readonly value: string | undefined;
  /** From the venue's last snapshot because the venue failed now. */
  readonly stale: boolean;
}

export interface AssetTotal {
  readonly asset: string;
  readonly free: string;
  readonly used: string;
  readonly total: string;
  readonly price: number | undefined;
  readonly value: string | undefined;
  /** Where the price came from, e.g. `kraken BTC/USD (mid)`; undefined when unpriced. */
  readonly priceSource: string | undefined;
  readonly reserve: string | undefined;
  readonly belowReserve: boolean;
  readonly venues: readonly string[];
}

export interface VenueSummary {
  readonly venue: string;
  readonly status: 'ok' | 'failed';
  readonly error: string | undefined;
  readonly simulated: boolean;
  /** When the balances shown were read; undefined when failed with no snapshot. */
  readonly asOf: number | undefined;
  readonly ageMs: number | undefined;
  readonly stale: boolean;
  /** Sum of priced row values. */
  readonly value: string;
  readonly unpriced: readonly string[];
  /** Share of the total value, percent rounded to 2 decimals; undefined when the total is 0. */
  readonly sharePct: number | undefined;
  readonly targetPct: number | undefined;
  /** sharePct - targetPct, percentage points. */
  readonly driftPct: number | undefined;
}

export interface BalancesTotal {
  readonly value: string;
  readonly partial: boolean;
  readonly reasons: readonly string[];
}

export interface BalancesReport {
  readonly quote: string;
  readonly method: PriceMethod;
  readonly asOf: number;
  readonly asset: string | undefined;
  readonly venues: readonly VenueSummary[];
  readonly rows: readonly BalanceRow[];
  readonly assets: readonly AssetTotal[];
  readonly total: BalancesTotal;
  /** Every price used, one per asset. */
  readonly prices: readonly PriceSource[];
}

/** total x price, rounded to 8 decimals (nearest). */
export function valueOf(amount: string, price: number): string {
  return roundToStep(mul(amount, dec(price)), VALUE_STEP, 'nearest');
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

function pct(part: string, whole: string): number | undefined {
  if (isZero(whole)) return undefined;
  return Math.round((Number(part) / Number(whole)) * 10_000) / 100;
}

export function aggregateBalances(inputs: readonly VenueBalancesInput[], options: AggregateOptions): BalancesReport {
  const {quote, pricer, now} = options;
  const reserves = options.reserves ?? {};
  const priceCache = new Map<string, PriceSource | undefined>();
  const priceOf = (asset: string): PriceSource | undefined => {
    if (!priceCache.has(asset)) priceCache.set(asset, pricer.price(asset, quote));
    return priceCache.get(asset);
  };
  const reasons: string[] = [];
  const rows: BalanceRow[] = [];
  const venueRows = new Map<string, BalanceRow[]>();

  for (const input of inputs) {
    const list: BalanceRow[] = [];
    venueRows.set(input.venue, list);
    if (input.status === 'failed') {
      if (input.asOf === undefined) reasons.push(`${input.venue} failed (${input.error ?? 'no answer'}) and has no earlier snapshot`);
      else reasons.push(`${input.venue} failed (${input.error ?? 'no answer'}); showing its snapshot from ${formatAge(now - input.asOf)} ago`);
    }
    const byAsset = new Map<string, Balance>();
    for (const b of input.balances) {
      if (options.asset !== undefined && b.asset !== options.asset) continue;
      // A venue may list an asset twice (ccxt aliasing); add them up.
      const prev = byAsset.get(b.asset);
      byAsset.set(b.asset, prev ? {asset: b.asset, free: add(prev.free, b.free), used: add(prev.used, b.used), total: add(prev.total, b.total)} : b);
    }
    for (const b of byAsset.values()) {
      if (isZero(b.total) && isZero(b.free) && isZero(b.used)) continue;
      const source = priceOf(b.asset);
      const row: BalanceRow = {
        venue: input.venue,
        asset: b.asset,
        free: dec(b.free),
        used: dec(b.used),
        total: dec(b.total),
        price: source?.price,
        value: source ? valueOf(b.total, source.price) : undefined,
        stale: input.status === 'failed',
      };
      list.push(row);
    }
    list.sort((a, b) => (a.value !== undefined && b.value !== undefined ? cmp(b.value, a.value) : a.value !== undefined ? -1 : b.value !== undefined ? 1 : 0) || a.asset.localeCompare(b.asset));
    rows.push(...list);
  }

  // Totals per asset.
  const assetRows = new Map<string, BalanceRow[]>();
  for (const row of rows) {
    let list = assetRows.get(row.asset);
    if (!list) assetRows.set(row.asset, (list = []));
    list.push(row);
  }
  for (const asset of Object.keys(reserves)) {
    if (options.asset !== undefined && asset !== options.asset) continue;
    if (!assetRows.has(asset)) assetRows.set(asset, []);
  }
  const assets: AssetTotal[] = [];
  const unpricedAssets: string[] = [];
  for (const [asset, list] of assetRows) {
    const source = priceOf(asset);
    const total = sum(list.map((r) => r.total));
    const reserve = reserves[asset] === undefined ? undefined : dec(reserves[asset]);
    if (!source && list.length > 0) unpricedAssets.push(asset);
    assets.push({
      asset,
      free: sum(list.map((r) => r.free)),
      used: sum(list.map((r) => r.used)),
      total,
      price: source?.price,
      value: source ? sum(list.map((r) => r.value ?? '0')) : undefined,
      priceSource: source?.label,
      reserve,
      belowReserve: reserve !== undefined && cmp(total, reserve) < 0,
      venues: [...new Set(list.map((r) => r.venue))],
    });
  }
  assets.sort((a, b) => (a.value !== undefined && b.value !== undefined ? cmp(b.value, a.value) : a.value !== undefined ? -1 : b.value !== undefined ? 1 : 0) || a.asset.localeCompare(b.asset));
  if (unpricedAssets.length > 0) reasons.push(`no market prices ${unpricedAssets.sort().join(', ')} in ${quote}`);

  const totalValue = sum(rows.map((r) => r.value ?? '0'));
  const venues: VenueSummary[] = inputs.map((input) => {
    const list = venueRows.get(input.venue) ?? [];
    const value = sum(list.map((r) => r.value ?? '0'));
    const sharePct = pct(value, totalValue);
    const targetPct = options.allocations?.[input.venue];
    return {
      venue: input.venue,
      status: input.status,
      error: input.error,
      simulated: input.simulated ?? false,
      asOf: input.asOf,
      ageMs: input.asOf === undefined ? undefined : Math.max(0, now - input.asOf),
      stale: input.status === 'failed' && input.asOf !== undefined,
      value,
      unpriced: list.filter((r) => r.value === undefined).map((r) => r.asset),
      sharePct,
      targetPct,
      driftPct: sharePct !== undefined && targetPct !== undefined && options.asset === undefined ? Math.round((sharePct - targetPct) * 100) / 100 : undefined,
    };
  });

  const prices: PriceSource[] = [];
  for (const source of priceCache.values()) if (source && source.legs.length > 0) prices.push(source);
  prices.sort((a, b) => a.asset.localeCompare(b.asset));

  return {
    quote,
    method: pricer.method,
    asOf: now,
    asset: options.asset,
    venues,
    rows,
    assets,
    total: {value: totalValue, partial: reasons.length > 0, reasons},
    prices,
  };
}
