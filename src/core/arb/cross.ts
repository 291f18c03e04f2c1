/**
 * Cross-venue scanning, pure. Two stages so a scan over thousands of symbols
 * costs one quotes call per venue plus a few book fetches:
 *
 * 1. screenCross: from top-of-book quotes, every ordered venue pair of a
 *    symbol whose top-of-book edge after taker fees reaches the minimum bps.
 *    Walking deeper only lowers the average edge (levels get worse), so a
 *    pair that fails here cannot pass later. Stale quotes (older than max
 *    age) are dropped and listed; pairs whose assets are not the same coin
 *    (identity.ts) are dropped with a reason.
 * 2. evaluateCross: for the candidates, walk the depth books (walk.ts) and
 *    keep the most profitable pair per symbol.
 *
 * Symbols are compared in canonical form. With a quote group (`usd`), BTC/USD,
 * BTC/USDT and BTC/USDC share one key `BTC/{usd}`; such rows carry
 * quoteGroup so they are labelled, and only when their quotes differ.
 * Only active spot markets are scanned.
 */
import {ageMs} from '../market/book.js';
import {QUOTE_GROUPS, parseSymbol, quoteGroupOf} from '../symbols/index.js';
import type {Currency, Market, OrderBook, Quote} from '../types.js';
import {type FeeOverrides, type TakerFee, tryTakerFee} from './fees.js';
import {sameMarketAssets} from './identity.js';
import {transferCost} from './transfer.js';
import type {CrossOpportunity, Skip, StaleItem} from './types.js';
import type {Valuer} from './valuation.js';
import {commonStep, walkCross} from './walk.js';

/** What one venue contributes to a scan. */
export interface VenueSnapshot {
  readonly venue: string;
  readonly markets: readonly Market[];
  readonly quotes: readonly Quote[];
  /** By canonical code; undefined when the venue publishes none. */
  readonly currencies?: ReadonlyMap<string, Currency>;
  /** Free balances by asset, when known (keys or paper balances). Absent asset = 0. */
  readonly balances?: ReadonlyMap<string, number>;
}

export interface CrossSide {
  readonly venue: string;
  readonly market: Market;
  readonly fee: TakerFee;
  /** Top-of-book price used by the screen (ask for buy, bid for sell). */
  readonly price: number;
}

export interface CrossCandidate {
  /** Grouping key: BTC/USD, or BTC/{usd} under a quote group. */
  readonly key: string;
  readonly buy: CrossSide;
  readonly sell: CrossSide;
  readonly topNetBps: number;
}

export interface ScreenOptions {
  /** Canonical symbols to scan; all common symbols when empty or undefined. */
  readonly symbols?: readonly string[];
  readonly quoteGroup?: string;
  readonly now: number;
  readonly maxAgeMs: number;
  /** Minimum net bps at the top of the book (0: any positive edge). */
  readonly minBps: number;
  readonly fees?: FeeOverrides;
  /** Symbols (keys) passed to the depth stage, best first. */
  readonly maxCandidates: number;
  /** Venue pairs per symbol passed to the depth stage. */
  readonly pairsPerSymbol: number;
}

export interface CrossScreen {
  /** Keys listed on two or more venues (within the requested symbols). */
  readonly symbolsScreened: number;
  readonly quotesUsed: number;
  readonly candidates: readonly CrossCandidate[];
  /** Candidate symbols dropped by maxCandidates. */
  readonly truncated: number;
  readonly stale: readonly StaleItem[];
  readonly skipped: readonly Skip[];
}

interface KeyState {
  readonly key: string;
  /** Last venue counted and the number of distinct venues listing the key. */
  last: string;
  venues: number;
  readonly entries: Entry[];
}

interface Entry {
  readonly venue: string;
  readonly market: Market;
  readonly quote: Quote;
  readonly fee: TakerFee;
  readonly snapshot: VenueSnapshot;
  readonly ask: number | undefined;
  readonly bid: number | undefined;
  /** ask x (1 + fee): what a unit costs; bid x (1 - fee): what a unit brings. */
  readonly effAsk: number;
  readonly effBid: number;
}

/** The key a market is grouped under. */
export function groupKey(market: Pick<Market, 'base' | 'quote'> & {readonly symbol?: string}, quoteGroup: string | undefined): string {
  if (quoteGroup !== undefined && quoteGroupOf(market.quote) === quoteGroup) return `${market.base}/{${quoteGroup}}`;
  // A spot market's canonical symbol is BASE/QUOTE already: reuse the string.
  return market.symbol ?? `${market.base}/${market.quote}`;
}

