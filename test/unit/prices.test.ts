import {describe, expect, it} from 'vitest';
import {UnknownSymbolError, VenueUnavailableError} from '../../src/core/errors.js';
import {fetchPrices, watchIntervalMs} from '../../src/core/market/prices.js';
import type {Market, OrderBook, Quote} from '../../src/core/types.js';
import type {Venue} from '../../src/core/venues/port.js';

const NOW = 1_700_000_000_000;
const clock = {now: () => NOW};

function market(symbol: string, id: string): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {symbol, id, base, quote, baseId: base, quoteId: quote, type: 'spot', active: true, taker: 0.001, maker: 0.001, amountStep: 0.0001, priceStep: 0.01, minAmount: undefined, maxAmount: undefined, minCost: undefined};
}

/** A hand-written fake venue answering fixed books. */
function fakeVenue(id: string, markets: Market[], books: Record<string, {bids: [number, number][]; asks: [number, number][]; age?: number}>, fail?: Error): Venue {
  const book = (symbol: string): OrderBook => {
    const b = books[symbol]!;
    return {venue: id, symbol, bids: b.bids, asks: b.asks, timestamp: NOW - (b.age ?? 0), receivedAt: NOW - (b.age ?? 0)};
  };
  const notHere = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    info: {id, exchange: 'fake', simulated: false, sandbox: false, mode: 'paper', hasKeys: false, rateLimitMs: 0, capabilities: {bidsAsks: true, orderBookStream: false, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false}},
    loadMarkets: async () => {
      if (fail) throw fail;
      return markets;
    },
    fetchQuotes: async (symbols) =>
      (symbols ?? []).map((s): Quote => {
        const b = book(s);
        return {venue: id, symbol: s, bid: b.bids[0]?.[0], bidSize: b.bids[0]?.[1], ask: b.asks[0]?.[0], askSize: b.asks[0]?.[1], timestamp: b.timestamp, receivedAt: b.receivedAt};
      }),
    fetchOrderBook: async (s) => book(s),
    fetchCurrencies: async () => [],
    fetchBalances: notHere,
    createOrder: notHere,
    cancelOrder: notHere,
    fetchOrder: notHere,
    fetchOpenOrders: notHere,
    fetchClosedOrders: notHere,
    fetchMyTrades: notHere,
    close: async () => {},
  };
}

const a = fakeVenue('a', [market('BTC/USD', 'BTC-USD')], {'BTC/USD': {bids: [[100, 1], [99, 5]], asks: [[101, 1], [102, 5]]}});
const b = fakeVenue('b', [market('BTC/USD', 'XXBTZUSD')], {'BTC/USD': {bids: [[101.5, 0.5], [100.5, 1]], asks: [[102, 2]]}});
const stale = fakeVenue('c', [market('BTC/USD', 'btcusd')], {'BTC/USD': {bids: [[110, 1]], asks: [[90, 1]], age: 60_000}});
const tether = fakeVenue('t', [market('BTC/USDT', 'btcusdt')], {'BTC/USDT': {bids: [[100.2, 1]], asks: [[100.4, 1]]}});

