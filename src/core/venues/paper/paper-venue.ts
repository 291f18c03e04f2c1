/**
 * PaperVenue: execution mode `paper` on any venue. Market data (markets,
 * quotes, books, currencies) comes from the wrapped venue; the account is
 * the shared account engine (venues/account) over the journal's paper tables
 * (journal-store.ts), so it survives across CLI processes. Orders trade
 * against the wrapped venue's current book.
 *
 * Rules: the engine's (documented in docs/orders.md). Resting orders are
 * offered the wrapped venue's current book whenever the paper account is
 * read; a book that cannot be fetched leaves them open, as on a real venue.
 * Starting balances are seeded once, when the venue has no paper rows.
 *
 * Invariants: those of the engine; the paper account is never the wrapped
 * venue's account (nothing private is called on it).
 */
import {UnknownSymbolError} from '../../errors.js';
import type {Db} from '../../journal/db.js';
import type {Balance, Clock, Currency, Market, OrderBook, OrderRequest, Quote, Trade, VenueOrder} from '../../types.js';
import {AccountEngine} from '../account/engine.js';
import type {OrderRef, Venue, VenueInfo} from '../port.js';
import {JournalAccountStore} from './journal-store.js';

export interface PaperVenueOptions {
  readonly inner: Venue;
  readonly db: Db;
  readonly clock: Clock;
  /** Starting balances (asset -> decimal string), applied once when the venue has no paper rows. */
  readonly initialBalances: Readonly<Record<string, string>>;
}

export class PaperVenue implements Venue {
  readonly info: VenueInfo;
  readonly inner: Venue;
  private readonly store: JournalAccountStore;
  private readonly account: AccountEngine;
  private readonly initialBalances: Readonly<Record<string, string>>;
  private seeded = false;
  private marketsCache: readonly Market[] | undefined;

  constructor(options: PaperVenueOptions) {
    this.inner = options.inner;
    this.initialBalances = options.initialBalances;
    this.info = {...options.inner.info, mode: 'paper'};
    this.store = new JournalAccountStore(options.db, this.info.id);
    this.account = new AccountEngine(this.info.id, this.store, options.clock);
    if (options.inner.watchOrderBook) {
      const inner = options.inner;
      this.watchOrderBook = (symbol, depth, signal) => inner.watchOrderBook!(symbol, depth, signal);
    }
    if (options.inner.watchQuotes) {
      const inner = options.inner;
      this.watchQuotes = (symbols, signal) => inner.watchQuotes!(symbols, signal);
    }
  }

  watchOrderBook?: (symbol: string, depth?: number, signal?: AbortSignal) => AsyncIterable<OrderBook>;
  watchQuotes?: (symbols: readonly string[], signal?: AbortSignal) => AsyncIterable<readonly Quote[]>;

  // ---- market data: the wrapped venue --------------------------------------

  loadMarkets(): Promise<readonly Market[]> {
    return this.inner.loadMarkets();
  }

  async fetchServerTime(): Promise<number | undefined> {
    return this.inner.fetchServerTime ? this.inner.fetchServerTime() : undefined;
  }

  fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]> {
    return this.inner.fetchQuotes(symbols);
  }

  fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    return this.inner.fetchOrderBook(symbol, depth);
  }

  fetchCurrencies(): Promise<readonly Currency[]> {
    return this.inner.fetchCurrencies();
  }

  // ---- account: the engine over the journal ---------------------------------

  async fetchBalances(): Promise<readonly Balance[]> {
    await this.ready();
    return this.account.balances();
  }

  async createOrder(request: OrderRequest): Promise<VenueOrder> {
    this.ensureSeeded();
    const market = await this.market(request.symbol);
    // Refuse what breaks the market's rules before asking for a book.
    this.account.check(market, request);
    const book = await this.inner.fetchOrderBook(request.symbol);
    return this.account.place(market, book, request);
  }

  async cancelOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.ready();
    return this.account.cancel(ref, symbol);
  }

  async fetchOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.ready();
    return this.account.order(ref, symbol);
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    await this.ready();
    return this.account.openOrders(symbol);
  }

  async fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]> {
    await this.ready();
    return this.account.closedOrders(symbol, since);
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]> {
    await this.ready();
    return this.account.trades(symbol, since);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Sets a paper balance (for paper transfers and tests). */
  setBalance(asset: string, free: string): void {
    this.ensureSeeded();
    this.store.setFree(asset, free);
  }

  // ---- internals -------------------------------------------------------------

  private ensureSeeded(): void {
    if (this.seeded) return;
    this.store.seed(this.initialBalances);
    this.seeded = true;
  }

  /** Seeded, and resting orders offered the current books. */
  private async ready(): Promise<void> {
    this.ensureSeeded();
    await this.sweep();
  }

  private async market(symbol: string): Promise<Market> {
    this.marketsCache ??= await this.inner.loadMarkets();
    const market = this.marketsCache.find((m) => m.symbol === symbol);
    if (!market) throw new UnknownSymbolError(symbol, [this.info.id]);
    return market;
  }

  /** Offers each market with resting orders the wrapped venue's current book. */
  private async sweep(): Promise<void> {
    for (const symbol of this.account.openSymbols()) {
      let market: Market;
      let book: OrderBook;
      try {
        market = await this.market(symbol);
        book = await this.inner.fetchOrderBook(symbol);
      } catch {
        continue; // No data now: the orders stay open, as on a real venue.
      }
      this.account.sweep(market, book);
    }
  }
}