/** Keys wanted by the user's symbols (BTC/USD -> BTC/{usd} under the usd group). */
export function wantedKeys(symbols: readonly string[] | undefined, quoteGroup: string | undefined): Set<string> | undefined {
  if (!symbols || symbols.length === 0) return undefined;
  const keys = new Set<string>();
  for (const s of symbols) {
    const p = parseSymbol(s);
    keys.add(groupKey({base: p.base, quote: p.quote}, quoteGroup));
  }
  return keys;
}

export function isScannable(market: Market): boolean {
  return market.active && market.type === 'spot';
}

/** Symbols listed on at least two of the snapshots' venues (within `wanted`), per venue. */
export function commonSymbols(markets: ReadonlyMap<string, readonly Market[]>, quoteGroup: string | undefined, wanted?: Set<string>): Map<string, string[]> {
  const venuesByKey = new Map<string, Set<string>>();
  for (const [venue, list] of markets) {
    for (const m of list) {
      if (!isScannable(m)) continue;
      const key = groupKey(m, quoteGroup);
      if (wanted && !wanted.has(key)) continue;
      let set = venuesByKey.get(key);
      if (!set) venuesByKey.set(key, (set = new Set()));
      set.add(venue);
    }
  }
  const out = new Map<string, string[]>();
  for (const [venue, list] of markets) {
    const symbols: string[] = [];
    for (const m of list) {
      if (!isScannable(m)) continue;
      const set = venuesByKey.get(groupKey(m, quoteGroup));
      if (set && set.size >= 2) symbols.push(m.symbol);
    }
    out.set(venue, symbols);
  }
  return out;
}

export function screenCross(snapshots: readonly VenueSnapshot[], options: ScreenOptions): CrossScreen {
  const wanted = wantedKeys(options.symbols, options.quoteGroup);
  const stale: StaleItem[] = [];
  const skipped: Skip[] = [];
  // Pass 1: each market's key once, and how many venues list each key.
  const byKey = new Map<string, KeyState>();
  const keyed: Map<string, {market: Market; state: KeyState}>[] = [];
  for (const snap of snapshots) {
    const bySymbol = new Map<string, {market: Market; state: KeyState}>();
    for (const m of snap.markets) {
      if (!isScannable(m)) continue;
      const key = groupKey(m, options.quoteGroup);
      if (wanted && !wanted.has(key)) continue;
      let state = byKey.get(key);
      if (!state) byKey.set(key, (state = {key, last: snap.venue, venues: 1, entries: []}));
      else if (state.last !== snap.venue) {
        state.last = snap.venue;
        state.venues++;
      }
      bySymbol.set(m.symbol, {market: m, state});
    }
    keyed.push(bySymbol);
  }
  // Pass 2: fresh two-sided quotes of common keys, with their fee-adjusted prices.
  let quotesUsed = 0;
  for (let i = 0; i < snapshots.length; i++) {
    const snap = snapshots[i]!;
    const bySymbol = keyed[i]!;
    for (const q of snap.quotes) {
      const k = bySymbol.get(q.symbol);
      if (!k || k.state.venues < 2) continue;
      const age = ageMs(q, options.now);
      if (age > options.maxAgeMs) {
        stale.push({venue: snap.venue, symbol: q.symbol, ageMs: age});
        continue;
      }
      if (q.bid === undefined && q.ask === undefined) continue;
      const fee = tryTakerFee(snap.venue, k.market, options.fees);
      if (!fee) continue;
      quotesUsed++;
      const ask = q.ask !== undefined && q.ask > 0 ? q.ask : undefined;
      const bid = q.bid !== undefined && q.bid > 0 ? q.bid : undefined;
      k.state.entries.push({
        venue: snap.venue,
        market: k.market,
        quote: q,
        fee,
        snapshot: snap,
        ask,
        bid,
        effAsk: ask === undefined ? Infinity : ask * (1 + fee.rate),
        effBid: bid === undefined ? -Infinity : bid * (1 - fee.rate),
      });
    }
  }
  let symbolsScreened = 0;
  for (const state of byKey.values()) if (state.venues >= 2) symbolsScreened++;

  const threshold = Math.max(0, options.minBps) / 10_000;
  const perKey: {key: string; pairs: CrossCandidate[]; best: number}[] = [];
  for (const {key, entries} of byKey.values()) {
    if (entries.length < 2) continue;
    // Most symbols are not crossed after fees: one pass decides.
    let minAsk = Infinity;
    let maxBid = -Infinity;
    for (const e of entries) {
      if (e.effAsk < minAsk) minAsk = e.effAsk;
      if (e.effBid > maxBid) maxBid = e.effBid;
    }
    if (!(maxBid > minAsk)) continue;
    const sellers = entries.filter((e) => e.bid !== undefined).sort((x, y) => y.effBid - x.effBid);
    const pairs: CrossCandidate[] = [];
    for (const b of entries) {
      if (b.ask === undefined) continue;
      for (const s of sellers) {
        const net = s.effBid - b.effAsk;
        // sellers are sorted: once one fails the threshold, the rest do too
        if (!(net > 0) || net / b.ask < threshold) break;
        if (s.venue === b.venue) continue;
        const verdict = sameMarketAssets(
          {venue: b.venue, market: b.market, currencies: b.snapshot.currencies},
          {venue: s.venue, market: s.market, currencies: s.snapshot.currencies},
        );
        if (!verdict.same) {
          skipped.push({reason: 'asset-mismatch', symbol: key, venues: [b.venue, s.venue], detail: verdict.detail});
          continue;
        }
        pairs.push({
          key,
          buy: {venue: b.venue, market: b.market, fee: b.fee, price: b.ask},
          sell: {venue: s.venue, market: s.market, fee: s.fee, price: s.bid!},
          topNetBps: (net / b.ask) * 10_000,
        });
      }
    }
    if (pairs.length === 0) continue;
    pairs.sort((x, y) => y.topNetBps - x.topNetBps);
    perKey.push({key, pairs: pairs.slice(0, Math.max(1, options.pairsPerSymbol)), best: pairs[0]!.topNetBps});
  }
  perKey.sort((x, y) => y.best - x.best || (x.key < y.key ? -1 : 1));
  const kept = perKey.slice(0, Math.max(0, options.maxCandidates));
  return {
    symbolsScreened,
    quotesUsed,
    candidates: kept.flatMap((k) => k.pairs),
    truncated: perKey.length - kept.length,
    stale,
    skipped,
  };
}

