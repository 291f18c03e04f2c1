/**
 * Realized and unrealized PnL from journalled fills, by the average-cost
 * method, per asset across quote currencies. Pure: callers pass the fills,
 * a Pricer for current marks, and the rates journalled around each fill.
 *
 * Method (see docs/portfolio.md):
 * - One book per asset, pooled across venues and quote currencies: BTC bought
 *   on BTC/USDT and sold on BTC/USD net into one BTC position, so a
 *   cross-venue (or cross-quote) arbitrage shows its realized PnL. Derivative
 *   markets (BTC/USDT:USDT) keep one book per contract and may be short.
 * - Every fill is valued in the valuation currency at the rate of the fill's
 *   time: 1 when the fill's quote is the valuation currency, else the rate
 *   journalled nearest to that time (`rateAt`, from price snapshots), else
 *   the current rate (labelled as such). Each asset lists the rates used and
 *   their source.
 * - Average cost: a buy adds to the position's cost; a sell realizes
 *   (price - average entry) x amount and removes that share of the cost.
 * - Spot is never short: selling more than the journal bought sells coins
 *   held before the journal. With a basis set by `xarb pnl basis ASSET
 *   PRICE` the difference to that basis is realized; without one the amount
 *   and proceeds are reported under "no basis" and no PnL is invented.
 * - Fees: in the fill's quote they are converted like the price; a fee in
 *   the base asset is treated as selling those units at the fill price (so a
 *   buy of 1 BTC with a 0.001 BTC fee leaves 0.999 BTC); a fee in any other
 *   asset is converted at the rate of the fill's time (or current, labelled);
 *   a fee with no price is listed unconverted and makes the result partial.
 * - Realized PnL is booked on the venue of the closing fill.
 * - `since`: fills before it still build the cost basis, but only fills at or
 *   after it count towards realized PnL, fees, volume and fill counts.
 *   Unrealized PnL is always as of now.
 *
 * Amounts are exact decimals; outputs are rounded to 8 decimals.
 */
import {abs, add, cmp, dec, div, isNegative, isPositive, isZero, min, mul, neg, roundToStep, sub} from '../money/decimal.js';
import type {Fee, Side} from '../types.js';
import type {Pricer, PriceSource} from './pricing.js';

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

/** A cost basis for holdings from before the journal (`xarb pnl basis`). */
export interface CostBasis {
  readonly asset: string;
  /** Price per unit in `quote`. */
  readonly price: string;
  readonly quote: string;
  readonly setAt: number;
}

/** The rate of one unit of `asset` in `quote` journalled around `ts`, if any. */
export type RateAt = (asset: string, quote: string, ts: number) => {readonly price: number; readonly label: string} | undefined;

export interface PnlOptions {
  /** Valuation currency of every figure. */
  readonly quote: string;
  /** Current prices: marks, and conversions when no rate of the fill's time was journalled. */
  readonly pricer: Pricer;
  readonly since?: number;
  readonly rateAt?: RateAt;
  readonly bases?: ReadonlyMap<string, CostBasis>;
}

/** How fills in one currency were converted into the valuation currency. */
export interface RateUsed {
  readonly currency: string;
  readonly fills: number;
  /** The rate of the latest such fill (valuation currency per unit). */
  readonly rate: string;
  readonly source: string;
  /** Fills converted at the current rate because no rate of their time was journalled. */
  readonly atCurrentRate: number;
}

export interface AssetPnl {
  /** The asset (spot) or the contract symbol (derivatives). */
  readonly asset: string;
  readonly kind: 'spot' | 'derivative';
  /** Markets whose fills make this book, e.g. BTC/USD, BTC/USDT. */
  readonly markets: readonly string[];
  /** Fills counted (in the window). */
  readonly fills: number;
  readonly bought: string;
  readonly sold: string;
  /** Notional traded, in the valuation currency (in the window). */
  readonly volume: string;
  /** Base amount held per the journal (never negative for spot). */
  readonly position: string;
  /** Average entry in the valuation currency. */
  readonly averageEntry: string | undefined;
  readonly realized: string;
  /** Fees in the valuation currency (unpriced fees excluded). */
  readonly fees: string;
  readonly unpricedFees: readonly Fee[];
  /** True when some fee or price was converted at the current rate. */
  readonly feesConvertedAtCurrentPrice: boolean;
  readonly markPrice: string | undefined;
  readonly markSource: string | undefined;
  /** Undefined when there is a position but no mark. */
  readonly unrealized: string | undefined;
  /** realized - fees + unrealized. */
  readonly net: string | undefined;
  readonly basis: CostBasis | undefined;
  /** Sold beyond what the journal bought: coins held before the journal. */
  readonly preJournal: {readonly amount: string; readonly proceeds: string; readonly withBasis: boolean} | undefined;
  readonly rates: readonly RateUsed[];
}

