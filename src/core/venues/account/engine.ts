/**
 * The account engine: one venue account that trades against order books,
 * shared by the simulated venues (memory store) and paper mode (journal
 * store). The caller brings the market and the book; the engine validates,
 * matches, moves funds and records orders and trades through its store.
 * This folder (venues/account) imports only the core's types, errors and
 * money: it is the floor the venues stand on.
 *
 * Rules (documented in docs/orders.md and docs/simulated-venues.md):
 * - Validation (InvalidOrderError): market active; amount positive, on the
 *   amount step, within min/max amount; a limit needs a positive price on
 *   the tick; order value at least the minimum cost (a limit: amount x
 *   price; a market order: what it trades). A clientOrderId is unique per
 *   venue (a repeat is refused, even after the first order ended).
 * - A market order takes the book as taker; what the book cannot fill
 *   expires; a book with nothing to take refuses it (VenueRejectedError).
 * - A limit order takes what crosses at once (taker, book prices); the
 *   rest rests with its funds held in `used`: a buy remaining x price x
 *   (1 + the higher of the taker and maker rates), a sell the remaining base.
 * - A resting order fills as maker at its own limit price when a book newer
 *   than any it has seen crosses it (`sweep`); within one sweep, what one
 *   order took is not offered to the next. A resting buy pays the maker fee
 *   out of its hold: if the market's maker rate rose above the rate it was
 *   held at, the held rate is charged.
 * - Fees are charged in the quote currency: a buy spends cost + fee, a sell
 *   receives cost - fee. Funds are checked before anything moves
 *   (InsufficientFundsError): a buy needs what its fills cost plus fees plus
 *   the reservation, a sell the whole amount in base.
 *
 * Invariants: free and used never go negative; for every asset, used is the
 * sum of the open orders' reservations; balances move by exactly the
 * trades' cost and fees; an order's filled, cost and fee are the sums of its
 * trades; every check of an operation runs before its first write, and the
 * writes of one operation run in one store transaction.
 */
import {InsufficientFundsError, InvalidOrderError, VenueRejectedError} from '../../errors.js';
import {add, cmp, dec, div, isPositive, isZero, min, mul, roundToStep, sub} from '../../money/decimal.js';
import type {Balance, Clock, Market, OrderRequest, Trade, VenueOrder} from '../../types.js';
import {applyMatch, matchOrder, type BookSides} from './matching.js';
import type {AccountOrder, AccountStore} from './store.js';

/** A book to trade against: its sides and the time it describes. */
export interface TradableBook extends BookSides {
  readonly timestamp: number;
}

export interface CheckedOrder {
  /** Canonical decimal strings. */
  readonly amount: string;
  /** Undefined for market orders. */
  readonly price: string | undefined;
}

function parse(venue: string, what: string, raw: string): string {
  try {
    return dec(raw);
  } catch {
    throw new InvalidOrderError(venue, `${what} is not a number: ${JSON.stringify(raw)}`);
  }
}

function onStep(value: string, step: number | undefined): boolean {
  return step === undefined || cmp(roundToStep(value, step), value) === 0;
}

/** Checks an order against the market's rules (not funds, not the book). Pure; throws InvalidOrderError. */
export function validateOrder(venue: string, market: Market, request: OrderRequest): CheckedOrder {
  const symbol = market.symbol;
  if (request.clientOrderId === '') throw new InvalidOrderError(venue, 'clientOrderId is required');
  if (!market.active) throw new InvalidOrderError(venue, `market ${symbol} is not active`);
  const amount = parse(venue, 'amount', request.amount);
  if (!isPositive(amount)) throw new InvalidOrderError(venue, `amount must be positive, got ${request.amount}`);
  if (!onStep(amount, market.amountStep)) {
    throw new InvalidOrderError(venue, `amount ${amount} is not a multiple of the step ${dec(market.amountStep!)} for ${symbol}`);
  }
  if (market.minAmount !== undefined && cmp(amount, dec(market.minAmount)) < 0) {
    throw new InvalidOrderError(venue, `amount ${amount} is below the minimum ${dec(market.minAmount)} for ${symbol}`);
  }
  if (market.maxAmount !== undefined && cmp(amount, dec(market.maxAmount)) > 0) {
    throw new InvalidOrderError(venue, `amount ${amount} is above the maximum ${dec(market.maxAmount)} for ${symbol}`);
  }
  if (request.type === 'market') return {amount, price: undefined};
  if (request.price === undefined) throw new InvalidOrderError(venue, 'a limit order needs a price');
  const price = parse(venue, 'price', request.price);
  if (!isPositive(price)) throw new InvalidOrderError(venue, `price must be positive, got ${request.price}`);
  if (!onStep(price, market.priceStep)) {
    throw new InvalidOrderError(venue, `price ${price} is not a multiple of the tick ${dec(market.priceStep!)} for ${symbol}`);
  }
  checkMinCost(venue, market, mul(amount, price));
  return {amount, price};
}