export function bookKey(venue: string, symbol: string): string {
  return `${venue}\u0000${symbol}`;
}

export interface EvaluateOptions {
  readonly now: number;
  readonly maxAgeMs: number;
  readonly minBps: number;
  /** Minimum net profit in the valuation currency (in the quote when no rate is known). */
  readonly minProfit: number;
  /** Base units. */
  readonly maxSize?: number;
  /** Buy notional cap in the valuation currency (skipped when no rate is known for the quote). */
  readonly maxNotional?: number;
  readonly valuer: Valuer;
  /** Filter and sort on the net after transfer cost where it is known. */
  readonly withTransfer: boolean;
}

export interface CrossEvaluation {
  readonly opportunities: readonly CrossOpportunity[];
  readonly skipped: readonly Skip[];
  /** Opportunities found but under --min-bps / --min-profit. */
  readonly belowThreshold: number;
}

function rankValue(o: CrossOpportunity, withTransfer: boolean): number {
  const net = withTransfer && o.netProfitWithTransfer !== undefined ? o.netProfitWithTransfer : o.netProfit;
  const rate = o.netValue !== undefined && o.netProfit !== 0 ? o.netValue / o.netProfit : undefined;
  return rate !== undefined ? net * rate : net;
}

function rankBps(o: CrossOpportunity, withTransfer: boolean): number {
  return withTransfer && o.netBpsWithTransfer !== undefined ? o.netBpsWithTransfer : o.netBps;
}