export interface VenuePnl {
  readonly venue: string;
  readonly fills: number;
  /** In the valuation currency. */
  readonly volume: string;
  readonly realized: string;
  readonly fees: string;
  readonly net: string;
  /** Currencies of fills that could not be converted (left out). */
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
  readonly assets: readonly AssetPnl[];
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

function splitSymbol(symbol: string): {base: string; quote: string; derivative: boolean} {
  const [pair, settle] = symbol.split(':');
  const [base, quote] = (pair ?? symbol).split('/');
  return {base: base ?? symbol, quote: quote ?? '', derivative: settle !== undefined};
}

interface RateAcc {
  fills: number;
  rate: string;
  source: string;
  current: number;
}

interface AssetAcc {
  key: string;
  base: string;
  derivative: boolean;
  markets: Set<string>;
  book: Book;
  fills: number;
  bought: string;
  sold: string;
  volume: string;
  realized: string;
  fees: string;
  unpricedFees: Map<string, string>;
  converted: boolean;
  preAmount: string;
  preProceeds: string;
  rates: Map<string, RateAcc>;
}

interface VenueAcc {
  fills: number;
  volume: string;
  realized: string;
  fees: string;
  unconverted: Set<string>;
}

interface Rate {
  readonly value: string;
  readonly label: string;
  readonly current: boolean;
}

/** What one fill did to its asset's book, in the valuation currency (`xarb export pnl` writes one row of it per fill). */
export interface FillPnl {
  /** The asset (spot) or the contract symbol (derivatives) whose book the fill moved. */
  readonly asset: string;
  /** Valuation currency per unit of the fill's quote, and where it came from; undefined when no rate is known (the fill is left out). */
  readonly rate: {readonly value: string; readonly source: string; readonly current: boolean} | undefined;
  /** Realized PnL of this fill (fee units sold included), exact. */
  readonly realized: string;
  /** The fee in the valuation currency, exact; '0' when unpriced (see `feeUnpriced`). */
  readonly fee: string;
  readonly feeUnpriced: boolean;
  /** The asset's position after the fill, across venues and quotes. */
  readonly position: string;
  /** Average entry of that position in the valuation currency, exact; undefined when flat. */
  readonly averageEntry: string | undefined;
}

/**
 * The average-cost books of every asset, fed one fill at a time (oldest
 * first). `computePnl` feeds all fills and reports; `xarb export pnl` feeds
 * the journal's stream and writes what each fill did, so both give the same
 * figures.
 */
export class PnlLedger {
  private readonly since: number;
  private readonly assets = new Map<string, AssetAcc>();
  private readonly venues = new Map<string, VenueAcc>();
  private readonly feesByCurrency = new Map<string, string>();
  private readonly reasons = new Set<string>();

  constructor(private readonly options: PnlOptions) {
    this.since = options.since ?? Number.NEGATIVE_INFINITY;
  }

  /** Units of the valuation currency per unit of `currency` at `ts`. */
  private rateOf(currency: string, ts: number): Rate | undefined {
    const {pricer, quote: valuation} = this.options;
    if (currency === valuation) return {value: '1', label: 'same currency', current: false};
    const then = this.options.rateAt?.(currency, valuation, ts);
    if (then) return {value: dec(then.price), label: then.label, current: false};
    const now = pricer.price(currency, valuation);
    return now ? {value: dec(now.price), label: `${now.label}, current rate (none journalled at the fill's time)`, current: true} : undefined;
  }

