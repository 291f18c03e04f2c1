/**
 * Realized and unrealized PnL from journalled fills, by the average-cost
 * method. Pure: callers pass the fills and a Pricer for marks and currency
 * conversion.
 *
 * Method (see docs/portfolio.md):
 * - One book per canonical symbol, pooled across venues: buying BTC/USD on one
 *   venue and selling it on another realizes the difference (that is what a
 *   cross-venue arbitrage earns). BTC/USD and BTC/USDT are separate books.
 * - Average cost: a fill that grows the position (or opens it) adds to its
 *   cost; a fill that shrinks it realizes (fill price - average entry) x amount
 *   for a long, the opposite for a short, and removes that share of the cost.
 *   A fill larger than the position closes it and opens the rest the other
 *   way at the fill price. Selling more than the journal ever bought (coins
 *   held before xarb) shows as a short position: the journal has no cost for them.
 * - Realized PnL is booked on the venue of the closing fill.
 * - Fees: in the symbol's quote they count as they are. A fee in the base
 *   asset is treated as selling those units at the fill price and paying the
 *   proceeds as the fee (so a buy of 1 BTC with a 0.001 BTC fee leaves 0.999
 *   BTC). A fee in any other asset is converted into the symbol's quote at the
 *   current price (labelled); a fee with no price is listed unconverted and
 *   makes the result partial.
 * - `since`: fills before it still build the cost basis, but only fills at or
 *   after it count towards realized PnL, fees, volume and fill counts.
 *   Unrealized PnL is always as of now.
 * - Per-symbol figures are in the symbol's quote asset; per-venue and total
 *   figures are converted into the valuation quote at current prices.
 *
 * Amounts are exact decimals; outputs are rounded to 8 decimals.
 */
import {abs, add, cmp, dec, div, isNegative, isPositive, isZero, min, mul, neg, roundToStep, sub} from '../money/decimal.js';
import type {Fee, Side} from '../types.js';
import type {Pricer} from './pricing.js';

const STEP = '0.00000001';
const r8 = (x: string): string => roundToStep(x, STEP, 'nearest');

export interface PnlFill {
  readonly venue: string;
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Decimal strings. */
  readonly price: string;
  readonly amount: string;
  readonly fee: Fee | undefined;
  readonly ts: number;
}

export interface PnlOptions {
  /** Valuation quote for per-venue and total figures. */
  readonly quote: string;
  readonly pricer: Pricer;
  readonly since?: number;
}

export interface SymbolPnl {
  readonly symbol: string;
  readonly base: string;
  /** The symbol's quote asset: the unit of every amount below except `position`. */
  readonly quote: string;
  /** Fills counted (in the window). */
  readonly fills: number;
  /** Base bought and sold, quote notional traded (in the window). */
  readonly bought: string;
  readonly sold: string;
  readonly volume: string;
  /** Signed base amount held per the journal after all fills (negative = short). */
  readonly position: string;
  readonly averageEntry: string | undefined;
  readonly realized: string;
  /** Fees converted into the symbol's quote (unpriced fees excluded). */
  readonly fees: string;
  readonly unpricedFees: readonly Fee[];
  /** True when some fee was converted at the current price of a third asset. */
  readonly feesConvertedAtCurrentPrice: boolean;
  readonly markPrice: number | undefined;
  readonly markSource: string | undefined;
  /** Undefined when there is a position but no mark. */
  readonly unrealized: string | undefined;
  /** realized - fees + unrealized (unrealized counted as 0 when there is no position). */
  readonly net: string | undefined;
  /** Price of one unit of the symbol's quote in the valuation quote. */
  readonly quoteRate: number | undefined;
  readonly netValue: string | undefined;
}

export interface VenuePnl {
  readonly venue: string;
  readonly fills: number;
  /** In the valuation quote; undefined parts are listed in `unconverted`. */
  readonly volume: string;
  readonly realized: string;
  readonly fees: string;
  readonly net: string;
  readonly unconverted: readonly string[];
}

export interface PnlTotals {
  readonly realized: string;
  readonly fees: string;
  readonly unrealized: string;
  readonly net: string;
  readonly partial: boolean;
  readonly reasons: readonly string[];
}

export interface PnlReport {
  readonly method: 'average-cost';
  readonly quote: string;
  readonly since: number | undefined;
  readonly symbols: readonly SymbolPnl[];
  readonly venues: readonly VenuePnl[];
  /** Fees by the currency they were charged in (in the window), exact. */
  readonly feesByCurrency: readonly Fee[];
  readonly total: PnlTotals;
}

interface Book {
  qty: string; // signed
  cost: string; // positive: what the open position cost (long) or fetched (short)
}