function checkMinCost(venue: string, market: Market, value: string): void {
  if (market.minCost !== undefined && cmp(value, dec(market.minCost)) < 0) {
    throw new InvalidOrderError(venue, `order value ${value} ${market.quote} is below the minimum ${dec(market.minCost)} for ${market.symbol}`);
  }
}

/** The VenueOrder a venue reports for one of its orders. */
export function venueOrderOf(order: AccountOrder): VenueOrder {
  const filled = order.filled;
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    amount: order.amount,
    filled,
    price: order.price,
    average: isZero(filled) ? undefined : roundToStep(div(order.cost, filled), '0.000000000001', 'nearest'),
    fees: isZero(filled) ? [] : [{cost: order.fee, currency: order.quote}],
    timestamp: order.createdAt,
  };
}

export class AccountEngine {
  constructor(
    readonly venue: string,
    readonly store: AccountStore,
    private readonly clock: Clock,
  ) {}

  /** Market-rule checks only; `place` runs them again, this lets a caller refuse before fetching a book. */
  check(market: Market, request: OrderRequest): CheckedOrder {
    return validateOrder(this.venue, market, request);
  }

  /** Places an order against `book` (the market's current book). */
  place(market: Market, book: TradableBook, request: OrderRequest): VenueOrder {
    const venue = this.venue;
    const {amount, price} = validateOrder(venue, market, request);
    const store = this.store;
    return store.transaction(() => {
      if (store.order({clientOrderId: request.clientOrderId})) {
        throw new InvalidOrderError(venue, `clientOrderId ${request.clientOrderId} is already used on this venue`);
      }
      const match = matchOrder(book, {side: request.side, amount, limitPrice: price === undefined ? undefined : Number(price)});
      if (price === undefined) {
        checkMinCost(venue, market, match.cost);
        if (isZero(match.filled)) throw new VenueRejectedError(venue, `no liquidity for ${market.symbol}`);
      }
      const fills = match.fills.map((f) => {
        const fillPrice = dec(f.price);
        const cost = mul(fillPrice, f.amount);
        return {price: fillPrice, amount: f.amount, cost, fee: mul(cost, market.taker)};
      });
      const cost = add('0', ...fills.map((f) => f.cost));
      const fee = add('0', ...fills.map((f) => f.fee));
      const rests = price !== undefined && isPositive(match.remaining);
      const reserveRate = dec(Math.max(market.taker, market.maker));
      const reserved = !rests ? '0' : request.side === 'buy' ? mul(mul(match.remaining, price), add(1, reserveRate)) : match.remaining;
      const {base, quote} = market;
      if (request.side === 'buy') {
        const need = add(cost, fee, reserved);
        const have = store.holding(quote).free;
        if (cmp(need, have) > 0) throw new InsufficientFundsError(venue, `needs ${need} ${quote}, ${have} free`);
      } else {
        const have = store.holding(base).free;
        if (cmp(amount, have) > 0) throw new InsufficientFundsError(venue, `needs ${amount} ${base}, ${have} free`);
      }

      // Every check passed: write.
      const now = this.clock.now();
      const filled = match.filled;
      if (request.side === 'buy') {
        this.move(quote, sub('0', add(cost, fee, reserved)), reserved);
        this.move(base, filled);
      } else {
        this.move(base, sub('0', add(filled, reserved)), reserved);
        this.move(quote, sub(cost, fee));
      }
      const order: AccountOrder = {
        id: store.newOrderId(),
        clientOrderId: request.clientOrderId,
        symbol: market.symbol,
        base,
        quote,
        side: request.side,
        type: request.type,
        amount,
        price,
        status: rests ? 'open' : price === undefined && !isZero(match.remaining) ? 'expired' : 'closed',
        filled,
        cost,
        fee,
        reserved,
        reserveRate,
        bookTime: book.timestamp,
        createdAt: now,
        updatedAt: now,
      };
      store.insertOrder(order);
      for (const f of fills) store.insertTrade(this.trade(order, f.price, f.amount, f.fee, 'taker', now));
      return venueOrderOf(order);
    });
  }

  /**
   * Offers `book` to the open orders of its market: each one whose price the
   * book crosses fills, as maker at its own limit price, by what the book
   * holds at or beyond that price. Returns the number of orders that traded.
   */
  sweep(market: Market, book: TradableBook): number {
    const store = this.store;
    return store.transaction(() => {
      let sides: BookSides = book;
      let traded = 0;
      const now = this.clock.now();
      for (const order of store.orders({state: 'open', symbol: market.symbol})) {
        if (order.price === undefined || book.timestamp <= order.bookTime) continue;
        const remaining = sub(order.amount, order.filled);
        const match = matchOrder(sides, {side: order.side, amount: remaining, limitPrice: Number(order.price)});
        if (!isPositive(match.filled)) {
          store.updateOrder({...order, bookTime: book.timestamp});
          continue;
        }
        sides = applyMatch(sides, order.side, match);
        this.makerFill(market, order, match.filled, book.timestamp, now);
        traded++;
      }
      return traded;
    });
  }

