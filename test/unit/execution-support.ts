/**
 * Hand-written fakes for the order tests: a venue with fixed markets and
 * books (market data only), and a wrapper that scripts createOrder faults
 * and counts every create request that "reached" the venue.
 */
import {NotSupportedError, VenueRejectedError, VenueUnavailableError} from '../../src/core/errors.js';
import type {Balance, Clock, Currency, Level, Market, OrderBook, OrderRequest, Quote, Trade, VenueOrder} from '../../src/core/types.js';
import type {OrderRef, Venue, VenueInfo} from '../../src/core/venues/port.js';

export function market(symbol: string, over: Partial<Market> = {}): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol,
    id: symbol.replace('/', ''),
    base,
    quote,
    baseId: base,
    quoteId: quote,
    type: 'spot',
    active: true,
    taker: 0.001,
    maker: 0.0005,
    amountStep: 0.001,
    priceStep: 0.01,
    minAmount: 0.001,
    maxAmount: undefined,
    minCost: undefined,
    ...over,
  };
}

export function info(id: string, over: Partial<VenueInfo> = {}): VenueInfo {
  return {
    id,
    exchange: 'fake',
    simulated: true,
    sandbox: false,
    mode: 'live',
    hasKeys: true,
    rateLimitMs: 0,
    capabilities: {bidsAsks: true, orderBookStream: false, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false},
    ...over,
  };
}

export const fixedClock = (start = Date.UTC(2025, 0, 15, 12)): Clock & {advance(ms: number): void; t: number} => {
  const c = {
    t: start,
    now: () => c.t,
    advance: (ms: number) => {
      c.t += ms;
    },
  };
  return c;
};

/** Market data only: fixed markets and books; private calls are not supported. */
export class StaticVenue implements Venue {
  readonly info: VenueInfo;
  constructor(
    id: string,
    public markets: Market[],
    public books: Record<string, {bids: Level[]; asks: Level[]}>,
    private readonly clock: Clock,
  ) {
    this.info = info(id);
  }
  async loadMarkets(): Promise<readonly Market[]> {
    return this.markets;
  }
  async fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]> {
    return Object.entries(this.books)
      .filter(([s]) => !symbols || symbols.includes(s))
      .map(([symbol, b]) => ({venue: this.info.id, symbol, bid: b.bids[0]?.[0], bidSize: b.bids[0]?.[1], ask: b.asks[0]?.[0], askSize: b.asks[0]?.[1], timestamp: this.clock.now(), receivedAt: this.clock.now()}));
  }
  async fetchOrderBook(symbol: string): Promise<OrderBook> {
    const b = this.books[symbol];
    if (!b) throw new NotSupportedError(this.info.id, `book ${symbol}`);
    return {venue: this.info.id, symbol, bids: b.bids, asks: b.asks, timestamp: this.clock.now(), receivedAt: this.clock.now()};
  }
  async fetchCurrencies(): Promise<readonly Currency[]> {
    return [];
  }
  async fetchBalances(): Promise<readonly Balance[]> {
    throw new NotSupportedError(this.info.id, 'balances');
  }
  async createOrder(): Promise<VenueOrder> {
    throw new NotSupportedError(this.info.id, 'createOrder');
  }
  async cancelOrder(): Promise<VenueOrder | undefined> {
    throw new NotSupportedError(this.info.id, 'cancelOrder');
  }
  async fetchOrder(): Promise<VenueOrder | undefined> {
    throw new NotSupportedError(this.info.id, 'fetchOrder');
  }
  async fetchOpenOrders(): Promise<readonly VenueOrder[]> {
    return [];
  }
  async fetchClosedOrders(): Promise<readonly VenueOrder[]> {
    return [];
  }
  async fetchMyTrades(): Promise<readonly Trade[]> {
    return [];
  }
  async close(): Promise<void> {}
}

export type Fault = 'none' | 'reject' | 'lost-after-accept' | 'timeout-before-accept' | 'lookup-fails';

/** Wraps a trading venue: scripted faults on createOrder, and a count of creates that reached it. */
export class FaultyVenue implements Venue {
  readonly info: VenueInfo;
  creates = 0;
  creates_by_cid: string[] = [];
  faults: Fault[] = [];
  lookupFails = false;
  constructor(
    readonly inner: Venue,
    mode: 'paper' | 'live' = 'live',
  ) {
    this.info = {...inner.info, mode};
  }
  loadMarkets() {
    return this.inner.loadMarkets();
  }
  fetchQuotes(symbols?: readonly string[]) {
    return this.inner.fetchQuotes(symbols);
  }
  fetchOrderBook(symbol: string, depth?: number) {
    return this.inner.fetchOrderBook(symbol, depth);
  }
  fetchCurrencies() {
    return this.inner.fetchCurrencies();
  }
  fetchBalances() {
    return this.inner.fetchBalances();
  }
  async createOrder(request: OrderRequest): Promise<VenueOrder> {
    const fault = this.faults.shift() ?? 'none';
    if (fault === 'reject') throw new VenueRejectedError(this.info.id, 'refused by script');
    if (fault === 'timeout-before-accept') throw new VenueUnavailableError(this.info.id, 'timed out (never arrived)');
    this.creates++;
    this.creates_by_cid.push(request.clientOrderId);
    const answer = await this.inner.createOrder(request);
    if (fault === 'lost-after-accept') throw new VenueUnavailableError(this.info.id, 'answer lost');
    if (fault === 'lookup-fails') {
      this.lookupFails = true;
      throw new VenueUnavailableError(this.info.id, 'answer lost');
    }
    return answer;
  }
  cancelOrder(ref: OrderRef, symbol: string) {
    return this.inner.cancelOrder(ref, symbol);
  }
  async fetchOrder(ref: OrderRef, symbol: string) {
    if (this.lookupFails) throw new VenueUnavailableError(this.info.id, 'lookup timed out');
    return this.inner.fetchOrder(ref, symbol);
  }
  fetchOpenOrders(symbol?: string) {
    return this.inner.fetchOpenOrders(symbol);
  }
  fetchClosedOrders(symbol?: string, since?: number) {
    return this.inner.fetchClosedOrders(symbol, since);
  }
  fetchMyTrades(symbol?: string, since?: number) {
    return this.inner.fetchMyTrades(symbol, since);
  }
  close() {
    return this.inner.close();
  }
}

/** A ladder of levels: n levels from `start`, stepping by `step`, each `size` deep. */
export function ladder(start: number, step: number, n: number, size: number): Level[] {
  return Array.from({length: n}, (_, i) => [Number((start + i * step).toFixed(8)), size] as const);
}
