/**
 * The effectful half of routing and risk: asks the venues (in parallel) for
 * what the pure router and risk checks need - markets, books, balances,
 * quotes for valuation - and reads measured latency from the journal. A
 * venue that fails is reported, never silently treated as empty.
 */
import {errorMessage} from '../errors.js';
import {makeValuer} from '../arb/valuation.js';
import type {RiskConfig, XarbConfig} from '../config/schema.js';
import {ageMs, isStale, mid} from '../market/book.js';
import {cmp, dec, sub} from '../money/decimal.js';
import type {VenueCandidate} from '../router/types.js';
import {QUOTE_GROUPS, quoteGroupOf} from '../symbols/index.js';
import type {Balance, Market, OrderBook, Quote} from '../types.js';
import type {Venue} from '../venues/port.js';
import type {Valuer} from '../risk/types.js';

export interface VenueMarketData {
  readonly venue: string;
  readonly market: Market;
  readonly book: OrderBook;
  /** undefined when the venue's balances could not be read (no keys, error). */
  readonly balances: readonly Balance[] | undefined;
  readonly balanceError?: string;
}

export interface VenueFailure {
  readonly venue: string;
  readonly reason: string;
  /** True when the venue failed to answer (as opposed to not listing the symbol). */
  readonly failed?: boolean;
}

export interface MarketGather {
  readonly data: readonly VenueMarketData[];
  /** Venues that do not list the symbol, or failed to answer. */
  readonly failures: readonly VenueFailure[];
}

/**
 * Markets, book and balances of `symbol` on each venue, in parallel. With
 * `maxAgeMs`, a book older than that at `now` is not used: the venue is a
 * failure (stale data), as prices and arb scan treat it.
 */
export async function gatherMarketData(venues: readonly Venue[], symbol: string, options: {depth?: number; balances?: boolean; maxAgeMs?: number; now?: number} = {}): Promise<MarketGather> {
  const results = await Promise.all(
    venues.map(async (venue): Promise<VenueMarketData | VenueFailure> => {
      const name = venue.info.id;
      try {
        const markets = await venue.loadMarkets();
        const market = markets.find((m) => m.symbol === symbol);
        if (!market) return {venue: name, reason: `does not list ${symbol}`};
        const [book, balances] = await Promise.all([
          venue.fetchOrderBook(symbol, options.depth),
          options.balances === false ? Promise.resolve(undefined) : venue.fetchBalances().then((b) => ({ok: b}), (e: unknown) => ({error: errorMessage(e)})),
        ]);
        if (options.maxAgeMs !== undefined && options.now !== undefined && isStale(book, options.now, options.maxAgeMs)) {
          return {venue: name, reason: `the ${symbol} book is ${ageMs(book, options.now)} ms old (max ${options.maxAgeMs} ms): stale`, failed: true};
        }
        const ok = balances && 'ok' in balances ? balances.ok : undefined;
        const balanceError = balances && 'error' in balances ? balances.error : undefined;
        return {venue: name, market, book, balances: ok, ...(balanceError ? {balanceError} : {})};
      } catch (error) {
        return {venue: name, reason: errorMessage(error), failed: true};
      }
    }),
  );
  return {
    data: results.filter((r): r is VenueMarketData => 'market' in r),
    failures: results.filter((r): r is VenueFailure => 'reason' in r),
  };
}

export function freeOf(balances: readonly Balance[] | undefined, asset: string): string | undefined {
  if (!balances) return undefined;
  return balances.find((b) => b.asset === asset)?.free ?? '0';
}

/** Free balance minus the configured reserve of the asset (never below 0). */
export function spendable(balances: readonly Balance[], asset: string, risk: RiskConfig): string {
  const free = freeOf(balances, asset) ?? '0';
  const reserve = risk.reserves?.[asset];
  if (reserve === undefined) return free;
  const left = sub(free, reserve);
  return cmp(left, 0) > 0 ? left : '0';
}

function balancesOf(balances: readonly Balance[], market: Market, risk: RiskConfig): Pick<VenueCandidate, 'quoteFree' | 'baseFree' | 'quoteReserved' | 'baseReserved'> {
  const quoteFree = spendable(balances, market.quote, risk);
  const baseFree = spendable(balances, market.base, risk);
  return {quoteFree, baseFree, quoteReserved: sub(freeOf(balances, market.quote) ?? '0', quoteFree), baseReserved: sub(freeOf(balances, market.base) ?? '0', baseFree)};
}

