/**
 * Reading one venue for a reconcile run: open orders, closed orders and
 * trades since the window start, balances, and one-by-one lookups.
 *
 * - Lists are read for all markets at once; a venue that only lists closed
 *   orders or trades per market (NotSupportedError without a symbol, e.g.
 *   binance) is read per market, for: the markets the journal has used on
 *   that venue, those with open orders there, and the spot markets whose
 *   base and quote are both assets the account holds now or held at the
 *   last baseline. An order placed by hand on any other market is not
 *   listed there; the balance check still sees its effect.
 * - Lists are paged by time: while a page holds at least FULL_PAGE items,
 *   the next one starts at the newest timestamp seen, until a page brings
 *   nothing new (at most MAX_PAGES pages), so a venue that caps a page (50,
 *   100, 500 items) still yields the whole window. A shorter page is taken
 *   as the last one, which saves a call per list on quiet accounts.
 * - A market the venue no longer lists (UnknownSymbolError while reading it
 *   on its own, or looking up an order on it) is skipped and reported in
 *   `skippedSymbols`; the other markets are still read. An order looked up
 *   on such a market gets no answer, so no conclusion is drawn about it.
 * - Lookups of journal orders (by venue id when known, else clientOrderId)
 *   run a few at a time; the venue adapter keeps its own rate limiter.
 */
import {NotSupportedError, UnknownSymbolError} from '../errors.js';
import {isPositive} from '../money/decimal.js';
import type {Balance, Market, Trade, VenueOrder} from '../types.js';
import type {Venue} from '../venues/port.js';
import type {JournalOrder} from './types.js';

export const MAX_PAGES = 50;
/** A page with fewer items than this is the last one (venues cap pages at 50 or more). */
export const FULL_PAGE = 25;
const LOOKUP_CONCURRENCY = 4;

export interface VenueLists {
  readonly openOrders: readonly VenueOrder[];
  readonly closedOrders: readonly VenueOrder[];
  readonly trades: readonly Trade[];
  readonly balances: readonly Balance[];
  /** Local clock when the balance request was sent and when its answer arrived. */
  readonly balancesAsked: number;
  readonly balancesAnswered: number;
  /** Markets read one by one, when the venue needed it. */
  readonly perSymbol: readonly string[] | undefined;
  /** Markets skipped because the venue no longer lists them (UnknownSymbolError), sorted. */
  readonly skippedSymbols: readonly string[];
}

interface Timed {
  readonly id: string;
  readonly symbol?: string;
  readonly timestamp: number;
}

/** Ids (of trades, on some venues of orders) are unique per market only. */
const timedKey = (item: Timed) => `${item.symbol ?? ''}\u0000${item.id}`;

/** Reads a time-ordered list from `since` on, paging by the newest timestamp seen. */
export async function pagedByTime<T extends Timed>(read: (since: number | undefined) => Promise<readonly T[]>, since: number | undefined): Promise<T[]> {
  const seen = new Map<string, T>();
  let from = since;
  for (let page = 0; page < MAX_PAGES; page++) {
    const items = await read(from);
    let fresh = 0;
    let newest = from ?? Number.NEGATIVE_INFINITY;
    for (const item of items) {
      if (!seen.has(timedKey(item))) {
        seen.set(timedKey(item), item);
        fresh++;
      }
      if (item.timestamp > newest) newest = item.timestamp;
    }
    if (fresh === 0 || items.length < FULL_PAGE || newest === from || !Number.isFinite(newest)) break;
    from = newest;
  }
  return [...seen.values()];
}

async function perMarket<T extends Timed>(
  read: (symbol: string | undefined, since: number | undefined) => Promise<readonly T[]>,
  symbols: () => Promise<readonly string[]>,
  since: number | undefined,
): Promise<{items: T[]; perSymbol: string[] | undefined; skipped: string[]}> {
  try {
    return {items: await pagedByTime((from) => read(undefined, from), since), perSymbol: undefined, skipped: []};
  } catch (error) {
    if (!(error instanceof NotSupportedError)) throw error;
  }
  const list = [...(await symbols())];
  const items: T[] = [];
  const skipped: string[] = [];
  for (const symbol of list) {
    try {
      items.push(...(await pagedByTime((from) => read(symbol, from), since)));
    } catch (error) {
      if (!(error instanceof UnknownSymbolError)) throw error;
      skipped.push(symbol); // delisted: the rest of the venue is still reconciled
    }
  }
  return {items, perSymbol: list, skipped};
}

/** Spot markets whose base and quote are both among `assets`. */
export function marketsOfAssets(markets: readonly Pick<Market, 'symbol' | 'base' | 'quote' | 'type'>[], assets: ReadonlySet<string>): string[] {
  return markets.filter((m) => m.type === 'spot' && assets.has(m.base) && assets.has(m.quote)).map((m) => m.symbol);
}

/**
 * Reads the venue's lists. `journalSymbols` are the markets the journal has
 * used on this venue and `baselineAssets` the assets of the last balance
 * baseline (both for venues that need a symbol per call).
 */
export async function readVenue(
  venue: Venue,
  since: number | undefined,
  journalSymbols: readonly string[],
  baselineAssets: readonly string[],
  now: () => number,
): Promise<VenueLists> {
  const balancesAsked = now();
  const balancesP = venue.fetchBalances().then((b) => ({balances: b, answered: now()}));
  balancesP.catch(() => undefined); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled
  const openOrders = await venue.fetchOpenOrders();
  let symbolsP: Promise<string[]> | undefined;
  const symbols = () =>
    (symbolsP ??= (async () => {
      const {balances} = await balancesP;
      const held = new Set([...baselineAssets, ...balances.filter((b) => isPositive(b.total)).map((b) => b.asset)]);
      const markets = marketsOfAssets(await venue.loadMarkets(), held);
      return [...new Set([...journalSymbols, ...openOrders.map((o) => o.symbol), ...markets])].sort();
    })());
  const [closed, trades, bal] = await Promise.all([
    perMarket((symbol, from) => venue.fetchClosedOrders(symbol, from), symbols, since),
    perMarket((symbol, from) => venue.fetchMyTrades(symbol, from), symbols, since),
    balancesP,
  ]);
  return {
    openOrders,
    closedOrders: closed.items,
    trades: since === undefined ? trades.items : trades.items.filter((t) => t.timestamp >= since),
    balances: bal.balances,
    balancesAsked,
    balancesAnswered: bal.answered,
    perSymbol: closed.perSymbol ?? trades.perSymbol,
    skippedSymbols: [...new Set([...closed.skipped, ...trades.skipped])].sort(),
  };
}

/**
 * Looks journal orders up one by one; undefined = the venue does not know the
 * order. An order on a market the venue no longer lists gets no entry (no
 * conclusion) and its market is added to `skipped`.
 */
export async function lookUp(venue: Venue, orders: readonly JournalOrder[], skipped?: Set<string>): Promise<Map<string, VenueOrder | undefined>> {
  const answers = new Map<string, VenueOrder | undefined>();
  let next = 0;
  const worker = async () => {
    while (next < orders.length) {
      const order = orders[next++]!;
      const ref = order.venueOrderId !== undefined ? {id: order.venueOrderId, clientOrderId: order.clientOrderId} : {clientOrderId: order.clientOrderId};
      try {
        answers.set(order.clientOrderId, await venue.fetchOrder(ref, order.symbol));
      } catch (error) {
        if (!(error instanceof UnknownSymbolError)) throw error;
        skipped?.add(order.symbol);
      }
    }
  };
  await Promise.all(Array.from({length: Math.min(LOOKUP_CONCURRENCY, orders.length)}, worker));
  return answers;
}
