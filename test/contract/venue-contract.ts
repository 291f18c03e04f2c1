/**
 * The Venue port's contract, run against every implementation (SimVenue,
 * CcxtVenue on loopback servers, ...). It uses only the port: no
 * implementation internals, no timing, no knowledge of which venue it is.
 *
 * Call `venueContract(label, setup)` inside a test file. `setup` runs once
 * (beforeAll) and returns the subject; `cleanup` runs after the suite.
 *
 * When `canTrade` is true the subject must hold enough of the symbol's quote
 * currency to buy a few minimum-size orders, and the market must be liquid
 * enough that a minimum-size market buy fills completely. The trading tests
 * check balance deltas, so nothing else may trade on the venue meanwhile.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {InsufficientFundsError, InvalidOrderError, UnknownSymbolError, VenueRejectedError, VenueUnavailableError} from '../../src/core/errors.js';
import {abs, add, cmp, dec, isDecimal, isNegative, max, mul, neg, roundToStep, sub} from '../../src/core/money/decimal.js';
import type {Balance, Level, Market, Trade} from '../../src/core/types.js';
import type {Venue} from '../../src/core/venues/port.js';

export interface ContractExpectations {
  /** Known best bid / ask of `symbol`, for implementations that serve fixed data. */
  readonly bid?: number;
  readonly ask?: number;
  /** Base amount of the market-buy test; default about twice the venue's minimum. */
  readonly tradeAmount?: string;
  /** Allowed absolute difference per asset between balance moves and fills + fees (default 0: exact). */
  readonly balanceTolerance?: string;
  /** Resting limit buys are placed at best bid x this factor (default 0.9) so they do not fill. */
  readonly restingPriceFactor?: number;
  /**
   * When a clientOrderId may be used again: `after-close` (default; what
   * exchanges do: refused only while an open order holds it) or `never`
   * (the account engine of simulated and paper venues: unique per venue).
   */
  readonly clientOrderIdReuse?: 'after-close' | 'never';
  /**
   * How a second order with the clientOrderId of an open one fails: `rejected`
   * (default: VenueRejectedError) or `outcome-unknown` (VenueUnavailableError:
   * the venue's answer is not classified, so the caller resolves it by the
   * clientOrderId, which finds the first order), or `returns-existing` (coinbase: a used
   * client_order_id creates nothing and answers the order it names, open or ended). Either way
   * no second order exists.
   */
  readonly duplicateClientOrderId?: 'rejected' | 'outcome-unknown' | 'returns-existing';
  /** Whether trades say taker or maker (default: not required; exchanges often leave it out). */
  readonly reportsTakerOrMaker?: boolean;
  /**
   * The venue takes market buys as a quote amount (coinbase, bitget, gate): it buys what the
   * amount x price (cut to the quote step) pays for, so the base filled may fall short of the
   * amount asked, by at most this fraction of it.
   */
  readonly marketBuyShortfall?: string;
}

export interface ContractSubject {
  readonly venue: Venue;
  /** A canonical symbol the venue lists (spot). */
  readonly symbol: string;
  readonly expectations?: ContractExpectations;
  /** Whether the trading half of the contract applies (keys or a simulated account). */
  readonly canTrade: boolean;
  readonly cleanup?: () => Promise<void>;
}

const ASSET = /^[A-Z0-9]{1,15}$/;
const UNKNOWN_SYMBOL = 'ZZNOPE/USD';

function sortedBestFirst(levels: readonly Level[], side: 'bids' | 'asks'): boolean {
  for (let i = 1; i < levels.length; i++) {
    const [prev] = levels[i - 1]!;
    const [price] = levels[i]!;
    if (side === 'bids' ? !(price < prev) : !(price > prev)) return false;
  }
  return true;
}

function totalOf(balances: readonly Balance[], asset: string): string {
  return balances.find((b) => b.asset === asset)?.total ?? '0';
}

