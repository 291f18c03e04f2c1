/**
 * binance market streams through the unmodified ccxt.pro binance class:
 * watchOrderBook (REST snapshot + depth@100ms diffs) and watchBidsAsks
 * (bookTicker), both following book changes made in the venue state.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USDT';
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback();
  ex = await connect(loop, 'binance', {pro: true, options: {fetchCurrencies: false}});
  await ex.loadMarkets();
});
afterEach(async () => {
  await ex.close();
  await loop.close();
});

describe('binance websocket streams with ccxt.pro binance', () => {
  it('watchOrderBook starts from the REST snapshot and applies depth diffs', async () => {
    const first = await ex.watchOrderBook(S);
    expect(first.bids[0]).toEqual([59999.5, 0.5]);
    const next = ex.watchOrderBook(S);
    loop.state('binance').setBook(S, {bids: [[59990, 2], [59980, 1]], asks: [[60010, 3]]});
    const book = await next;
    expect(book.bids.slice(0, 2)).toEqual([[59990, 2], [59980, 1]]);
    expect(book.asks).toEqual([[60010, 3]]);
    expect(loop.requests('binance').some((r) => r.path === '/api/v3/depth')).toBe(true);
  });

  it('watchBidsAsks follows bookTicker when the top of the book moves', async () => {
    const pending = ex.watchBidsAsks([S]);
    // wait until the server holds the subscription, so the update cannot overtake it
    await new Promise<void>((resolve) => {
      const check = () => (loop.streams('binance').includes('btcusdt@bookTicker') ? resolve() : setTimeout(check, 5));
      check();
    });
    loop.state('binance').setBook(S, {bids: [[59000, 1]], asks: [[59001, 2]]});
    const quotes = await pending;
    expect([quotes[S].bid, quotes[S].ask, quotes[S].askVolume]).toEqual([59000, 59001, 2]);
  });
});