  apply(f: PnlFill): FillPnl {
    const {pricer, quote: valuation} = this.options;
    const {assets, venues, feesByCurrency, reasons} = this;
    const {base, quote, derivative} = splitSymbol(f.symbol);
    const key = derivative ? f.symbol : base;
    let acc = assets.get(key);
    if (!acc) {
      acc = {key, base, derivative, markets: new Set(), book: {qty: '0', cost: '0'}, fills: 0, bought: '0', sold: '0', volume: '0', realized: '0', fees: '0', unpricedFees: new Map(), converted: false, preAmount: '0', preProceeds: '0', rates: new Map()};
      assets.set(key, acc);
    }
    acc.markets.add(f.symbol);
    const inWindow = f.ts >= this.since;
    let venue = venues.get(f.venue);
    if (inWindow && !venue) venues.set(f.venue, (venue = {fills: 0, volume: '0', realized: '0', fees: '0', unconverted: new Set()}));
    const after = (rate: Rate | undefined, realized: string, fee: string, feeUnpriced: boolean): FillPnl => ({
      asset: key,
      rate: rate ? {value: rate.value, source: rate.label, current: rate.current} : undefined,
      realized,
      fee,
      feeUnpriced,
      position: acc.book.qty,
      averageEntry: isZero(acc.book.qty) ? undefined : div(acc.book.cost, abs(acc.book.qty)),
    });
    const rate = this.rateOf(quote, f.ts);
    if (!rate) {
      reasons.add(`no rate for ${quote} in ${valuation}: fills of ${f.symbol} are left out`);
      if (inWindow) venue!.unconverted.add(quote);
      return after(undefined, '0', '0', false);
    }
    const r = acc.rates.get(quote) ?? {fills: 0, rate: '1', source: '', current: 0};
    acc.rates.set(quote, {fills: r.fills + 1, rate: rate.value, source: rate.label, current: r.current + (rate.current ? 1 : 0)});
    if (rate.current) acc.converted = true;
    const price = mul(f.price, rate.value);

    let realized = trade(acc, f.side, dec(f.amount), price, this.options.bases?.get(base), pricer, valuation);
    let fee = '0';
    let feeUnpriced = false;
    if (f.fee && !isZero(f.fee.cost)) {
      const cost = dec(f.fee.cost);
      if (f.fee.currency === base && !derivative) {
        // Fee units leave the position as if sold at the fill price; the proceeds are the fee.
        realized = add(realized, trade(acc, 'sell', cost, price, this.options.bases?.get(base), pricer, valuation));
        fee = mul(cost, price);
      } else {
        const feeRate = f.fee.currency === quote ? rate : this.rateOf(f.fee.currency, f.ts);
        if (feeRate) {
          fee = mul(cost, feeRate.value);
          if (feeRate.current && inWindow) acc.converted = true;
        } else {
          feeUnpriced = true;
          if (inWindow) addTo(acc.unpricedFees, f.fee.currency, cost);
        }
      }
      if (inWindow) addTo(feesByCurrency, f.fee.currency, cost);
    }
    if (inWindow) {
      const notional = mul(f.amount, price);
      acc.fills += 1;
      acc.volume = add(acc.volume, notional);
      if (f.side === 'buy') acc.bought = add(acc.bought, f.amount);
      else acc.sold = add(acc.sold, f.amount);
      acc.realized = add(acc.realized, realized);
      acc.fees = add(acc.fees, fee);
      venue!.fills += 1;
      venue!.volume = add(venue!.volume, notional);
      venue!.realized = add(venue!.realized, realized);
      venue!.fees = add(venue!.fees, fee);
    }
    return after(rate, realized, fee, feeUnpriced);
  }

