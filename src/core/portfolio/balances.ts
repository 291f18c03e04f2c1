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
 * - Reserves are per venue, as the risk checks apply them: a row whose free
 *   amount is below the asset's reserve is flagged, and so is the asset's total.
 *   An asset with a reserve held nowhere is listed at 0 and flagged.
 * - Zero balances are dropped.
 */
import {formatDuration} from '../duration.js';
import {fromUnits, toUnits} from '../money/decimal.js';
import type {SnapshotAsset} from '../journal/balance-snapshots.js';
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
  /** Minimum free balance to keep per asset on each venue (config risk.reserves, as the risk checks apply it). */
  readonly reserves?: Readonly<Record<string, string>>;
  /** Show only this asset. Shares are then shares of that asset. */
  readonly asset?: string;
}

export interface BalanceRow extends SnapshotAsset {
  readonly venue: string;
  /** From the venue's last snapshot because the venue failed now. */
  readonly stale: boolean;
  /** Free on this venue is below the asset's reserve: orders there cannot spend it. */
  readonly belowReserve: boolean;
}

export interface AssetTotal extends SnapshotAsset {
  /** Where the price came from, e.g. `kraken BTC/USD (mid)`; undefined when unpriced. */
  readonly priceSource: string | undefined;
  readonly reserve: string | undefined;
  /** Some venue holds less than the reserve free, or no venue holds the asset at all. */
  readonly belowReserve: boolean;
  readonly venuesBelowReserve: readonly string[];
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

const ONE = 10n ** 18n;
const FRACTION_ZEROS = '000000000000000000';
const PLAIN = /^(\d+)(?:\.(\d{1,18}))?$/;
const CANONICAL = /^(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** toUnits with a fast path for plain decimals (the usual venue answer). */
function units(text: string): bigint {
  const m = PLAIN.exec(text);
  if (!m) return toUnits(text);
  const frac = m[2] ?? '';
  return BigInt(m[1]! + frac + FRACTION_ZEROS.slice(frac.length));
}

/** The input itself when it already is the canonical form of `value`, else fromUnits. */
function text(input: string | undefined, value: bigint): string {
  return input !== undefined && CANONICAL.test(input) ? input : fromUnits(value);
}
const VALUE_STEP_UNITS = toUnits(VALUE_STEP);

/** Scaled units (see decimal.ts) rounded to a multiple of 1e-8, half away from zero. */
function roundValueUnits(units: bigint): bigint {
  const half = VALUE_STEP_UNITS / 2n;
  const q = units >= 0n ? (units + half) / VALUE_STEP_UNITS : (units - half) / VALUE_STEP_UNITS;
  return q * VALUE_STEP_UNITS;
}

function valueUnits(amountUnits: bigint, priceUnits: bigint): bigint {
  return roundValueUnits((amountUnits * priceUnits) / ONE);
}

/** total x price, rounded to 8 decimals (nearest). */
export function valueOf(amount: string, price: number): string {
  return fromUnits(valueUnits(toUnits(amount), toUnits(price)));
}

function pct(part: bigint, whole: bigint): number | undefined {
  if (whole === 0n) return undefined;
  return Math.round((Number(fromUnits(part)) / Number(fromUnits(whole))) * 10_000) / 100;
}

interface Priced {
  readonly source: PriceSource | undefined;
  readonly units: bigint | undefined;
}

interface RowUnits {
  readonly venue: string;
  readonly asset: string;
  /** The venue's own strings, reused for output when canonical and not summed. */
  readonly raw: {readonly free: string; readonly used: string; readonly total: string} | undefined;
  readonly free: bigint;
  readonly used: bigint;
  readonly total: bigint;
  readonly value: bigint | undefined;
  readonly stale: boolean;
  readonly belowReserve: boolean;
}

/** Priced rows first, by value descending, then by asset. */
function byValue(a: {asset: string; value: bigint | undefined}, b: {asset: string; value: bigint | undefined}): number {
  if (a.value !== undefined && b.value !== undefined && a.value !== b.value) return a.value > b.value ? -1 : 1;
  if (a.value !== undefined && b.value === undefined) return -1;
  if (a.value === undefined && b.value !== undefined) return 1;
  return a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
}

export function aggregateBalances(inputs: readonly VenueBalancesInput[], options: AggregateOptions): BalancesReport {
  const {quote, pricer, now} = options;
  const reserves = options.reserves ?? {};
  const reserveUnits = new Map<string, bigint>();
  for (const [asset, amount] of Object.entries(reserves)) reserveUnits.set(asset, toUnits(amount));
  const priceCache = new Map<string, Priced>();
  const priceOf = (asset: string): Priced => {
    let priced = priceCache.get(asset);
    if (!priced) {
      const source = pricer.price(asset, quote);
      priced = {source, units: source ? toUnits(source.price) : undefined};
      priceCache.set(asset, priced);
    }
    return priced;
  };
  const reasons: string[] = [];
  const rows: RowUnits[] = [];
  const venueRows = new Map<string, RowUnits[]>();

  for (const input of inputs) {
    const list: RowUnits[] = [];
    venueRows.set(input.venue, list);
    if (input.status === 'failed') {
      if (input.asOf === undefined) reasons.push(`${input.venue} failed (${input.error ?? 'no answer'}) and has no earlier snapshot`);
      else reasons.push(`${input.venue} failed (${input.error ?? 'no answer'}); showing its snapshot from ${formatDuration(now - input.asOf)} ago`);
    }
    // A venue may list an asset twice (ccxt aliasing); add them up.
    const byAsset = new Map<string, {raw: Balance | undefined; free: bigint; used: bigint; total: bigint}>();
    for (const b of input.balances) {
      if (options.asset !== undefined && b.asset !== options.asset) continue;
      const prev = byAsset.get(b.asset);
      const free = units(b.free);
      const used = units(b.used);
      const total = units(b.total);
      byAsset.set(b.asset, prev ? {raw: undefined, free: prev.free + free, used: prev.used + used, total: prev.total + total} : {raw: b, free, used, total});
    }
    for (const [asset, b] of byAsset) {
      if (b.total === 0n && b.free === 0n && b.used === 0n) continue;
      const priced = priceOf(asset);
      list.push({
        venue: input.venue,
        asset,
        raw: b.raw,
        free: b.free,
        used: b.used,
        total: b.total,
        value: priced.units === undefined ? undefined : valueUnits(b.total, priced.units),
        stale: input.status === 'failed',
        belowReserve: reserveUnits.has(asset) && b.free < reserveUnits.get(asset)!,
      });
    }
    list.sort(byValue);
    rows.push(...list);
  }

  // Totals per asset.
  const assetRows = new Map<string, RowUnits[]>();
  for (const row of rows) {
    let list = assetRows.get(row.asset);
    if (!list) assetRows.set(row.asset, (list = []));
    list.push(row);
  }
  for (const asset of Object.keys(reserves)) {
    if (options.asset !== undefined && asset !== options.asset) continue;
    if (!assetRows.has(asset)) assetRows.set(asset, []);
  }
  const assetUnits: {asset: string; value: bigint | undefined; out: AssetTotal}[] = [];
  const unpricedAssets: string[] = [];
  for (const [asset, list] of assetRows) {
    const {source} = priceOf(asset);
    let free = 0n;
    let used = 0n;
    let total = 0n;
    let value = 0n;
    for (const r of list) {
      free += r.free;
      used += r.used;
      total += r.total;
      value += r.value ?? 0n;
    }
    const reserve = reserveUnits.get(asset);
    const venuesBelow = list.filter((r) => r.belowReserve).map((r) => r.venue);
    if (!source && list.length > 0) unpricedAssets.push(asset);
    assetUnits.push({
      asset,
      value: source ? value : undefined,
      out: {
        asset,
        free: list.length === 1 ? text(list[0]!.raw?.free, free) : fromUnits(free),
        used: list.length === 1 ? text(list[0]!.raw?.used, used) : fromUnits(used),
        total: list.length === 1 ? text(list[0]!.raw?.total, total) : fromUnits(total),
        price: source?.price,
        value: source ? fromUnits(value) : undefined,
        priceSource: source?.label,
        reserve: reserve === undefined ? undefined : fromUnits(reserve),
        belowReserve: reserve !== undefined && (venuesBelow.length > 0 || (list.length === 0 && reserve > 0n)),
        venuesBelowReserve: venuesBelow,
        venues: [...new Set(list.map((r) => r.venue))],
      },
    });
  }
  assetUnits.sort(byValue);
  if (unpricedAssets.length > 0) reasons.push(`no market prices ${unpricedAssets.sort().join(', ')} in ${quote}`);

  let totalValue = 0n;
  for (const r of rows) totalValue += r.value ?? 0n;
  const venues: VenueSummary[] = inputs.map((input) => {
    const list = venueRows.get(input.venue) ?? [];
    let value = 0n;
    for (const r of list) value += r.value ?? 0n;
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
      value: fromUnits(value),
      unpriced: list.filter((r) => r.value === undefined).map((r) => r.asset),
      sharePct,
      targetPct,
      driftPct: sharePct !== undefined && targetPct !== undefined && options.asset === undefined ? Math.round((sharePct - targetPct) * 100) / 100 : undefined,
    };
  });

  const prices: PriceSource[] = [];
  for (const {source} of priceCache.values()) if (source && source.legs.length > 0) prices.push(source);
  prices.sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));

  return {
    quote,
    method: pricer.method,
    asOf: now,
    asset: options.asset,
    venues,
    rows: rows.map((r) => {
      const {source} = priceOf(r.asset);
      return {venue: r.venue, asset: r.asset, free: text(r.raw?.free, r.free), used: text(r.raw?.used, r.used), total: text(r.raw?.total, r.total), price: source?.price, value: r.value === undefined ? undefined : fromUnits(r.value), stale: r.stale, belowReserve: r.belowReserve};
    }),
    assets: assetUnits.map((a) => a.out),
    total: {value: fromUnits(totalValue), partial: reasons.length > 0, reasons},
    prices,
  };
}
