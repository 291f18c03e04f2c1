/**
 * PaperVenue: execution mode `paper` on any venue. Market data (markets,
 * quotes, books, currencies) comes from the wrapped venue; orders are filled
 * by the shared matching engine against the wrapped venue's current book;
 * balances, orders and trades live in the journal (paper_* tables) so they
 * survive across CLI processes.
 *
 * Rules (documented in docs/orders.md):
 * - Taker fee from the wrapped venue's market metadata, charged in the quote
 *   currency on both sides (buy pays cost x (1 + fee), sell receives
 *   cost x (1 - fee)); resting limit orders that fill later pay the maker fee.
 * - Amounts must be positive multiples of the market's amount step and at
 *   least its minimum amount / cost; otherwise InvalidOrderError (like a real
 *   venue). Funds are checked before anything moves (InsufficientFundsError).
 * - A market order fills what the book holds and the rest is canceled
 *   (immediate-or-cancel). A limit order fills what crosses; the remainder
 *   rests (`open`) with its funds held in `used`, and fills (maker fee) when
 *   a later book - one with a newer timestamp than any it has seen - crosses
 *   it. Resting orders are matched whenever the paper venue is read.
 * - A clientOrderId is unique per paper venue (a duplicate is refused).
 * - Starting balances are seeded once, when the venue has no paper rows.
 */
