/**
 * Venues read from the market-data bus: each is a market-data-only Venue
 * whose markets, currencies and books come from what a collector published
 * (see collector.ts), so `prices` and `arb scan` run unchanged on them and
 * give the results direct mode gives on the same books. No venue is asked
 * and no venue library is loaded.
 *
 * Invariants
 * 1. Books keep their venue and receive timestamps from the collector, so
 *    staleness (--max-age) is judged exactly as in direct mode.
 * 2. Trading and account calls fail with NotSupportedError: the bus carries
 *    public market data only (no balances, so scans size by books alone).
 * 3. A missing book is a venue failure on that call, never a silent gap.
 */
import {NotSupportedError, UsageError, VenueUnavailableError} from '../errors.js';
import {bookToQuote} from '../market/prices.js';
import type {Currency, Market, OrderBook, Quote} from '../types.js';
import type {Venue, VenueInfo} from '../venues/port.js';
import type {BusBook, MarketBus, VenueMeta} from './port.js';

export class BusVenue implements Venue {
  readonly info: VenueInfo;

  constructor(
    private readonly meta: VenueMeta,
    /** The bus this venue reads from (watch loops subscribe to it). */
    readonly bus: MarketBus,
  ) {
    const c = meta.capabilities;
    this.info = {
      id: meta.venue,
      exchange: meta.exchange,
      simulated: meta.simulated,
      sandbox: meta.sandbox,
      mode: 'live',
      hasKeys: false,
      rateLimitMs: 0,
      capabilities: {
        bidsAsks: c.bidsAsks,
        orderBookStream: false,
        positions: false,
        currencies: meta.currencies !== undefined && meta.currencies.length > 0,
        withdraw: false,
        depositAddress: false,
        transfers: false,
      },
    };
  }

  async loadMarkets(): Promise<readonly Market[]> {
    return this.meta.markets;
  }

  async fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]> {
    if (symbols === undefined) {
      // All markets, in the venue's market order (as a venue answers).
      const bySymbol = new Map((await this.bus.latestBooks([this.info.id])).map((b) => [b.symbol, b]));
      return this.meta.markets.flatMap((m) => {
        const b = bySymbol.get(m.symbol);
        return b ? [bookToQuote(b)] : [];
      });
    }
    const books = await Promise.all(symbols.map((s) => this.bus.latestBook(this.info.id, s)));
    return books.filter((b): b is BusBook => b !== undefined).map((b) => bookToQuote(b));
  }

  async fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    const book = await this.bus.latestBook(this.info.id, symbol);
    if (!book) throw new VenueUnavailableError(this.info.id, `no ${symbol} book on the market-data bus (is a collector running for it?)`);
    return trimBook(book, depth);
  }

  async fetchCurrencies(): Promise<readonly Currency[]> {
    return this.meta.currencies ?? [];
  }

  private refuse(what: string): never {
    throw new NotSupportedError(this.info.id, `${what} from the market-data bus (it carries public market data only)`);
  }

  fetchBalances(): never {
    this.refuse('balances');
  }
  createOrder(): never {
    this.refuse('placing orders');
  }
  cancelOrder(): never {
    this.refuse('cancelling orders');
  }
  fetchOrder(): never {
    this.refuse('order lookup');
  }
  fetchOpenOrders(): never {
    this.refuse('open orders');
  }
  fetchClosedOrders(): never {
    this.refuse('closed orders');
  }
  fetchMyTrades(): never {
    this.refuse('trades');
  }

  async close(): Promise<void> {}
}

/** The book as a venue would return it for `depth` levels (all when omitted). */
export function trimBook(book: BusBook, depth?: number): OrderBook {
  const {venue, symbol, bids, asks, timestamp, receivedAt} = book;
  if (depth === undefined) return {venue, symbol, bids, asks, timestamp, receivedAt};
  return {venue, symbol, bids: bids.slice(0, depth), asks: asks.slice(0, depth), timestamp, receivedAt};
}

/**
 * The bus's venues (those given, checked against what collectors published;
 * all when none). `symbols`: canonical symbols the caller will read books
 * of; their books are read together with the venues' metadata (see
 * MarketBus.prefetchBooks), a round trip earlier.
 */
export async function busVenues(bus: MarketBus, names?: readonly string[], options: {symbols?: readonly string[]} = {}): Promise<BusVenue[]> {
  if (options.symbols && options.symbols.length > 0) bus.prefetchBooks?.(names && names.length > 0 ? names : undefined, options.symbols);
  const known = await bus.listVenues();
  const wanted = names && names.length > 0 ? [...names] : known;
  const missing = wanted.filter((n) => !known.includes(n));
  if (missing.length > 0) {
    throw new UsageError(`no market data for ${missing.join(', ')} on the bus`, `venues on the bus: ${known.join(', ') || '(none: start `xarb collect`)'}`);
  }
  const metas = await Promise.all(wanted.map((n) => bus.getMeta(n)));
  return metas.filter((m): m is VenueMeta => m !== undefined).map((m) => new BusVenue(m, bus));
}

/**
 * A venue for routing from the bus: markets, quotes and books come from the
 * bus venue; everything else (identity and mode, balances, orders) is the
 * venue's own, so an order routed on collected books still goes to the venue.
 */
export function withBusMarketData(venue: Venue, fromBus: BusVenue): Venue {
  const market: Partial<Venue> = {
    loadMarkets: () => fromBus.loadMarkets(),
    fetchQuotes: (symbols?: readonly string[]) => fromBus.fetchQuotes(symbols),
    fetchOrderBook: (symbol: string, depth?: number) => fromBus.fetchOrderBook(symbol, depth),
  };
  return new Proxy(venue, {
    get(target, property) {
      if (typeof property === 'string' && property in market) return market[property as keyof Venue];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