  report(): PnlReport {
    const {pricer, quote: valuation} = this.options;
    const {assets, venues, feesByCurrency, reasons} = this;
    let totalRealized = '0';
    let totalFees = '0';
    let totalUnrealized = '0';
    const out: AssetPnl[] = [];
    for (const acc of assets.values()) {
      const {qty, cost} = acc.book;
      if (acc.fills === 0 && isZero(qty)) continue;
      const mark = isZero(qty) ? undefined : pricer.price(acc.derivative ? acc.key : acc.base, valuation) ?? (acc.derivative ? markDerivative(acc.key, pricer, valuation) : undefined);
      let unrealized: string | undefined = '0';
      if (!isZero(qty)) {
        if (!mark) {
          unrealized = undefined;
          reasons.add(`no market price for ${acc.key} in ${valuation}: its unrealized PnL is missing`);
        } else {
          const value = mul(abs(qty), dec(mark.price));
          unrealized = isNegative(qty) ? sub(cost, value) : sub(value, cost);
        }
      }
      const unpricedFees = [...acc.unpricedFees].map(([currency, c]) => ({currency, cost: c}));
      if (unpricedFees.length > 0) reasons.add(`fees of ${acc.key} in ${unpricedFees.map((x) => x.currency).join(', ')} have no price in ${valuation}`);
      const basis = acc.derivative ? undefined : this.options.bases?.get(acc.base);
      const preJournal = isZero(acc.preAmount) ? undefined : {amount: acc.preAmount, proceeds: r8(acc.preProceeds), withBasis: basis !== undefined};
      if (preJournal && !basis) reasons.add(`${acc.base}: ${acc.preAmount} sold from holdings older than the journal, with no cost basis (set one with \`xarb pnl basis ${acc.base} PRICE\`)`);
      const net = unrealized === undefined ? undefined : add(sub(acc.realized, acc.fees), unrealized);
      totalRealized = add(totalRealized, acc.realized);
      totalFees = add(totalFees, acc.fees);
      if (unrealized !== undefined) totalUnrealized = add(totalUnrealized, unrealized);
      out.push({
        asset: acc.key,
        kind: acc.derivative ? 'derivative' : 'spot',
        markets: [...acc.markets].sort(),
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
        markPrice: mark === undefined ? undefined : r8(dec(mark.price)),
        markSource: mark?.label,
        unrealized: unrealized === undefined ? undefined : r8(unrealized),
        net: net === undefined ? undefined : r8(net),
        basis,
        preJournal,
        rates: [...acc.rates].map(([currency, x]) => ({currency, fills: x.fills, rate: r8(x.rate), source: x.source, atCurrentRate: x.current})).sort((a, b) => a.currency.localeCompare(b.currency)),
      });
    }
    out.sort((a, b) => a.asset.localeCompare(b.asset));

    const venueOut: VenuePnl[] = [...venues].map(([name, v]) => ({venue: name, fills: v.fills, volume: r8(v.volume), realized: r8(v.realized), fees: r8(v.fees), net: r8(sub(v.realized, v.fees)), unconverted: [...v.unconverted].sort()}));
    venueOut.sort((a, b) => a.venue.localeCompare(b.venue));

    return {
      method: 'average-cost',
      quote: valuation,
      since: this.options.since,
      assets: out,
      venues: venueOut,
      feesByCurrency: [...feesByCurrency].map(([currency, cost]) => ({currency, cost: r8(cost)})).sort((a, b) => a.currency.localeCompare(b.currency)),
      total: {
        realized: r8(totalRealized),
        fees: r8(totalFees),
        unrealized: r8(totalUnrealized),
        net: r8(add(sub(totalRealized, totalFees), totalUnrealized)),
        partial: reasons.size > 0,
        reasons: [...reasons],
      },
    };
  }
}

/** The journal's order of fills for PnL: time, then venue, symbol and trade id (as `xarb export` streams them). */
export function compareFills(a: PnlFill, b: PnlFill): number {
  return a.ts - b.ts || cmpText(a.venue, b.venue) || cmpText(a.symbol, b.symbol) || cmpText(a.tradeId, b.tradeId);
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function computePnl(fills: readonly PnlFill[], options: PnlOptions): PnlReport {
  const ledger = new PnlLedger(options);
  for (const f of [...fills].sort(compareFills)) ledger.apply(f);
  return ledger.report();
}

/**
 * One trade on an asset's book, prices in the valuation currency; returns the
 * realized PnL. Spot never goes short: what is sold beyond the position comes
 * from holdings older than the journal (realized against the basis if one is
 * set, else only counted).
 */
function trade(acc: AssetAcc, side: Side, amount: string, price: string, basis: CostBasis | undefined, pricer: Pricer, valuation: string): string {
  if (acc.derivative || side === 'buy' || cmp(amount, acc.book.qty) <= 0) return applyTrade(acc.book, side, amount, price);
  const held = isPositive(acc.book.qty) ? acc.book.qty : '0';
  const realized = isPositive(held) ? applyTrade(acc.book, 'sell', held, price) : '0';
  const excess = sub(amount, held);
  acc.preAmount = add(acc.preAmount, excess);
  acc.preProceeds = add(acc.preProceeds, mul(excess, price));
  const basisPrice = basis ? basisIn(basis, pricer, valuation) : undefined;
  return basisPrice === undefined ? realized : add(realized, mul(excess, sub(price, basisPrice)));
}

function basisIn(basis: CostBasis, pricer: Pricer, valuation: string): string | undefined {
  if (basis.quote === valuation) return dec(basis.price);
  const rate = pricer.price(basis.quote, valuation);
  return rate ? mul(basis.price, dec(rate.price)) : undefined;
}

/** A contract marked through its underlying spot price (BTC/USDT:USDT -> BTC in the valuation currency). */
function markDerivative(symbol: string, pricer: Pricer, valuation: string): PriceSource | undefined {
  return pricer.price(splitSymbol(symbol).base, valuation);
}

function addTo(map: Map<string, string>, key: string, value: string): void {
  map.set(key, add(map.get(key) ?? '0', value));
}
