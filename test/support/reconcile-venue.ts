/**
 * A hand-written in-memory Venue for reconcile tests and the reconcile bench:
 * it holds orders, trades and balances that a test sets directly, answers
 * the account reads of the Venue port, counts calls, and can be told to fail
 * or to list closed orders and trades only per market (like binance).
 * It never fills anything by itself.
 */
import {NotSupportedError, VenueUnavailableError} from '../../src/core/errors.js';
import type {Balance, Market, Trade, VenueOrder} from '../../src/core/types.js';
import type {OrderRef, Venue, VenueInfo} from '../../src/core/venues/port.js';

export class FakeAccountVenue implements Venue {
  readonly info: VenueInfo;
  orders: VenueOrder[] = [];
  trades: Trade[] = [];
  balances: Balance[] = [];
  markets: Market[] = [];
  /** Throw VenueUnavailableError on every call. */
  down = false;
  /** fetchClosedOrders / fetchMyTrades need a symbol. */
  perSymbolOnly = false;
  /** Longest list a single call returns (oldest first), like a venue's page limit. */
  pageLimit = Number.POSITIVE_INFINITY;
  readonly calls: string[] = [];

  constructor(name: string, mode: 'paper' | 'live' = 'live') {
    this.info = {
      id: name,
      exchange: 'fake',
      simulated: true,
      sandbox: false,
      mode,
      hasKeys: true,
      rateLimitMs: 0,
      capabilities: {bidsAsks: false, orderBookStream: false, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false},
    };
  }

  private enter(call: string): void {
    this.calls.push(call);
    if (this.down) throw new VenueUnavailableError(this.info.id, 'connection refused (fake)');
  }

  async loadMarkets(): Promise<readonly Market[]> {
    return this.markets;
  }
  async fetchQuotes(): Promise<never[]> {
    return [];
  }
  async fetchOrderBook(): Promise<never> {
    throw new NotSupportedError(this.info.id, 'books');
  }
  async fetchCurrencies(): Promise<never[]> {
    return [];
  }
  async createOrder(): Promise<never> {
    throw new Error('reconcile must never send an order');
  }
  async cancelOrder(): Promise<never> {
    throw new Error('reconcile must never cancel an order');
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    this.enter('fetchBalances');
    return this.balances;
  }

  async fetchOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    this.enter('fetchOrder');
    return this.orders.find((o) => o.symbol === symbol && (ref.id !== undefined ? o.id === ref.id : o.clientOrderId === ref.clientOrderId));
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    this.enter('fetchOpenOrders');
    return this.orders.filter((o) => o.status === 'open' && (symbol === undefined || o.symbol === symbol));
  }

  async fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]> {
    this.enter('fetchClosedOrders');
    if (symbol === undefined && this.perSymbolOnly) throw new NotSupportedError(this.info.id, 'fetchClosedOrders without a symbol');
    return this.page(this.orders.filter((o) => o.status !== 'open' && (symbol === undefined || o.symbol === symbol) && (since === undefined || o.timestamp >= since)));
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]> {
    this.enter('fetchMyTrades');
    if (symbol === undefined && this.perSymbolOnly) throw new NotSupportedError(this.info.id, 'fetchMyTrades without a symbol');
    return this.page(this.trades.filter((t) => (symbol === undefined || t.symbol === symbol) && (since === undefined || t.timestamp >= since)));
  }

  private page<T extends {timestamp: number}>(items: T[]): T[] {
    if (!Number.isFinite(this.pageLimit)) return items;
    return [...items].sort((a, b) => a.timestamp - b.timestamp).slice(0, this.pageLimit);
  }

  async close(): Promise<void> {}
}