/** Applies one trade to an average-cost book; returns the realized PnL (in quote). Mutates `book`. */
export function applyTrade(book: Book, side: Side, amount: string, price: string): string {
  const signed = side === 'buy' ? dec(amount) : neg(amount);
  if (isZero(book.qty) || isPositive(book.qty) === isPositive(signed)) {
    book.qty = add(book.qty, signed);
    book.cost = add(book.cost, mul(amount, price));
    return '0';
  }
  const held = abs(book.qty);
  const closing = min(amount, held);
  const basis = cmp(closing, held) === 0 ? book.cost : div(mul(book.cost, closing), held);
  const proceeds = mul(closing, price);
  // Long closed by a sale: proceeds - basis. Short closed by a purchase: basis - cost.
  const realized = isPositive(book.qty) ? sub(proceeds, basis) : sub(basis, proceeds);
  book.cost = sub(book.cost, basis);
  book.qty = isPositive(book.qty) ? sub(book.qty, closing) : add(book.qty, closing);
  const rest = sub(amount, closing);
  if (isPositive(rest)) {
    book.qty = side === 'buy' ? rest : neg(rest);
    book.cost = mul(rest, price);
  }
  if (isZero(book.qty)) book.cost = '0';
  return realized;
}

function splitSymbol(symbol: string): {base: string; quote: string} {
  const [pair] = symbol.split(':');
  const [base, quote] = (pair ?? symbol).split('/');
  return {base: base ?? symbol, quote: quote ?? ''};
}

interface SymbolAcc {
  symbol: string;
  base: string;
  quote: string;
  book: Book;
  fills: number;
  bought: string;
  sold: string;
  volume: string;
  realized: string;
  fees: string;
  unpricedFees: Map<string, string>;
  converted: boolean;
}

interface VenueAcc {
  fills: number;
  // per symbol quote asset
  volume: Map<string, string>;
  realized: Map<string, string>;
  fees: Map<string, string>;
}

function addTo(map: Map<string, string>, key: string, value: string): void {
  map.set(key, add(map.get(key) ?? '0', value));
}