/** The strictest per-order caps of the risk config for a venue and symbol: base amount, and notional in the symbol's quote. */
export function orderCaps(risk: RiskConfig, venue: string, symbol: string, quoteRate: number | undefined): {maxAmount?: string; maxNotional?: number} {
  const sets = [risk.global, risk.venues?.[venue], risk.symbols?.[symbol]].filter((s) => s !== undefined);
  let maxAmount: string | undefined;
  let maxNotional: number | undefined;
  for (const s of sets) {
    if (s.maxOrderAmount !== undefined && (maxAmount === undefined || Number(s.maxOrderAmount) < Number(maxAmount))) maxAmount = dec(s.maxOrderAmount);
    if (s.maxOrderNotional !== undefined && quoteRate !== undefined && quoteRate > 0) {
      const inQuote = Number(s.maxOrderNotional) / quoteRate;
      if (maxNotional === undefined || inQuote < maxNotional) maxNotional = inQuote;
    }
  }
  return {...(maxAmount === undefined ? {} : {maxAmount}), ...(maxNotional === undefined ? {} : {maxNotional})};
}

/** Router candidates from gathered market data. */
export function toCandidates(
  data: readonly VenueMarketData[],
  options: {config: XarbConfig; priorities: ReadonlyMap<string, number>; latency: ReadonlyMap<string, number>; value: Valuer},
): VenueCandidate[] {
  return data.map((d) => {
    const override = options.config.venues[d.venue]?.fees?.taker;
    const caps = orderCaps(options.config.risk, d.venue, d.market.symbol, options.value(d.market.quote));
    return {
      venue: d.venue,
      market: d.market,
      book: d.book,
      takerFee: override ?? d.market.taker,
      ...(d.balances ? balancesOf(d.balances, d.market, options.config.risk) : {}),
      ...caps,
      ...(options.latency.has(d.venue) ? {latencyMs: options.latency.get(d.venue)} : {}),
      priority: options.priorities.get(d.venue) ?? 1e9,
    };
  });
}

/** Assets counted as cash for exposure: the valuation quote and the members of its quote group. */
export function cashAssets(valuationQuote: string): string[] {
  const group = quoteGroupOf(valuationQuote);
  return group ? [...(QUOTE_GROUPS[group] ?? [valuationQuote])] : [valuationQuote];
}

/** Does the risk config have any limit that needs assets valued (notional, volume, exposure)? */
export function needsValuation(risk: RiskConfig): boolean {
  const sets = [risk.global, ...Object.values(risk.venues ?? {}), ...Object.values(risk.symbols ?? {})];
  return sets.some((s) => s && (s.maxOrderNotional !== undefined || s.maxDailyVolume !== undefined || s.maxExposurePct !== undefined || (s as {maxTotalExposurePct?: number}).maxTotalExposurePct !== undefined));
}

/** Does it need the balances of every venue (positions or exposure across venues)? */
export function needsAllBalances(risk: RiskConfig): boolean {
  const sets = [risk.global, ...Object.values(risk.symbols ?? {})];
  const venueSets = Object.values(risk.venues ?? {});
  return (
    sets.some((s) => s && (s.maxPosition !== undefined || s.maxExposurePct !== undefined || (s as {maxTotalExposurePct?: number}).maxTotalExposurePct !== undefined)) ||
    venueSets.some((s) => s.maxExposurePct !== undefined)
  );
}

export interface RiskInputs {
  readonly balances: ReadonlyMap<string, readonly Balance[]>;
  readonly unknownBalances: readonly string[];
  readonly value: Valuer;
  readonly quotes: readonly Quote[];
}

/**
 * Balances of every venue the risk limits need and rates to value assets.
 * `known` carries balances already fetched (for the candidate venues).
 */
export async function gatherRiskInputs(
  allVenues: readonly Venue[],
  config: XarbConfig,
  known: readonly VenueMarketData[],
): Promise<RiskInputs> {
  const balances = new Map<string, readonly Balance[]>();
  const unknown = new Set<string>();
  for (const d of known) {
    if (d.balances) balances.set(d.venue, d.balances);
    else unknown.add(d.venue);
  }
  const quotes: Quote[] = known.map((d) => bookQuote(d.book));
  const wantAll = needsAllBalances(config.risk);
  const wantValues = needsValuation(config.risk);
  await Promise.all(
    allVenues.map(async (venue) => {
      const name = venue.info.id;
      if (wantAll && !balances.has(name)) {
        try {
          balances.set(name, await venue.fetchBalances());
          unknown.delete(name);
        } catch {
          unknown.add(name);
        }
      }
      if (wantValues) {
        try {
          quotes.push(...(await venue.fetchQuotes()));
        } catch {
          // Rates come from the venues that answered; a missing rate denies the limits that need it.
        }
      }
    }),
  );
  const valuer = makeValuer(quotes, config.valuationQuote);
  return {balances, unknownBalances: [...unknown].filter((v) => !balances.has(v)).sort(), value: valuer, quotes};
}

function bookQuote(book: OrderBook): Quote {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return {venue: book.venue, symbol: book.symbol, bid: bid?.[0], bidSize: bid?.[1], ask: ask?.[0], askSize: ask?.[1], timestamp: book.timestamp, receivedAt: book.receivedAt};
}

export {mid};
