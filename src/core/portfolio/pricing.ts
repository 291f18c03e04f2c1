/**
 * Prices any asset in any quote asset from the venues' own top-of-book
 * quotes. Pure: callers pass the quotes they fetched.
 *
 * Invariants (see docs/portfolio.md):
 * - Only real markets price an asset. USDT, USDC and USD are different assets;
 *   USDT is worth USD only through a market such as USDT/USD or a bridge
 *   (USDT -> BTC -> USD). An asset with no path is unpriced, never 1 and never 0.
 * - A path has at most `maxLegs` legs (default 3). Fewer legs always win.
 * - Among the candidates with the fewest legs (every venue's market for the
 *   first leg, times the already-chosen price of the next asset), the median
 *   is taken (the lower of the two middle ones for an even count), so one
 *   dislocated venue does not move a valuation; the chosen candidate names
 *   its venue and symbol for every leg.
 * - Method `mid`: (bid + ask) / 2 on every leg. Method `bid`: what selling
 *   would fetch at the top of the book: BASE -> QUOTE at the bid, QUOTE -> BASE
 *   at 1 / ask. A quote missing the needed side, crossed, non-positive or
 *   older than `maxAgeMs` is not used.
 */
import type {Quote} from '../types.js';

export type PriceMethod = 'mid' | 'bid';

export interface PriceLeg {
  readonly venue: string;
  readonly symbol: string;
  /** The asset converted from and to on this leg. */
  readonly from: string;
  readonly to: string;
  /** Units of `to` per unit of `from` on this leg. */
  readonly rate: number;
  /** Which side of the quote was used: mid, bid, or ask (an inverted leg at the ask). */
  readonly side: 'mid' | 'bid' | 'ask';
}

export interface PriceSource {
  readonly asset: string;
  readonly quote: string;
  /** Units of quote per unit of asset. */
  readonly price: number;
  /** Empty when asset === quote. */
  readonly legs: readonly PriceLeg[];
  /** Human form: `binance BTC/USDT (mid)` or `BTC->USDT->USD via binance BTC/USDT, kraken USDT/USD (mid)`. */
  readonly label: string;
  /** How many candidate paths of this length existed (median taken over them). */
  readonly candidates: number;
}

export interface PricingOptions {
  readonly method?: PriceMethod;
  /** Quotes older than this (by receivedAt against `now`) are ignored. Default 5 minutes. */
  readonly maxAgeMs?: number;
  readonly now?: number;
  /** Default 3. */
  readonly maxLegs?: number;
}

export interface Pricer {
  readonly method: PriceMethod;
  /** The price of one `asset` in `quote`, or undefined when no market path exists. */
  price(asset: string, quote: string): PriceSource | undefined;
}

export const DEFAULT_PRICE_MAX_AGE_MS = 5 * 60_000;

function splitSymbol(symbol: string): [string, string] | undefined {
  const slash = symbol.indexOf('/');
  if (slash <= 0) return undefined;
  const base = symbol.slice(0, slash);
  const quote = symbol.slice(slash + 1);
  // Derivatives (BTC/USDT:USDT) are not spot conversions.
  if (quote.includes(':') || quote === '') return undefined;
  return [base, quote];
}

function usable(x: number | undefined): x is number {
  return x !== undefined && Number.isFinite(x) && x > 0;
}

/** Turns quotes into conversion legs in both directions. */
export function quoteEdges(quotes: readonly Quote[], options: PricingOptions = {}): PriceLeg[] {
  const method = options.method ?? 'mid';
  const maxAge = options.maxAgeMs ?? DEFAULT_PRICE_MAX_AGE_MS;
  const now = options.now;
  const edges: PriceLeg[] = [];
  for (const q of quotes) {
    const pair = splitSymbol(q.symbol);
    if (!pair) continue;
    if (now !== undefined && now - q.receivedAt > maxAge) continue;
    const [base, quote] = pair;
    if (base === quote) continue;
    const {bid, ask} = q;
    if (usable(bid) && usable(ask) && bid > ask) continue; // crossed: untrustworthy
    if (method === 'mid') {
      if (!usable(bid) || !usable(ask)) continue;
      const mid = (bid + ask) / 2;
      edges.push({venue: q.venue, symbol: q.symbol, from: base, to: quote, rate: sig12(mid), side: 'mid'});
      edges.push({venue: q.venue, symbol: q.symbol, from: quote, to: base, rate: sig12(1 / mid), side: 'mid'});
    } else {
      if (usable(bid)) edges.push({venue: q.venue, symbol: q.symbol, from: base, to: quote, rate: bid, side: 'bid'});
      if (usable(ask)) edges.push({venue: q.venue, symbol: q.symbol, from: quote, to: base, rate: sig12(1 / ask), side: 'ask'});
    }
  }
  return edges;
}

