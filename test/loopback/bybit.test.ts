/**
 * The bybit v5 (unified account, spot) dialect driven by the unmodified ccxt
 * bybit class. From bybitVenue(): BTC/USDT (BTCUSDT) asks 59990.5 x 0.5,
 * 59991 x 0.75, ...; bids 59989.5 x 0.5, 59989 x 0.75, ...; fees 0.1% in the
 * asset received; account BTC 1, ETH 10, USDT 60000.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {bybitVenue, startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USDT';
const KEYS = TEST_ACCOUNTS.bybit;
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback({scenario: {venues: {bybit: bybitVenue()}}});
  ex = await connect(loop, 'bybit', KEYS);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

const account = () => loop.state('bybit').account(KEYS.apiKey);
const creates = () => loop.requests('bybit').filter((r) => r.method === 'POST' && r.path === '/v5/order/create');

describe('bybit dialect with ccxt bybit', () => {
  it('serves spot instruments and, with keys, coins with chains', () => {
    const m = ex.market(S);
    expect(m.id).toBe('BTCUSDT');
    expect(m.precision).toMatchObject({amount: 0.000001, price: 0.01});
    expect([m.limits.amount.min, m.limits.cost.min]).toEqual([0.000048, 1]);
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(Object.keys(ex.currencies.USDT.networks).sort()).toEqual(['ERC20', 'TRC20']);
    expect(ex.currencies.USDT.networks.TRC20.fee).toBe(1);
  });

  it("with ccxt's default market types the derivative and option categories answer empty lists", async () => {
    const all = await connect(loop, 'bybit', {options: {fetchMarkets: {types: ['spot', 'linear', 'inverse', 'option']}}});
    loop.clearRequests();
    await all.loadMarkets();
    expect(Object.keys(all.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const categories = loop.requests('bybit').filter((r) => r.path === '/v5/market/instruments-info').map((r) => r.query.category);
    expect(new Set(categories)).toEqual(new Set(['spot', 'linear', 'inverse', 'option']));
  });

  it('keyless: instruments, tickers with bid/ask sizes, bids/asks and the book; other categories are empty', async () => {
    const keyless = await connect(loop, 'bybit');
    loop.clearRequests();
    await keyless.loadMarkets();
    expect(loop.requests('bybit').some((r) => r.path === '/v5/asset/coin/query-info')).toBe(false);
    const ticker = await keyless.fetchTicker(S);
    expect([ticker.bid, ticker.bidVolume, ticker.ask, ticker.askVolume]).toEqual([59989.5, 0.5, 59990.5, 0.5]);
    const tickers = await keyless.fetchTickers([S, 'ETH/USDT']);
    expect(Object.keys(tickers).sort()).toEqual([S, 'ETH/USDT']);
    const quotes = await keyless.fetchBidsAsks([S]);
    expect(quotes[S].ask).toBe(59990.5);
    const book = await keyless.fetchOrderBook(S, 2);
    expect(book.bids).toEqual([
      [59989.5, 0.5],
      [59989, 0.75],
    ]);
    // ccxt's default type is swap: without symbols it asks the linear category, which this spot venue leaves empty
    expect(Object.keys(await keyless.fetchTickers())).toEqual([]);
  });

  it('a market buy by base amount carries our orderLinkId; balances and executions follow', async () => {
    const created = await ex.createOrder(S, 'market', 'buy', 0.6, undefined, {clientOrderId: 'bybitintent1'});
    expect([created.clientOrderId, created.id]).toEqual(['bybitintent1', account().orders[0]!.id]);
    const [sent] = creates();
    expect(sent!.params).toMatchObject({category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', marketUnit: 'baseCoin', qty: '0.6', orderLinkId: 'bybitintent1'});
    expect(sent!.headers['x-bapi-sign']).toBe('<redacted>');
    const order = await ex.fetchClosedOrder(created.id, S);
    // 0.5 @ 59990.5 + 0.1 @ 59991
    expect(order).toMatchObject({status: 'closed', filled: 0.6, amount: 0.6, cost: 35994.35, clientOrderId: 'bybitintent1'});
    expect(order.fee).toEqual({currency: 'BTC', cost: 0.0006});
    const balance = await ex.fetchBalance();
    expect([balance.BTC.total, balance.BTC.free, balance.USDT.total]).toEqual([1.5994, 1.5994, 24005.65]);
    const trades = await ex.fetchMyTrades(S);
    expect(trades.map((t: any) => [t.price, t.amount, t.takerOrMaker, t.fee.currency]).sort()).toEqual([
      [59990.5, 0.5, 'taker', 'BTC'],
      [59991, 0.1, 'taker', 'BTC'],
    ]);
  });

  it('a market buy with a price is sent as a quote amount (the default unit of bybit buys) and spends that much', async () => {
    const created = await ex.createOrder(S, 'market', 'buy', 0.1, 59995, {clientOrderId: 'bybitcost'});
    const [sent] = creates();
    expect(sent!.params).toMatchObject({qty: '5999.5', orderLinkId: 'bybitcost'});
    expect(sent!.params.marketUnit).toBeUndefined();
    const order = await ex.fetchClosedOrder(created.id, S);
    // 5999.5 / 59990.5 rounded down to the 0.000001 step
    expect([order.status, order.filled, order.amount]).toEqual(['closed', 0.100007, 0.100007]);
    expect(order.cost).toBeLessThanOrEqual(5999.5);
  });

  it('fetchOrder needs acknowledged on unified accounts; open, closed and by-orderLinkId lookups work', async () => {
    const errors = await ccxtErrors();
    const order = await ex.createOrder(S, 'limit', 'sell', 0.1, 61000, {clientOrderId: 'bybitrest1'});
    await expect(ex.fetchOrder(order.id, S)).rejects.toBeInstanceOf(errors.ArgumentsRequired);
    const acknowledged = await ex.fetchOrder(order.id, S, {acknowledged: true});
    expect([acknowledged.id, acknowledged.status, acknowledged.clientOrderId, acknowledged.price]).toEqual([order.id, 'open', 'bybitrest1', 61000]);
    expect((await ex.fetchOpenOrder(order.id, S)).status).toBe('open');
    await expect(ex.fetchClosedOrder(order.id, S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    const byLink = await ex.fetchOpenOrders(S, undefined, undefined, {orderLinkId: 'bybitrest1'});
    expect(byLink.map((o: any) => o.id)).toEqual([order.id]);
    expect(loop.requests('bybit').at(-1)!.query).toMatchObject({category: 'spot', orderLinkId: 'bybitrest1'});
    expect((await ex.fetchOpenOrders(S)).map((o: any) => o.id)).toEqual([order.id]);
    const balance = await ex.fetchBalance();
    expect([balance.BTC.free, balance.BTC.used, balance.BTC.total]).toEqual([0.9, 0.1, 1]);

    await ex.cancelOrder(undefined, S, {orderLinkId: 'bybitrest1'});
    const canceled = await ex.fetchOrder(order.id, S, {acknowledged: true});
    expect(canceled.status).toBe('canceled');
    // order/realtime with an orderId answers any of the last 500 orders: ccxt's fetchOpenOrder then returns a closed one
    expect((await ex.fetchOpenOrder(order.id, S)).status).toBe('canceled');
    expect(await ex.fetchOpenOrders(S)).toEqual([]);
    const history = await ex.fetchCanceledOrders(S, undefined, undefined, {orderLinkId: 'bybitrest1'});
    expect(history.map((o: any) => [o.id, o.status])).toEqual([[order.id, 'canceled']]);
    expect((await ex.fetchBalance()).BTC.free).toBe(1);
  });

  it('by orderLinkId: fetchOrder with acknowledged finds any recent order; fetchClosedOrders asks for Filled only', async () => {
    const order = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'bybitgone'});
    await ex.cancelOrder(order.id, S);
    const found = await ex.fetchOrder(undefined, S, {acknowledged: true, orderLinkId: 'bybitgone'});
    expect([found.id, found.status]).toEqual([order.id, 'canceled']);
    expect(loop.requests('bybit').at(-1)!.query).toEqual({symbol: 'BTCUSDT', category: 'spot', orderLinkId: 'bybitgone'});
    expect(await ex.fetchClosedOrders(S, undefined, undefined, {orderLinkId: 'bybitgone'})).toEqual([]);
    const history = await ex.fetchCanceledAndClosedOrders(S, undefined, undefined, {orderLinkId: 'bybitgone'});
    expect(history.map((o: any) => o.id)).toEqual([order.id]);
  });

  it('a resting limit order fills when the book crosses it, as maker, and is found closed by orderLinkId', async () => {
    const order = await ex.createOrder(S, 'limit', 'buy', 0.2, 59000, {clientOrderId: 'bybitmaker'});
    expect((await ex.fetchOpenOrder(order.id, S)).status).toBe('open');
    loop.state('bybit').setBook(S, {bids: [[58990, 1]], asks: [[58999, 1]]});
    const closed = await ex.fetchClosedOrders(S, undefined, undefined, {orderLinkId: 'bybitmaker'});
    expect(closed.map((o: any) => [o.id, o.status, o.filled, o.average])).toEqual([[order.id, 'closed', 0.2, 59000]]);
    const [trade] = await ex.fetchMyTrades(S);
    expect([trade.takerOrMaker, trade.price, trade.amount, trade.fee.cost, trade.fee.currency]).toEqual(['maker', 59000, 0.2, 0.0002, 'BTC']);
    expect((await ex.fetchBalance()).USDT.total).toBe(48200);
  });

  it('refuses like bybit: 170131, 170141, 170213, 10006, 10003/10004', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'limit', 'buy', 2, 59000, {clientOrderId: 'bybitbig'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    expect(creates().length).toBe(1);
    await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'bybitdup'});
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'bybitdup'})).rejects.toBeInstanceOf(errors.InvalidOrder);
    await expect(ex.cancelOrder('1970000000000000999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.fetchOrder('1970000000000000999', S, {acknowledged: true})).rejects.toBeInstanceOf(errors.OrderNotFound);
    loop.fault('bybit', 'GET /v5/account/wallet-balance', {kind: 'rateLimit'});
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(errors.RateLimitExceeded);
    const wrongSecret = await connect(loop, 'bybit', {...KEYS, secret: 'not-the-secret'});
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    const wrongKey = await connect(loop, 'bybit', {apiKey: 'someone-else', secret: KEYS.secret});
    await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    expect(account().orders.map((o) => o.clientOrderId)).toEqual(['bybitdup']);
  });

  it('a lost answer after bybit accepted: one create request, the order is found by orderLinkId', async () => {
    const errors = await ccxtErrors();
    loop.fault('bybit', 'POST /v5/order/create', {kind: 'answerLost'});
    await expect(ex.createOrder(S, 'market', 'sell', 0.1, undefined, {clientOrderId: 'bybitlost'})).rejects.toBeInstanceOf(errors.NetworkError);
    expect(creates().map((r) => r.fault)).toEqual(['answerLost']);
    const [found] = await ex.fetchClosedOrders(S, undefined, undefined, {orderLinkId: 'bybitlost'});
    expect([found.id, found.status, found.filled, found.clientOrderId]).toEqual([account().orders[0]!.id, 'closed', 0.1, 'bybitlost']);
    expect(account().orders).toHaveLength(1);
  });

  it('a timed-out request that was applied still leaves exactly one order', async () => {
    const errors = await ccxtErrors();
    const slow = await connect(loop, 'bybit', {...KEYS, timeout: 300});
    await slow.loadMarkets();
    loop.fault('bybit', 'POST /v5/order/create', {kind: 'timeout', apply: true});
    await expect(slow.createOrder(S, 'limit', 'buy', 0.01, 58000, {clientOrderId: 'bybitslow'})).rejects.toBeInstanceOf(errors.RequestTimeout);
    const open = await slow.fetchOpenOrders(S, undefined, undefined, {orderLinkId: 'bybitslow'});
    expect(open.map((o: any) => o.clientOrderId)).toEqual(['bybitslow']);
  });
});