  /**
   * Books a maker fill of `amount` at the order's own price and releases its
   * share of the held funds.
   */
  private makerFill(market: Market, order: AccountOrder, amount: string, bookTime: number, now: number): void {
    const price = order.price!;
    const cost = mul(amount, price);
    // A buy pays from what it holds: a maker rate raised since it was placed is capped at the held rate.
    const rate = order.side === 'buy' ? min(dec(market.maker), order.reserveRate) : dec(market.maker);
    const fee = mul(cost, rate);
    const filled = add(order.filled, amount);
    const done = cmp(filled, order.amount) >= 0;
    let release: string;
    if (done) release = order.reserved;
    else release = min(order.reserved, order.side === 'buy' ? mul(cost, add(1, order.reserveRate)) : amount);
    if (order.side === 'buy') {
      this.move(order.quote, sub(release, add(cost, fee)), sub('0', release));
      this.move(order.base, amount);
    } else {
      this.move(order.base, sub(release, amount), sub('0', release));
      this.move(order.quote, sub(cost, fee));
    }
    const next: AccountOrder = {
      ...order,
      status: done ? 'closed' : 'open',
      filled,
      cost: add(order.cost, cost),
      fee: add(order.fee, fee),
      reserved: sub(order.reserved, release),
      bookTime,
      updatedAt: now,
    };
    this.store.updateOrder(next);
    this.store.insertTrade(this.trade(next, price, amount, fee, 'maker', now));
  }

  /** Cancels an open order and releases its held funds; an order that already ended comes back as it is. */
  cancel(ref: {readonly id?: string; readonly clientOrderId?: string}, symbol?: string): VenueOrder | undefined {
    return this.store.transaction(() => {
      const order = this.find(ref, symbol);
      if (!order) return undefined;
      if (order.status !== 'open') return venueOrderOf(order);
      if (isPositive(order.reserved)) this.move(order.side === 'buy' ? order.quote : order.base, order.reserved, sub('0', order.reserved));
      const next: AccountOrder = {...order, status: 'canceled', reserved: '0', updatedAt: this.clock.now()};
      this.store.updateOrder(next);
      return venueOrderOf(next);
    });
  }

  /** An order by id and/or clientOrderId, on `symbol` when given. */
  order(ref: {readonly id?: string; readonly clientOrderId?: string}, symbol?: string): VenueOrder | undefined {
    const order = this.find(ref, symbol);
    return order && venueOrderOf(order);
  }

  openOrders(symbol?: string): readonly VenueOrder[] {
    return this.store.orders({state: 'open', symbol}).map(venueOrderOf);
  }

  closedOrders(symbol?: string, since?: number): readonly VenueOrder[] {
    return this.store.orders({state: 'done', symbol, since}).map(venueOrderOf);
  }

  /** Symbols that have open orders (the ones a sweep needs books for). */
  openSymbols(): readonly string[] {
    return [...new Set(this.store.orders({state: 'open'}).map((o) => o.symbol))];
  }

  trades(symbol?: string, since?: number): readonly Trade[] {
    return this.store.trades({symbol, since});
  }

  balances(): readonly Balance[] {
    return this.store.holdings().map((h) => ({asset: h.asset, free: h.free, used: h.used, total: add(h.free, h.used)}));
  }

  free(asset: string): string {
    return this.store.holding(asset).free;
  }

  /** Adds to (or, negative, takes from) an asset's free balance: deposits and withdrawals. Callers check funds first. */
  adjustFree(asset: string, delta: string): void {
    this.store.transaction(() => this.move(asset, delta));
  }

  private find(ref: {readonly id?: string; readonly clientOrderId?: string}, symbol: string | undefined): AccountOrder | undefined {
    if (ref.id === undefined && ref.clientOrderId === undefined) return undefined;
    const order = this.store.order(ref);
    return order && (symbol === undefined || order.symbol === symbol) ? order : undefined;
  }

  private move(asset: string, freeDelta: string, usedDelta = '0'): void {
    if (isZero(freeDelta) && isZero(usedDelta)) return;
    const held = this.store.holding(asset);
    const free = add(held.free, freeDelta);
    const used = add(held.used, usedDelta);
    // Checks run before writes, so this is a broken invariant, not a user error.
    if (cmp(free, 0) < 0 || cmp(used, 0) < 0) throw new RangeError(`balance of ${asset} on ${this.venue} would go negative (free ${free}, used ${used})`);
    this.store.putHolding(asset, {free, used});
  }

  private trade(order: AccountOrder, price: string, amount: string, fee: string, takerOrMaker: 'taker' | 'maker', now: number): Trade {
    return {
      id: this.store.newTradeId(order.id),
      orderId: order.id,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      price,
      amount,
      fee: {cost: fee, currency: order.quote},
      takerOrMaker,
      timestamp: now,
    };
  }
}