describe('fetchPrices', () => {
  it('marks best bid and ask and the cross-venue spread (hand computed)', async () => {
    const r = await fetchPrices([a, b], ['btc-usd'], {maxAgeMs: 10_000, clock});
    const s = r.symbols[0]!;
    expect(s.symbol).toBe('BTC/USD');
    expect(s.bestBid).toEqual({venue: 'b', price: 101.5});
    expect(s.bestAsk).toEqual({venue: 'a', price: 101});
    expect(s.crossSpread!.value).toBeCloseTo(0.5, 10);
    expect(s.crossSpread!.bps).toBeCloseTo((0.5 / 101.25) * 10_000, 8);
    expect(s.rows.find((row) => row.venue === 'b')?.nativeId).toBe('XXBTZUSD');
  });

  it('never picks a stale quote as best', async () => {
    const r = await fetchPrices([a, stale], ['BTC/USD'], {maxAgeMs: 10_000, clock});
    const s = r.symbols[0]!;
    expect(s.rows.find((row) => row.venue === 'c')?.stale).toBe(true);
    expect(s.bestBid?.venue).toBe('a');
    expect(s.bestAsk?.venue).toBe('a');
  });

  it('walks books for a size and reports what cannot fill', async () => {
    const r = await fetchPrices([a, b], ['BTC/USD'], {size: '2', maxAgeMs: 10_000, clock});
    const rowA = r.symbols[0]!.rows.find((row) => row.venue === 'a')!;
    // buy 2 on a: 1 @ 101 + 1 @ 102 = 203 -> 101.5
    expect(rowA.buy?.average).toBeCloseTo(101.5, 10);
    const rowB = r.symbols[0]!.rows.find((row) => row.venue === 'b')!;
    // sell 2 on b: only 1.5 available: 0.5 @ 101.5 + 1 @ 100.5
    expect(rowB.sell?.unfilled).toBeCloseTo(0.5, 10);
    expect(rowB.sell?.average).toBeCloseTo((50.75 + 100.5) / 1.5, 8);
    // b cannot fill the whole sell, so a (selling 2 at 99.5 avg) wins best sell.
    expect(r.symbols[0]!.bestSell?.venue).toBe('a');
    expect(r.symbols[0]!.bestBuy?.venue).toBe('a');
  });

  it('--size ranks venues after taker fees, as the router does', async () => {
    // Buying 1: cheap at 101 with a 2% fee (103.02) loses to 102 at 0.1% (102.102).
    const cheap = fakeVenue('cheap', [{...market('BTC/USD', 'BTC-USD'), taker: 0.02}], {'BTC/USD': {bids: [[100, 1]], asks: [[101, 1]]}});
    const fair = fakeVenue('fair', [market('BTC/USD', 'BTC-USD')], {'BTC/USD': {bids: [[99.5, 1]], asks: [[102, 1]]}});
    const r = await fetchPrices([cheap, fair], ['BTC/USD'], {size: '1', maxAgeMs: 10_000, clock});
    expect(r.symbols[0]!.bestBuy).toMatchObject({venue: 'fair', average: 102, afterFees: 102.102});
    // Selling 1: 100 x 0.98 = 98 at cheap against 99.5 x 0.999 = 99.4005 at fair.
    expect(r.symbols[0]!.bestSell).toMatchObject({venue: 'fair', afterFees: 99.4005});
    // The user's fee tier in config overrides the market's fee.
    const tier = await fetchPrices([cheap, fair], ['BTC/USD'], {size: '1', maxAgeMs: 10_000, clock, takerFees: {cheap: 0}});
    expect(tier.symbols[0]!.bestBuy?.venue).toBe('cheap');
  });

  it('keeps USDT apart from USD unless a quote group is asked for, and labels it', async () => {
    const plain = await fetchPrices([a, tether], ['BTC/USD'], {maxAgeMs: 10_000, clock});
    expect(plain.symbols[0]!.rows.find((row) => row.venue === 't')).toMatchObject({status: 'not_listed', alternatives: ['BTC/USDT']});
    const grouped = await fetchPrices([a, tether], ['BTC/USD'], {maxAgeMs: 10_000, clock, quoteGroup: 'usd'});
    const row = grouped.symbols[0]!.rows.find((r) => r.venue === 't')!;
    expect(row.status).toBe('ok');
    expect(row.quoteGroupLabel).toBe('USDT as USD');
  });

  it('shows a failed venue as failed and still answers', async () => {
    const down = fakeVenue('down', [], {}, new VenueUnavailableError('down', 'connection refused'));
    const r = await fetchPrices([a, down], ['BTC/USD'], {maxAgeMs: 10_000, clock});
    expect(r.venuesAnswered).toBe(1);
    expect(r.symbols[0]!.rows.find((row) => row.venue === 'down')).toMatchObject({status: 'failed'});
  });

  it('an unknown symbol is a usage error when every venue answered', async () => {
    await expect(fetchPrices([a, b], ['DOGE/EUR'], {maxAgeMs: 10_000, clock})).rejects.toBeInstanceOf(UnknownSymbolError);
  });
});

describe('watch interval', () => {
  it('is never below the slowest venue rate limit nor 100ms, and stays below the timer limit', () => {
    const slow = {info: {...a.info, rateLimitMs: 1000}};
    expect(watchIntervalMs(0, [a])).toBe(100);
    expect(watchIntervalMs(250, [a, slow])).toBe(1000);
    expect(watchIntervalMs(5000, [a, slow])).toBe(5000);
    expect(watchIntervalMs(1e12, [a])).toBe(2_147_483_647);
  });
});
