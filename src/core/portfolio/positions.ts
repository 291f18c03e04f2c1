/**
 * Exposure per underlying asset across venues: spot holdings (balances) plus
 * derivative positions (Venue.fetchPositions where a venue has them). Pure.
 *
 * Invariants:
 * - Net size per underlying = spot total + derivative longs - derivative
 *   shorts, exact decimals; long 0.01 on one venue and short 0.01 on another
 *   nets to 0.
 * - The valuation quote asset itself is cash, not exposure: it is left out of
 *   the spot list. Stablecoins are other assets and are listed.
 * - The underlying of a derivative is the base of its symbol (BTC/USDT:USDT
 *   -> BTC); unrealized PnL is in the settle asset and is converted into the
 *   valuation quote where a market prices it.
 * - A venue whose balances failed contributes its last snapshot (stale); one
 *   whose positions failed is listed; either makes the report partial.
 */
import {add, cmp, dec, isZero, mul, neg, roundToStep, sub, sum} from '../money/decimal.js';
import type {Position} from '../types.js';
import {formatDuration} from '../duration.js';
import {valueOf, type BalancesReport} from './balances.js';
import type {Pricer} from './pricing.js';

export interface VenuePositionsInput {
  readonly venue: string;
  /** `unsupported`: the venue has no derivatives positions to ask for. */
  readonly status: 'ok' | 'failed' | 'unsupported';
  readonly positions: readonly Position[];
  readonly error?: string;
}

export interface SpotExposure {
  readonly asset: string;
  readonly total: string;
  readonly venues: readonly {readonly venue: string; readonly total: string; readonly stale: boolean}[];
  readonly price: number | undefined;
  readonly value: string | undefined;
  readonly priceSource: string | undefined;
}

export interface DerivativeRow {
  readonly venue: string;
  readonly symbol: string;
  readonly underlying: string;
  readonly settle: string | undefined;
  readonly side: 'long' | 'short';
  readonly size: string;
  /** + for long, - for short. */
  readonly signedSize: string;
  readonly entryPrice: number | undefined;
  readonly markPrice: number | undefined;
  readonly unrealizedPnl: number | undefined;
  /** Unrealized PnL in the valuation quote. */
  readonly unrealizedPnlValue: string | undefined;
  readonly leverage: number | undefined;
  readonly liquidationPrice: number | undefined;
}

export interface NetExposure {
  readonly underlying: string;
  readonly spot: string;
  readonly long: string;
  readonly short: string;
  /** long - short. */
  readonly derivatives: string;
  /** spot + long - short. */
  readonly net: string;
  readonly price: number | undefined;
  readonly netValue: string | undefined;
  readonly unrealizedPnlValue: string | undefined;
  readonly venues: readonly string[];
}

export interface PositionsVenueStatus {
  readonly venue: string;
  readonly balances: 'ok' | 'failed';
  readonly positions: 'ok' | 'failed' | 'unsupported';
  readonly error: string | undefined;
}

export interface PositionsReport {
  readonly quote: string;
  readonly asOf: number;
  readonly underlying: string | undefined;
  readonly venues: readonly PositionsVenueStatus[];
  readonly spot: readonly SpotExposure[];
  readonly derivatives: readonly DerivativeRow[];
  readonly net: readonly NetExposure[];
  readonly partial: boolean;
  readonly reasons: readonly string[];
}

export interface PositionsOptions {
  readonly quote: string;
  readonly pricer: Pricer;
  readonly now: number;
  /** Show only this underlying asset (from --symbol BTC/USDT -> BTC). */
  readonly underlying?: string;
}

function parts(symbol: string): {base: string; settle: string | undefined} {
  const [pair, settle] = symbol.split(':');
  const base = (pair ?? symbol).split('/')[0] ?? symbol;
  return {base, settle: settle === undefined ? undefined : settle.split('-')[0]};
}