export function computePnl(fills: readonly PnlFill[], options: PnlOptions): PnlReport {
  const {pricer, quote: valuationQuote} = options;
  const since = options.since ?? Number.NEGATIVE_INFINITY;
  const ordered = [...fills].sort((a, b) => a.ts - b.ts || (a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : 0) || (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
  const symbols = new Map<string, SymbolAcc>();
  const venues = new Map<string, VenueAcc>();
  const feesByCurrency = new Map<string, string>();
  const reasons: string[] = [];

  for (const f of ordered) {
    let acc = symbols.get(f.symbol);
    if (!acc) {
      const {base, quote} = splitSymbol(f.symbol);
      acc = {symbol: f.symbol, base, quote, book: {qty: '0', cost: '0'}, fills: 0, bought: '0', sold: '0', volume: '0', realized: '0', fees: '0', unpricedFees: new Map(), converted: false};
      symbols.set(f.symbol, acc);
    }
    const inWindow = f.ts >= since;
    let venue = venues.get(f.venue);
    if (inWindow && !venue) venues.set(f.venue, (venue = {fills: 0, volume: new Map(), realized: new Map(), fees: new Map()}));

    let realized = applyTrade(acc.book, f.side, f.amount, f.price);
    let fee = '0';
    if (f.fee && !isZero(f.fee.cost)) {
      const cost = dec(f.fee.cost);
      if (f.fee.currency === acc.quote) fee = cost;
      else if (f.fee.currency === acc.base) {
        // Fee units leave the position as if sold at the fill price; the proceeds are the fee.
        realized = add(realized, applyTrade(acc.book, 'sell', cost, f.price));
        fee = mul(cost, f.price);
      } else {
        const rate = pricer.price(f.fee.currency, acc.quote);
        if (rate) {
          fee = mul(cost, dec(rate.price));
          if (inWindow) acc.converted = true;
        } else if (inWindow) addTo(acc.unpricedFees, f.fee.currency, cost);
      }
      if (inWindow) addTo(feesByCurrency, f.fee.currency, cost);
    }
    if (!inWindow) continue;
    const notional = mul(f.amount, f.price);
    acc.fills += 1;
    acc.volume = add(acc.volume, notional);
    if (f.side === 'buy') acc.bought = add(acc.bought, f.amount);
    else acc.sold = add(acc.sold, f.amount);
    acc.realized = add(acc.realized, realized);
    acc.fees = add(acc.fees, fee);
    venue!.fills += 1;
    addTo(venue!.volume, acc.quote, notional);
    addTo(venue!.realized, acc.quote, realized);
    addTo(venue!.fees, acc.quote, fee);
  }

  const rateCache = new Map<string, number | undefined>();
  const rateOf = (asset: string): number | undefined => {
    if (!rateCache.has(asset)) rateCache.set(asset, asset === valuationQuote ? 1 : pricer.price(asset, valuationQuote)?.price);
    return rateCache.get(asset);
  };
  const toValue = (amount: string, asset: string): string | undefined => {
    const rate = rateOf(asset);
    if (rate === undefined) return undefined;
    return rate === 1 ? amount : mul(amount, dec(rate));
  };

  let totalRealized = '0';
  let totalFees = '0';
  let totalUnrealized = '0';
  const out: SymbolPnl[] = [];
  for (const acc of symbols.values()) {
    const {qty, cost} = acc.book;
    // A symbol with no fill in the window and no open position has nothing to say.
    if (acc.fills === 0 && isZero(qty)) continue;
    const mark = isZero(qty) ? undefined : pricer.price(acc.base, acc.quote);
    let unrealized: string | undefined = '0';
    if (!isZero(qty)) {
      if (!mark) {
        unrealized = undefined;
        reasons.push(`no market price for ${acc.symbol}: its unrealized PnL is missing`);
      } else {
        const value = mul(abs(qty), dec(mark.price));
        unrealized = isNegative(qty) ? sub(cost, value) : sub(value, cost);
      }
    }
    const unpricedFees = [...acc.unpricedFees].map(([currency, c]) => ({currency, cost: c}));
    if (unpricedFees.length > 0) reasons.push(`fees of ${acc.symbol} in ${unpricedFees.map((x) => x.currency).join(', ')} have no price in ${acc.quote}`);
    const net = unrealized === undefined ? undefined : add(sub(acc.realized, acc.fees), unrealized);
    const quoteRate = rateOf(acc.quote);
    if (quoteRate === undefined) reasons.push(`no market prices ${acc.quote} in ${valuationQuote}: ${acc.symbol} is left out of the totals`);
    else {
      totalRealized = add(totalRealized, toValue(acc.realized, acc.quote)!);
      totalFees = add(totalFees, toValue(acc.fees, acc.quote)!);
      if (unrealized !== undefined) totalUnrealized = add(totalUnrealized, toValue(unrealized, acc.quote)!);
    }
    out.push({
      symbol: acc.symbol,
      base: acc.base,
      quote: acc.quote,
      fills: acc.fills,
      bought: acc.bought,
      sold: acc.sold,
      volume: r8(acc.volume),
      position: qty,
      averageEntry: isZero(qty) ? undefined : r8(div(cost, abs(qty))),
      realized: r8(acc.realized),
      fees: r8(acc.fees),
      unpricedFees,
      feesConvertedAtCurrentPrice: acc.converted,
      markPrice: mark?.price,
      markSource: mark?.label,
      unrealized: unrealized === undefined ? undefined : r8(unrealized),
      net: net === undefined ? undefined : r8(net),
      quoteRate,
      netValue: net === undefined || quoteRate === undefined ? undefined : r8(toValue(net, acc.quote)!),
    });
  }
  out.sort((a, b) => a.symbol.localeCompare(b.symbol));

  const venueOut: VenuePnl[] = [];
  for (const [name, v] of venues) {
    let volume = '0';
    let realized = '0';
    let fees = '0';
    const unconverted = new Set<string>();
    for (const [asset, amount] of v.volume) {
      const value = toValue(amount, asset);
      if (value === undefined) unconverted.add(asset);
      else volume = add(volume, value);
    }
    for (const [asset, amount] of v.realized) {
      const value = toValue(amount, asset);
      if (value !== undefined) realized = add(realized, value);
    }
    for (const [asset, amount] of v.fees) {
      const value = toValue(amount, asset);
      if (value !== undefined) fees = add(fees, value);
    }
    venueOut.push({venue: name, fills: v.fills, volume: r8(volume), realized: r8(realized), fees: r8(fees), net: r8(sub(realized, fees)), unconverted: [...unconverted].sort()});
  }
  venueOut.sort((a, b) => a.venue.localeCompare(b.venue));

  return {
    method: 'average-cost',
    quote: valuationQuote,
    since: options.since,
    symbols: out,
    venues: venueOut,
    feesByCurrency: [...feesByCurrency].map(([currency, cost]) => ({currency, cost})).sort((a, b) => a.currency.localeCompare(b.currency)),
    total: {
      realized: r8(totalRealized),
      fees: r8(totalFees),
      unrealized: r8(totalUnrealized),
      net: r8(add(sub(totalRealized, totalFees), totalUnrealized)),
      partial: reasons.length > 0,
      reasons,
    },
  };
}