import {InsufficientFundsError, InvalidOrderError} from '../errors.js';
import type {Db} from '../journal/db.js';
import {PaperRepo, paperToVenueOrder, type PaperOrderRow} from '../journal/paper-balances.js';
import {matchOrder} from '../market/matching.js';
import {add, cmp, dec, isPositive, isZero, mul, roundToStep, sub, div, toUnits} from '../money/decimal.js';
import type {Balance, Clock, Currency, Market, OrderBook, OrderRequest, Quote, Trade, VenueOrder} from '../types.js';
import type {OrderRef, Venue, VenueInfo} from '../venues/port.js';

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
  private readonly repo: PaperRepo;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly initialBalances: Readonly<Record<string, string>>;
  private seeded = false;

  constructor(options: PaperVenueOptions) {
    this.inner = options.inner;
    this.db = options.db;
    this.clock = options.clock;
    this.initialBalances = options.initialBalances;
    this.repo = new PaperRepo(options.db);
    this.info = {...options.inner.info, mode: 'paper'};
    if (options.inner.watchOrderBook) {
      const inner = options.inner;
      this.watchOrderBook = (symbol, depth, signal) => inner.watchOrderBook!(symbol, depth, signal);
    }
  }

  watchOrderBook?: (symbol: string, depth?: number, signal?: AbortSignal) => AsyncIterable<OrderBook>;

  private get name(): string {
    return this.info.id;
  }

  private ensureSeeded(): void {
    if (this.seeded) return;
    this.repo.seed(this.name, this.initialBalances);
    this.seeded = true;
  }

  // ---- market data: the wrapped venue --------------------------------------

  loadMarkets(): Promise<readonly Market[]> {
    return this.inner.loadMarkets();
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

  // ---- account: the journal -------------------------------------------------

  async fetchBalances(): Promise<readonly Balance[]> {
    this.ensureSeeded();
    await this.sweep();
    return this.repo.balances(this.name);
  }

  async createOrder(request: OrderRequest): Promise<VenueOrder> {
    this.ensureSeeded();
    const market = await this.market(request.symbol);
    validate(this.name, market, request);
    const book = await this.inner.fetchOrderBook(request.symbol);
    return this.db.tx(() => {
      if (this.repo.order(this.name, {clientOrderId: request.clientOrderId})) {
        throw new InvalidOrderError(this.name, `duplicate clientOrderId ${request.clientOrderId}`);
      }
      const limitPrice = request.type === 'limit' ? Number(request.price) : undefined;
      const match = matchOrder(book, {side: request.side, amount: request.amount, limitPrice});
      const rate = dec(market.taker);
      const fee = mul(match.cost, rate);
      const now = this.clock.now();
      const rests = request.type === 'limit' && isPositive(match.remaining);
      // Funds: what the fills need plus what the resting remainder holds.
      let reserved = '0';
      if (request.side === 'buy') {
        if (rests) reserved = mul(mul(match.remaining, request.price!), add(1, rate));
        const need = add(match.cost, fee, reserved);
        const have = this.repo.balance(this.name, market.quote).free;
        if (cmp(need, have) > 0) throw new InsufficientFundsError(this.name, `paper balance ${have} ${market.quote} is less than ${need} needed`);
        this.repo.move(this.name, market.quote, sub(sub('0', match.cost), add(fee, reserved)), reserved);
        if (isPositive(match.filled)) this.repo.move(this.name, market.base, match.filled);
      } else {
        if (rests) reserved = match.remaining;
        const need = add(match.filled, reserved);
        const have = this.repo.balance(this.name, market.base).free;
        if (cmp(need, have) > 0) throw new InsufficientFundsError(this.name, `paper balance ${have} ${market.base} is less than ${need} needed`);
        this.repo.move(this.name, market.base, sub('0', need), reserved);
        if (isPositive(match.filled)) this.repo.move(this.name, market.quote, sub(match.cost, fee));
      }
      const seq = this.repo.nextSeq(this.name);
      const order: PaperOrderRow = {
        venue: this.name,
        id: `P${seq}`,
        seq,
        clientOrderId: request.clientOrderId,
        symbol: request.symbol,
        side: request.side,
        type: request.type,
        amount: dec(request.amount),
        price: request.price === undefined ? undefined : dec(request.price),
        status: rests ? 'open' : isZero(match.remaining) ? 'closed' : 'canceled',
        filled: match.filled,
        cost: match.cost,
        feeCost: fee,
        feeCurrency: market.quote,
        feeRate: rate,
        reserved,
        sweptAt: book.timestamp,
        createdAt: now,
        updatedAt: now,
      };
      this.repo.insertOrder(order);
      match.fills.forEach((f, i) => {
        const cost = mul(f.amount, f.price);
        this.repo.insertTrade(this.name, tradeOf(order, `${order.id}-${i + 1}`, dec(f.price), f.amount, mul(cost, rate), now));
      });
      return paperToVenueOrder(order);
    });
  }

  async cancelOrder(ref: OrderRef, _symbol: string): Promise<VenueOrder | undefined> {
    this.ensureSeeded();
    await this.sweep();
    return this.db.tx(() => {
      const order = this.repo.order(this.name, ref);
      if (!order) return undefined;
      if (order.status !== 'open') return paperToVenueOrder(order);
      const market = this.marketsCache?.find((m) => m.symbol === order.symbol);
      const asset = order.side === 'buy' ? (market?.quote ?? quoteOf(order.symbol)) : (market?.base ?? baseOf(order.symbol));
      this.repo.move(this.name, asset, order.reserved, sub('0', order.reserved));
      const next: PaperOrderRow = {...order, status: 'canceled', reserved: '0', updatedAt: this.clock.now()};
      this.repo.updateOrder(next);
      return paperToVenueOrder(next);
    });
  }

  async fetchOrder(ref: OrderRef, _symbol: string): Promise<VenueOrder | undefined> {
    this.ensureSeeded();
    await this.sweep();
    const order = this.repo.order(this.name, ref);
    return order ? paperToVenueOrder(order) : undefined;
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    this.ensureSeeded();
    await this.sweep();
    return this.repo.orders(this.name, {open: true, symbol}).map(paperToVenueOrder);
  }

  async fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]> {
    this.ensureSeeded();
    await this.sweep();
    return this.repo.orders(this.name, {closed: true, symbol, since}).map(paperToVenueOrder);
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]> {
    this.ensureSeeded();
    await this.sweep();
    return this.repo.trades(this.name, {symbol, since});
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  // ---- internals -------------------------------------------------------------

  private marketsCache: readonly Market[] | undefined;

  private async market(symbol: string): Promise<Market> {
    this.marketsCache ??= await this.inner.loadMarkets();
    const market = this.marketsCache.find((m) => m.symbol === symbol);
    if (!market) throw new InvalidOrderError(this.name, `unknown market ${symbol}`);
    return market;
  }

  /** Fills resting limit orders that the current books cross (maker fee). */
  private async sweep(): Promise<void> {
    const open = this.repo.orders(this.name, {open: true});
    if (open.length === 0) return;
    const symbols = [...new Set(open.map((o) => o.symbol))];
    for (const symbol of symbols) {
      let book: OrderBook;
      let market: Market;
      try {
        market = await this.market(symbol);
        book = await this.inner.fetchOrderBook(symbol);
      } catch {
        continue; // No data now: the orders stay open, as on a real venue.
      }
      this.db.tx(() => {
        let sides = {bids: book.bids, asks: book.asks};
        for (const order of this.repo.orders(this.name, {open: true, symbol})) {
          if (book.timestamp <= order.sweptAt) continue; // this book's liquidity was already offered to the order
          const remaining = sub(order.amount, order.filled);
          const match = matchOrder(sides, {side: order.side, amount: remaining, limitPrice: Number(order.price)});
          if (!isPositive(match.filled)) {
            this.repo.updateOrder({...order, sweptAt: book.timestamp});
            continue;
          }
          sides = order.side === 'buy' ? {bids: sides.bids, asks: match.remainingLevels} : {bids: match.remainingLevels, asks: sides.asks};
          const rate = dec(market.maker);
          // A resting order is the maker: it trades at its own limit price, as on a real venue.
          const limit = dec(order.price!);
          const cost = mul(match.filled, limit);
          const fee = mul(cost, rate);
          const done = isZero(match.remaining);
          // Release the share of the held funds that belongs to the filled part.
          const release = done ? order.reserved : div(mul(order.reserved, match.filled), remaining);
          if (order.side === 'buy') {
            this.repo.move(this.name, market.quote, sub(release, add(cost, fee)), sub('0', release));
            this.repo.move(this.name, market.base, match.filled);
          } else {
            this.repo.move(this.name, market.base, sub(release, match.filled), sub('0', release));
            this.repo.move(this.name, market.quote, sub(cost, fee));
          }
          const now = this.clock.now();
          const next: PaperOrderRow = {
            ...order,
            status: done ? 'closed' : 'open',
            filled: add(order.filled, match.filled),
            cost: add(order.cost, cost),
            feeCost: add(order.feeCost, fee),
            reserved: sub(order.reserved, release),
            sweptAt: book.timestamp,
            updatedAt: now,
          };
          this.repo.updateOrder(next);
          const already = this.repo.trades(this.name, {orderId: order.id}).length;
          match.fills.forEach((f, i) => {
            this.repo.insertTrade(this.name, {...tradeOf(next, `${order.id}-${already + i + 1}`, limit, f.amount, mul(mul(f.amount, limit), rate), now), takerOrMaker: 'maker'});
          });
        }
      });
    }
  }

  /** Sets a paper balance (for paper transfers and tests). */
  setBalance(asset: string, free: string): void {
    this.ensureSeeded();
    this.repo.setFree(this.name, asset, free);
  }
}