export function evaluateCrossCandidates(
  candidates: readonly CrossCandidate[],
  books: ReadonlyMap<string, OrderBook>,
  bookErrors: ReadonlyMap<string, string>,
  snapshots: ReadonlyMap<string, VenueSnapshot>,
  options: EvaluateOptions,
): CrossEvaluation {
  const skipped: Skip[] = [];
  const best = new Map<string, CrossOpportunity>();
  let belowThreshold = 0;
  for (const c of candidates) {
    const venues = [c.buy.venue, c.sell.venue];
    const buyKey = bookKey(c.buy.venue, c.buy.market.symbol);
    const sellKey = bookKey(c.sell.venue, c.sell.market.symbol);
    const buyBook = books.get(buyKey);
    const sellBook = books.get(sellKey);
    if (!buyBook || !sellBook) {
      const err = bookErrors.get(buyKey) ?? bookErrors.get(sellKey) ?? 'no book';
      skipped.push({reason: 'book-error', symbol: c.key, venues, detail: err});
      continue;
    }
    const buyAge = ageMs(buyBook, options.now);
    const sellAge = ageMs(sellBook, options.now);
    if (buyAge > options.maxAgeMs || sellAge > options.maxAgeMs) {
      skipped.push({reason: 'book-stale', symbol: c.key, venues, detail: `book ages ${buyAge} ms / ${sellAge} ms exceed ${options.maxAgeMs} ms`});
      continue;
    }
    const buyBal = snapshots.get(c.buy.venue)?.balances;
    const sellBal = snapshots.get(c.sell.venue)?.balances;
    const quoteRate = options.valuer(c.buy.market.quote);
    const bm = c.buy.market;
    const sm = c.sell.market;
    const walk = walkCross({
      asks: buyBook.asks,
      bids: sellBook.bids,
      buyFee: c.buy.fee.rate,
      sellFee: c.sell.fee.rate,
      maxSize: options.maxSize,
      maxNotional: options.maxNotional !== undefined && quoteRate !== undefined ? options.maxNotional / quoteRate : undefined,
      buyQuoteBalance: buyBal ? (buyBal.get(bm.quote) ?? 0) : undefined,
      sellBaseBalance: sellBal ? (sellBal.get(sm.base) ?? 0) : undefined,
      amountStep: commonStep(bm.amountStep, sm.amountStep),
      minAmount: maxDefined(bm.minAmount, sm.minAmount),
      buyMinCost: bm.minCost,
      sellMinCost: sm.minCost,
    });
    if (!walk.ok) {
      const reason = walk.reason === 'unprofitable' ? 'unprofitable-depth' : walk.reason;
      const detail = walk.reason === 'no-balance' ? `${walk.detail}: free ${bm.quote} on ${c.buy.venue} ${fmtBalance(buyBal, bm.quote)}, free ${sm.base} on ${c.sell.venue} ${fmtBalance(sellBal, sm.base)}` : walk.detail;
      skipped.push({reason, symbol: c.key, venues, detail});
      continue;
    }
    const transfer = transferCost(bm.base, snapshots.get(c.buy.venue)?.currencies, snapshots.get(c.sell.venue)?.currencies, walk.sell.avgPrice);
    const sellRate = options.valuer(sm.quote);
    const netWithTransfer = transfer ? walk.netProfit - transfer.cost : undefined;
    const grouped = bm.quote !== sm.quote;
    const opp: CrossOpportunity = {
      kind: 'cross',
      key: `cross:${grouped ? c.key : bm.symbol}:${c.buy.venue}>${c.sell.venue}`,
      symbol: bm.symbol,
      base: bm.base,
      quote: sm.quote,
      quoteGroup: grouped ? groupName(c.key) : undefined,
      buy: {
        venue: c.buy.venue,
        symbol: bm.symbol,
        topPrice: walk.buy.topPrice,
        avgPrice: walk.buy.avgPrice,
        limitPrice: walk.buy.limitPrice,
        notional: walk.buy.notional,
        feeRate: c.buy.fee.rate,
        feeSource: c.buy.fee.source,
        fee: walk.buy.fee,
        bookAgeMs: buyAge,
      },
      sell: {
        venue: c.sell.venue,
        symbol: sm.symbol,
        topPrice: walk.sell.topPrice,
        avgPrice: walk.sell.avgPrice,
        limitPrice: walk.sell.limitPrice,
        notional: walk.sell.notional,
        feeRate: c.sell.fee.rate,
        feeSource: c.sell.fee.source,
        fee: walk.sell.fee,
        bookAgeMs: sellAge,
      },
      size: walk.size,
      amount: walk.amount,
      limitedBy: walk.limitedBy,
      grossProfit: walk.grossProfit,
      fees: walk.fees,
      netProfit: walk.netProfit,
      netBps: walk.netBps,
      netValue: sellRate !== undefined ? walk.netProfit * sellRate : undefined,
      transfer,
      netProfitWithTransfer: netWithTransfer,
      netBpsWithTransfer: netWithTransfer !== undefined ? (netWithTransfer / walk.buy.notional) * 10_000 : undefined,
      observedAt: options.now,
    };
    const previous = best.get(c.key);
    if (!previous || rankValue(opp, options.withTransfer) > rankValue(previous, options.withTransfer)) best.set(c.key, opp);
  }
  const opportunities: CrossOpportunity[] = [];
  for (const o of best.values()) {
    const value = rankValue(o, options.withTransfer);
    if (rankBps(o, options.withTransfer) < options.minBps || value < options.minProfit || !(value > 0)) {
      belowThreshold++;
      continue;
    }
    opportunities.push(o);
  }
  opportunities.sort((x, y) => rankValue(y, options.withTransfer) - rankValue(x, options.withTransfer) || (x.key < y.key ? -1 : 1));
  return {opportunities, skipped, belowThreshold};
}

function fmtBalance(balances: ReadonlyMap<string, number> | undefined, asset: string): string {
  return balances ? String(balances.get(asset) ?? 0) : 'unknown';
}

function groupName(key: string): string | undefined {
  const m = /\/\{(\w+)\}$/.exec(key);
  return m && m[1]! in QUOTE_GROUPS ? m[1] : undefined;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