/** `balances` is the full balances report of the same venues (aggregateBalances, same quote and pricer). */
export function aggregatePositions(balances: BalancesReport, venuePositions: readonly VenuePositionsInput[], options: PositionsOptions): PositionsReport {
  const {quote, pricer, underlying} = options;
  const rows = balances.rows;
  const reasons: string[] = [];
  for (const v of balances.venues) {
    if (v.status !== 'failed') continue;
    reasons.push(v.ageMs === undefined ? `${v.venue}: balances failed (${v.error ?? 'no answer'}) and there is no earlier snapshot` : `${v.venue}: balances failed (${v.error ?? 'no answer'}); spot from its snapshot ${formatDuration(v.ageMs)} old`);
  }
  const want = (asset: string) => underlying === undefined || asset === underlying;

  // Spot exposure per asset.
  const spotByAsset = new Map<string, {venue: string; total: string; stale: boolean}[]>();
  for (const row of rows) {
    if (row.asset === quote || !want(row.asset)) continue;
    let list = spotByAsset.get(row.asset);
    if (!list) spotByAsset.set(row.asset, (list = []));
    list.push({venue: row.venue, total: row.total, stale: row.stale});
  }
  const spot: SpotExposure[] = [];
  for (const [asset, list] of spotByAsset) {
    const total = sum(list.map((x) => x.total));
    const source = pricer.price(asset, quote);
    spot.push({asset, total, venues: list, price: source?.price, value: source ? valueOf(total, source.price) : undefined, priceSource: source?.label});
  }
  spot.sort((a, b) => (a.value !== undefined && b.value !== undefined ? cmp(b.value, a.value) : a.value !== undefined ? -1 : b.value !== undefined ? 1 : 0) || a.asset.localeCompare(b.asset));

  // Derivatives.
  const derivatives: DerivativeRow[] = [];
  for (const input of venuePositions) {
    if (input.status === 'failed') reasons.push(`${input.venue}: positions failed (${input.error ?? 'no answer'})`);
    for (const p of input.positions) {
      const {base, settle} = parts(p.symbol);
      if (!want(base) || isZero(p.size)) continue;
      const size = dec(p.size);
      const pnlRate = p.unrealizedPnl !== undefined && settle !== undefined ? pricer.price(settle, quote) : undefined;
      derivatives.push({
        venue: input.venue,
        symbol: p.symbol,
        underlying: base,
        settle,
        side: p.side,
        size,
        signedSize: p.side === 'long' ? size : neg(size),
        entryPrice: p.entryPrice,
        markPrice: p.markPrice,
        unrealizedPnl: p.unrealizedPnl,
        unrealizedPnlValue: pnlRate && p.unrealizedPnl !== undefined ? valueOf(dec(p.unrealizedPnl), pnlRate.price) : undefined,
        leverage: p.leverage,
        liquidationPrice: p.liquidationPrice,
      });
    }
  }
  derivatives.sort((a, b) => a.underlying.localeCompare(b.underlying) || a.venue.localeCompare(b.venue) || a.symbol.localeCompare(b.symbol));

  // Net per underlying.
  const names = new Set<string>([...spot.map((s) => s.asset), ...derivatives.map((d) => d.underlying)]);
  const net: NetExposure[] = [];
  for (const name of names) {
    const s = spot.find((x) => x.asset === name);
    const ds = derivatives.filter((d) => d.underlying === name);
    const long = sum(ds.filter((d) => d.side === 'long').map((d) => d.size));
    const short = sum(ds.filter((d) => d.side === 'short').map((d) => d.size));
    const spotTotal = s?.total ?? '0';
    const netSize = sub(add(spotTotal, long), short);
    const source = s?.price !== undefined ? {price: s.price} : pricer.price(name, quote);
    const pnl = ds.every((d) => d.unrealizedPnl === undefined || d.unrealizedPnlValue !== undefined)
      ? sum(ds.map((d) => d.unrealizedPnlValue ?? '0'))
      : undefined;
    net.push({
      underlying: name,
      spot: spotTotal,
      long,
      short,
      derivatives: sub(long, short),
      net: netSize,
      price: source?.price,
      netValue: source ? roundToStep(mul(netSize, dec(source.price)), '0.00000001', 'nearest') : undefined,
      unrealizedPnlValue: ds.length === 0 ? undefined : pnl,
      venues: [...new Set([...(s?.venues.map((v) => v.venue) ?? []), ...ds.map((d) => d.venue)])].sort(),
    });
  }
  net.sort((a, b) => a.underlying.localeCompare(b.underlying));
  const unpriced = spot.filter((s) => s.value === undefined).map((s) => s.asset);
  if (unpriced.length > 0) reasons.push(`no market prices ${unpriced.join(', ')} in ${quote}`);

  return {
    quote,
    asOf: options.now,
    underlying,
    venues: balances.venues.map((b) => {
      const p = venuePositions.find((x) => x.venue === b.venue);
      return {venue: b.venue, balances: b.status, positions: p?.status ?? 'unsupported', error: [b.error, p?.error].filter(Boolean).join('; ') || undefined};
    }),
    spot,
    derivatives,
    net,
    partial: reasons.length > 0,
    reasons,
  };
}