function tradeOf(order: PaperOrderRow, id: string, price: string, amount: string, fee: string, ts: number): Trade {
  return {
    id,
    orderId: order.id,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    price,
    amount,
    fee: {cost: fee, currency: order.feeCurrency},
    takerOrMaker: 'taker',
    timestamp: ts,
  };
}

function baseOf(symbol: string): string {
  return symbol.split('/')[0]!;
}

function quoteOf(symbol: string): string {
  return symbol.split('/')[1]!.split(':')[0]!;
}

function validate(venue: string, market: Market, request: OrderRequest): void {
  if (!market.active) throw new InvalidOrderError(venue, `market ${market.symbol} is not active`);
  if (!isPositive(request.amount)) throw new InvalidOrderError(venue, `amount must be positive, got ${request.amount}`);
  if (market.amountStep !== undefined && cmp(roundToStep(request.amount, dec(market.amountStep)), request.amount) !== 0) {
    throw new InvalidOrderError(venue, `amount ${request.amount} is not a multiple of the step ${dec(market.amountStep)}`);
  }
  if (market.minAmount !== undefined && cmp(request.amount, dec(market.minAmount)) < 0) {
    throw new InvalidOrderError(venue, `amount ${request.amount} is below the minimum ${dec(market.minAmount)}`);
  }
  if (request.type === 'limit') {
    if (request.price === undefined || !isPositive(request.price)) throw new InvalidOrderError(venue, 'a limit order needs a positive price');
    if (market.priceStep !== undefined && toUnits(roundToStep(request.price, dec(market.priceStep))) !== toUnits(request.price)) {
      throw new InvalidOrderError(venue, `price ${request.price} is not a multiple of the tick ${dec(market.priceStep)}`);
    }
    if (market.minCost !== undefined && cmp(mul(request.amount, request.price), dec(market.minCost)) < 0) {
      throw new InvalidOrderError(venue, `order value ${mul(request.amount, request.price)} is below the minimum ${dec(market.minCost)}`);
    }
  }
}