/** Smallest amount (on the step) worth `multiple` x the venue's minimums at `price`. */
function validAmount(market: Market, price: number, multiple: number): string {
  const step = market.amountStep;
  let target = '0';
  if (market.minAmount !== undefined) target = max(target, mul(market.minAmount, multiple));
  if (market.minCost !== undefined) target = max(target, dec((market.minCost * multiple) / price));
  if (cmp(target, 0) === 0) target = step !== undefined ? mul(step, 10 * multiple) : dec((10 * multiple) / price);
  return roundToStep(target, step, 'up');
}

export function venueContract(label: string, setup: () => Promise<ContractSubject>): void {
  describe(`Venue contract: ${label}`, () => {
    let subject: ContractSubject;
    let venue: Venue;
    let market: Market;
    let sequence = 0;
    // Short, charset-safe ids (kraken allows 18 characters of free text).
    const tag = Math.abs([...label].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)).toString(36).slice(0, 5);
    const nextClientId = () => `ct${tag}${++sequence}`;

    beforeAll(async () => {
      subject = await setup();
      venue = subject.venue;
      const markets = await venue.loadMarkets();
      const found = markets.find((m) => m.symbol === subject.symbol);
      if (!found) throw new Error(`contract subject symbol ${subject.symbol} is not listed by ${label}`);
      market = found;
    });

    afterAll(async () => {
      await subject?.cleanup?.();
    });

    describe('market data', () => {
      it('describes itself', () => {
        expect(venue.info.id).toMatch(/\S/);
        expect(venue.info.exchange).toMatch(/\S/);
        expect(typeof venue.info.simulated).toBe('boolean');
        expect(['paper', 'live']).toContain(venue.info.mode);
        expect(venue.info.rateLimitMs).toBeGreaterThanOrEqual(0);
      });

      it('lists markets with canonical symbols and native ids', async () => {
        const markets = await venue.loadMarkets();
        expect(markets.length).toBeGreaterThan(0);
        const spot = markets.filter((m) => m.type === 'spot');
        expect(new Set(spot.map((m) => m.symbol)).size).toBe(spot.length);
        expect(new Set(spot.map((m) => m.id)).size).toBe(spot.length);
        for (const m of spot) {
          expect(m.base).toMatch(ASSET);
          expect(m.quote).toMatch(ASSET);
          expect(m.symbol).toBe(`${m.base}/${m.quote}`);
          expect(m.id).toMatch(/\S/);
          expect(m.baseId).toMatch(/\S/);
          expect(m.quoteId).toMatch(/\S/);
          expect(Number.isFinite(m.taker)).toBe(true);
          expect(Number.isFinite(m.maker)).toBe(true);
          for (const limit of [m.amountStep, m.priceStep, m.minAmount, m.minCost]) {
            if (limit !== undefined) expect(limit).toBeGreaterThan(0);
          }
        }
        expect(markets.map((m) => m.symbol)).toContain(subject.symbol);
      });

      it('quotes the symbol with bid < ask and positive sizes', async () => {
        const quotes = await venue.fetchQuotes([subject.symbol]);
        expect(quotes).toHaveLength(1);
        const quote = quotes[0]!;
        expect(quote.venue).toBe(venue.info.id);
        expect(quote.symbol).toBe(subject.symbol);
        expect(quote.bid).toBeGreaterThan(0);
        expect(quote.ask).toBeGreaterThan(quote.bid!);
        expect(quote.bidSize).toBeGreaterThan(0);
        expect(quote.askSize).toBeGreaterThan(0);
        expect(Number.isFinite(quote.timestamp)).toBe(true);
        expect(Number.isFinite(quote.receivedAt)).toBe(true);
        if (subject.expectations?.bid !== undefined) expect(quote.bid).toBe(subject.expectations.bid);
        if (subject.expectations?.ask !== undefined) expect(quote.ask).toBe(subject.expectations.ask);
      });

      it('quotes every market when no symbols are given', async () => {
        const symbols = new Set((await venue.loadMarkets()).map((m) => m.symbol));
        const quotes = await venue.fetchQuotes();
        expect(quotes.map((q) => q.symbol)).toContain(subject.symbol);
        for (const quote of quotes) {
          expect(symbols.has(quote.symbol)).toBe(true);
          if (quote.bid !== undefined && quote.ask !== undefined) expect(quote.bid).toBeLessThan(quote.ask);
        }
      });

      it('serves books sorted best first with positive amounts', async () => {
        for (const depth of [10, undefined]) {
          const book = await venue.fetchOrderBook(subject.symbol, depth);
          expect(book.venue).toBe(venue.info.id);
          expect(book.symbol).toBe(subject.symbol);
          expect(book.bids.length).toBeGreaterThan(0);
          expect(book.asks.length).toBeGreaterThan(0);
          if (depth !== undefined) {
            expect(book.bids.length).toBeLessThanOrEqual(depth);
            expect(book.asks.length).toBeLessThanOrEqual(depth);
          }
          expect(sortedBestFirst(book.bids, 'bids')).toBe(true);
          expect(sortedBestFirst(book.asks, 'asks')).toBe(true);
          for (const [price, amount] of [...book.bids, ...book.asks]) {
            expect(price).toBeGreaterThan(0);
            expect(amount).toBeGreaterThan(0);
          }
          expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
          if (subject.expectations?.bid !== undefined) expect(book.bids[0]![0]).toBe(subject.expectations.bid);
          if (subject.expectations?.ask !== undefined) expect(book.asks[0]![0]).toBe(subject.expectations.ask);
        }
      });

      it('throws UnknownSymbolError for a symbol it does not list', async () => {
        await expect(venue.fetchOrderBook(UNKNOWN_SYMBOL)).rejects.toBeInstanceOf(UnknownSymbolError);
        await expect(venue.fetchQuotes([UNKNOWN_SYMBOL])).rejects.toBeInstanceOf(UnknownSymbolError);
      });

      it('lists currencies with canonical codes when it can', async () => {
        if (!venue.info.capabilities.currencies) return;
        const currencies = await venue.fetchCurrencies();
        expect(new Set(currencies.map((c) => c.code)).size).toBe(currencies.length);
        for (const currency of currencies) {
          expect(currency.code).toMatch(ASSET);
          expect(currency.id).toMatch(/\S/);
          for (const network of currency.networks) {
            expect(network.network).toMatch(/\S/);
            if (network.withdrawFee !== undefined) expect(network.withdrawFee).toBeGreaterThanOrEqual(0);
          }
        }
      });
    });

    describe('trading', () => {
      const trading = () => subject.canTrade;

      it('reports balances as exact decimals with total = free + used', async (ctx) => {
        if (!trading()) return ctx.skip();
        const balances = await venue.fetchBalances();
        expect(balances.length).toBeGreaterThan(0);
        expect(new Set(balances.map((b) => b.asset)).size).toBe(balances.length);
        for (const b of balances) {
          expect(b.asset).toMatch(ASSET);
          for (const value of [b.free, b.used, b.total]) {
            expect(isDecimal(value)).toBe(true);
            expect(isNegative(value)).toBe(false);
          }
          expect(cmp(add(b.free, b.used), b.total)).toBe(0);
        }
      });

      it('fills a market buy and moves balances by exactly fills + fees', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const amount = subject.expectations?.tradeAmount ?? validAmount(market, quote!.ask!, 2);
        const before = await venue.fetchBalances();
        const clientOrderId = nextClientId();
        const placed = await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'market', amount, clientOrderId});
        expect(placed.clientOrderId).toBe(clientOrderId);
        expect(placed.symbol).toBe(subject.symbol);

        const order = await venue.fetchOrder({clientOrderId}, subject.symbol);
        expect(order?.id).toBe(placed.id);
        expect(order?.status).toBe('closed');
        const shortfall = subject.expectations?.marketBuyShortfall;
        if (shortfall === undefined) expect(cmp(order!.filled, amount)).toBe(0);
        else expect(cmp(order!.filled, amount) <= 0 && cmp(order!.filled, mul(amount, sub('1', shortfall))) >= 0, `filled ${order!.filled} of ${amount}`).toBe(true);

        const trades = (await venue.fetchMyTrades(subject.symbol)).filter((t) => t.orderId === placed.id);
        expect(trades.length).toBeGreaterThan(0);
        let filled = '0';
        const expected = new Map<string, string>([
          [market.base, '0'],
          [market.quote, '0'],
        ]);
        const move = (asset: string, delta: string) => expected.set(asset, add(expected.get(asset) ?? '0', delta));
        for (const trade of trades) {
          expect(trade.symbol).toBe(subject.symbol);
          expect(trade.side).toBe('buy');
          if (subject.expectations?.reportsTakerOrMaker) expect(trade.takerOrMaker).toBe('taker');
          filled = add(filled, trade.amount);
          move(market.base, trade.amount);
          move(market.quote, neg(mul(trade.price, trade.amount)));
          if (trade.fee) move(trade.fee.currency, neg(trade.fee.cost));
        }
        expect(cmp(filled, order!.filled)).toBe(0);
        if (shortfall === undefined) expect(cmp(filled, amount)).toBe(0);

        const after = await venue.fetchBalances();
        const tolerance = subject.expectations?.balanceTolerance ?? '0';
        for (const [asset, delta] of expected) {
          const moved = sub(totalOf(after, asset), totalOf(before, asset));
          expect(cmp(abs(sub(moved, delta)), tolerance) <= 0, `${asset} moved by ${moved}; fills and fees say ${delta}`).toBe(true);
        }

        const closed = await venue.fetchClosedOrders(subject.symbol);
        expect(closed.map((o) => o.id)).toContain(placed.id);
      });

      it('finds orders by id and by clientOrderId, and not unknown ones', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const clientOrderId = nextClientId();
        const amount = validAmount(market, quote!.ask!, 2);
        const placed = await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'market', amount, clientOrderId});
        const byClient = await venue.fetchOrder({clientOrderId}, subject.symbol);
        const byId = await venue.fetchOrder({id: placed.id}, subject.symbol);
        expect(byClient?.id).toBe(placed.id);
        expect(byId?.clientOrderId).toBe(clientOrderId);
        expect(await venue.fetchOrder({clientOrderId: `${clientOrderId}x`}, subject.symbol)).toBeUndefined();
      });

      it('keeps a resting limit open until cancelled; cancelling twice is fine', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const factor = subject.expectations?.restingPriceFactor ?? 0.9;
        const price = roundToStep(dec(quote!.bid! * factor), market.priceStep, 'down');
        const amount = validAmount(market, Number(price), 2);
        const clientOrderId = nextClientId();
        const placed = await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId});
        expect(placed.status).toBe('open');
        expect(cmp(placed.filled, 0)).toBe(0);

        const open = await venue.fetchOpenOrders(subject.symbol);
        expect(open.map((o) => o.id)).toContain(placed.id);
        expect((await venue.fetchOrder({clientOrderId}, subject.symbol))?.status).toBe('open');

        const cancelled = await venue.cancelOrder({id: placed.id}, subject.symbol);
        expect(cancelled?.status).toBe('canceled');
        expect((await venue.fetchOpenOrders(subject.symbol)).map((o) => o.id)).not.toContain(placed.id);

        const again = await venue.cancelOrder({id: placed.id}, subject.symbol);
        if (again !== undefined) expect(again.status).toBe('canceled');
        expect((await venue.fetchOrder({clientOrderId}, subject.symbol))?.status).toBe('canceled');
      });

      it('refuses a clientOrderId held by an open order; reuse after it ended as the venue states', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const price = roundToStep(dec(quote!.bid! * (subject.expectations?.restingPriceFactor ?? 0.9)), market.priceStep, 'down');
        const amount = validAmount(market, Number(price), 2);
        const clientOrderId = nextClientId();
        const resting = await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId});
        expect(resting.status).toBe('open');
        if (subject.expectations?.duplicateClientOrderId === 'returns-existing') {
          expect((await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId})).id).toBe(resting.id);
          expect((await venue.fetchOpenOrders(subject.symbol)).filter((o) => o.clientOrderId === clientOrderId)).toHaveLength(1);
          await venue.cancelOrder({id: resting.id}, subject.symbol);
          const answered = await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId});
          expect([answered.id, answered.status]).toEqual([resting.id, 'canceled']);
          return;
        }
        const duplicate = (subject.expectations?.duplicateClientOrderId ?? 'rejected') === 'rejected' ? VenueRejectedError : VenueUnavailableError;
        await expect(venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId})).rejects.toBeInstanceOf(duplicate);
        expect((await venue.fetchOpenOrders(subject.symbol)).filter((o) => o.clientOrderId === clientOrderId)).toHaveLength(1);
        await venue.cancelOrder({id: resting.id}, subject.symbol);
        const again = venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId});
        if ((subject.expectations?.clientOrderIdReuse ?? 'after-close') === 'never') {
          await expect(again).rejects.toBeInstanceOf(InvalidOrderError);
          expect((await venue.fetchOrder({clientOrderId}, subject.symbol))?.id).toBe(resting.id);
        } else {
          const reused = await again;
          expect(reused.id).not.toBe(resting.id);
          expect(reused.clientOrderId).toBe(clientOrderId);
          await venue.cancelOrder({id: reused.id}, subject.symbol);
        }
      });

      it('returns my trades with unique ids', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const amount = validAmount(market, quote!.ask!, 2);
        const placed = await venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'market', amount, clientOrderId: nextClientId()});
        const trades: readonly Trade[] = await venue.fetchMyTrades(subject.symbol);
        expect(trades.map((t) => t.orderId)).toContain(placed.id);
        expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
        for (const trade of trades) {
          expect(cmp(trade.amount, 0)).toBe(1);
          expect(cmp(trade.price, 0)).toBe(1);
          expect(trade.orderId).toMatch(/\S/);
        }
      });

      it('refuses an order below the minimum with InvalidOrderError', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const price = roundToStep(dec(quote!.bid! * (subject.expectations?.restingPriceFactor ?? 0.9)), market.priceStep, 'down');
        const step = market.amountStep !== undefined ? dec(market.amountStep) : undefined;
        let amount: string | undefined;
        if (market.minAmount !== undefined && step !== undefined && cmp(market.minAmount, step) > 0) amount = sub(market.minAmount, step);
        else if (market.minCost !== undefined && step !== undefined && cmp(mul(step, price), market.minCost) < 0) amount = step;
        if (amount === undefined) return ctx.skip();
        await expect(
          venue.createOrder({symbol: subject.symbol, side: 'buy', type: 'limit', amount, price, clientOrderId: nextClientId()}),
        ).rejects.toBeInstanceOf(InvalidOrderError);
      });

      it('refuses an order it cannot pay for with InsufficientFundsError', async (ctx) => {
        if (!trading()) return ctx.skip();
        const [quote] = await venue.fetchQuotes([subject.symbol]);
        const price = roundToStep(dec(quote!.ask! * 1.1), market.priceStep, 'up');
        const free = (await venue.fetchBalances()).find((b) => b.asset === market.base)?.free ?? '0';
        const amount = roundToStep(max(mul(free, 2), validAmount(market, Number(price), 2)), market.amountStep, 'up');
        if (market.maxAmount !== undefined && cmp(amount, market.maxAmount) > 0) return ctx.skip();
        await expect(
          venue.createOrder({symbol: subject.symbol, side: 'sell', type: 'limit', amount, price, clientOrderId: nextClientId()}),
        ).rejects.toBeInstanceOf(InsufficientFundsError);
      });

      it('throws UnknownSymbolError when ordering a symbol it does not list', async (ctx) => {
        if (!trading()) return ctx.skip();
        await expect(
          venue.createOrder({symbol: UNKNOWN_SYMBOL, side: 'buy', type: 'market', amount: '1', clientOrderId: nextClientId()}),
        ).rejects.toBeInstanceOf(UnknownSymbolError);
      });
    });
  });
}