function labelFor(asset: string, quote: string, legs: readonly PriceLeg[], method: PriceMethod): string {
  if (legs.length === 0) return `${asset} is the quote`;
  const markets = legs.map((l) => `${l.venue} ${l.symbol}`).join(', ');
  if (legs.length === 1) return `${markets} (${method})`;
  const path = [asset, ...legs.map((l) => l.to)].join('->');
  return `${path} via ${markets} (${method})`;
}

/**
 * Builds a pricer over `quotes`. Prices are computed per quote asset on first
 * use (one breadth-first pass from the quote asset over all edges) and cached.
 */
export function createPricer(quotes: readonly Quote[], options: PricingOptions = {}): Pricer {
  const method = options.method ?? 'mid';
  const maxLegs = options.maxLegs ?? 3;
  // Outgoing legs per asset.
  const outgoing = new Map<string, PriceLeg[]>();
  for (const e of quoteEdges(quotes, options)) {
    let out = outgoing.get(e.from);
    if (!out) outgoing.set(e.from, (out = []));
    out.push(e);
  }
  const tables = new Map<string, Map<string, PriceSource>>();

  function table(quote: string): Map<string, PriceSource> {
    const cached = tables.get(quote);
    if (cached) return cached;
    const prices = new Map<string, PriceSource>();
    prices.set(quote, {asset: quote, quote, price: 1, legs: [], label: labelFor(quote, quote, [], method), candidates: 1});
    let frontier = 1;
    for (let depth = 1; depth <= maxLegs && frontier > 0; depth++) {
      // Every asset not priced yet with a leg into an asset priced at depth - 1.
      const layer: [string, PriceSource][] = [];
      for (const [asset, legs] of outgoing) {
        if (prices.has(asset)) continue;
        const candidates: {price: number; leg: PriceLeg; rest: PriceSource}[] = [];
        for (const leg of legs) {
          const rest = prices.get(leg.to);
          if (!rest || rest.legs.length !== depth - 1) continue;
          candidates.push({price: leg.rate * rest.price, leg, rest});
        }
        if (candidates.length === 0) continue;
        candidates.sort(
          (a, b) =>
            a.price - b.price ||
            (a.leg.venue < b.leg.venue ? -1 : a.leg.venue > b.leg.venue ? 1 : 0) ||
            (a.leg.symbol < b.leg.symbol ? -1 : a.leg.symbol > b.leg.symbol ? 1 : 0),
        );
        const chosen = candidates[Math.floor((candidates.length - 1) / 2)]!;
        if (!Number.isFinite(chosen.price) || chosen.price <= 0) continue;
        const path = [chosen.leg, ...chosen.rest.legs];
        // 12 significant digits: a mid of 66293.1 and 66293.3 is 66293.2, not 66293.20000000001.
        layer.push([asset, {asset, quote, price: sig12(chosen.price), legs: path, label: labelFor(asset, quote, path, method), candidates: candidates.length}]);
      }
      for (const [asset, source] of layer) prices.set(asset, source);
      frontier = layer.length;
    }
    tables.set(quote, prices);
    return prices;
  }

  return {
    method,
    price(asset: string, quote: string): PriceSource | undefined {
      return table(quote).get(asset);
    },
  };
}

/** 12 significant digits: rates without binary float tails (0.123705, not 0.12370500000000001). */
function sig12(value: number): number {
  return Number(value.toPrecision(12));
}
