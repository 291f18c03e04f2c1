/**
 * The coinbase Advanced Trade dialect driven by the unmodified ccxt coinbase
 * class. From coinbaseVenue(): BTC/USD (BTC-USD) asks 60005.5 x 0.4, 60006 x
 * 0.6, ...; bids 60004.5 x 0.4, 60004 x 0.6, ...; taker 0.6%, maker 0.4%,
 * fees in quote; account BTC 1, ETH 10, USD 50000, USDT 20000.
 */
import {generateKeyPairSync} from 'node:crypto';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {coinbaseVenue, startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USD';
const KEYS = TEST_ACCOUNTS.coinbase;
const ORDERS = '/api/v3/brokerage/orders';
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback({scenario: {venues: {coinbase: coinbaseVenue()}}});
  ex = await connect(loop, 'coinbase', KEYS);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

const account = () => loop.state('coinbase').account(KEYS.apiKey);
const creates = () => loop.requests('coinbase').filter((r) => r.method === 'POST' && r.path === ORDERS);

describe('coinbase dialect with ccxt coinbase', () => {
  it('serves products, the v2 currency calls and, with keys, the fee tier', () => {
    const m = ex.market(S);
    expect(m.id).toBe('BTC-USD');
    expect(m.precision).toMatchObject({amount: 1e-8, price: 0.01});
    expect(m.limits.cost.min).toBe(1);
    expect([m.taker, m.maker]).toEqual([0.006, 0.004]);
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USD', 'BTC/USDT', 'ETH/BTC', 'ETH/USD']);
    expect(ex.currencies.USD.type).toBe('fiat');
    expect(ex.currencies.BTC.type).toBe('crypto');
    const paths = new Set(loop.requests('coinbase').map((r) => r.path));
    for (const p of ['/v2/currencies', '/v2/currencies/crypto', '/v2/exchange-rates', '/api/v3/brokerage/market/products', '/api/v3/brokerage/transaction_summary']) expect(paths).toContain(p);
  });

  it('without keys: markets, ticker with best bid/ask, tickers and the book are public; best_bid_ask needs auth', async () => {
    const errors = await ccxtErrors();
    const keyless = await connect(loop, 'coinbase');
    await keyless.loadMarkets();
    const ticker = await keyless.fetchTicker(S);
    expect([ticker.bid, ticker.ask]).toEqual([60004.5, 60005.5]);
    const tickers = await keyless.fetchTickers([S, 'ETH/USD']);
    // the products list carries a price and the mid, not the best bid and ask
    expect([tickers[S].last, tickers[S].info.mid_market_price, tickers[S].bid]).toEqual([60005, '60005', undefined]);
    const book = await keyless.fetchOrderBook(S, 2);
    expect(book.bids).toEqual([
      [60004.5, 0.4],
      [60004, 0.6],
    ]);
    expect(book.asks[0]).toEqual([60005.5, 0.4]);
    await expect(keyless.fetchBidsAsks([S])).rejects.toBeInstanceOf(errors.AuthenticationError);
    const quotes = await ex.fetchBidsAsks([S, 'ETH/USD']);
    expect([quotes[S].bid, quotes[S].bidVolume, quotes[S].ask, quotes[S].askVolume]).toEqual([60004.5, 0.4, 60005.5, 0.4]);
    const [bba] = loop.requests('coinbase').filter((r) => r.path === '/api/v3/brokerage/best_bid_ask').slice(-1);
    expect(bba!.headers['cb-access-sign']).toBe('<redacted>');
  });

  it('a market sell by base size with our client_order_id; the v2 balance and fills follow', async () => {
    const created = await ex.createOrder(S, 'market', 'sell', 0.5, undefined, {client_order_id: 'cbintent1'});
    expect(created.clientOrderId).toBe('cbintent1');
    const [sent] = creates();
    expect(sent!.params).toMatchObject({client_order_id: 'cbintent1', product_id: 'BTC-USD', side: 'SELL', order_configuration: {market_market_ioc: {base_size: '0.5'}}});
    const order = await ex.fetchOrder(created.id, S);
    expect(order).toMatchObject({status: 'closed', filled: 0.5, clientOrderId: 'cbintent1', type: 'market'});
    // ccxt keeps coinbase's order fee cost as a string (as in its own recorded responses)
    expect(order.fee).toEqual({cost: '180.0132', currency: 'USD'});
    // 0.4 @ 60004.5 + 0.1 @ 60004 = 30002.2, less 0.6%
    const v2 = await ex.fetchBalance();
    expect([v2.BTC.total, v2.USD.total]).toEqual([0.5, 79822.1868]);
    const trades = await ex.fetchMyTrades(S);
    expect(trades.map((t: any) => [t.price, t.amount, t.takerOrMaker, t.side]).sort()).toEqual([
      [60004, 0.1, 'taker', 'sell'],
      [60004.5, 0.4, 'taker', 'sell'],
    ]);
  });

  it('a market buy spends quote_size including the fee', async () => {
    // ccxt sizes coinbase market buys in quote: amount x price
    await ex.createOrder(S, 'market', 'buy', 0.5, 60010, {client_order_id: 'cbbuy1'});
    const [sent] = creates();
    expect(sent!.params).toMatchObject({client_order_id: 'cbbuy1', order_configuration: {market_market_ioc: {quote_size: '30005'}}});
    const [order] = await ex.fetchClosedOrders(S);
    expect(order.clientOrderId).toBe('cbbuy1');
    const spent = order.info.total_value_after_fees;
    expect(Number(spent)).toBeLessThanOrEqual(30005);
    expect(Number(spent)).toBeGreaterThan(30005 - 60006 * 1e-8 * 1.006);
    expect(order.info.size_in_quote).toBe(true);
    expect((await ex.fetchBalance({v3: true})).USD.free).toBeCloseTo(50000 - Number(spent), 6);
  });

  it('without client_order_id ccxt sends its own, and params.clientOrderId does not replace it', async () => {
    await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'ours'});
    const [sent] = creates();
    expect(String(sent!.params.client_order_id)).toMatch(/^ccxt-/);
    expect(account().orders[0]!.clientOrderId).not.toBe('ours');
  });

  it('limit orders rest with a hold, are listed open, cancel; a resting order fills when the book crosses it', async () => {
    const order = await ex.createOrder(S, 'limit', 'buy', 0.1, 59000, {client_order_id: 'cbrest1'});
    expect((await ex.fetchOrder(order.id, S)).status).toBe('open');
    const open = await ex.fetchOpenOrders(S);
    expect(open.map((o: any) => [o.id, o.clientOrderId, o.price, o.amount])).toEqual([[order.id, 'cbrest1', 59000, 0.1]]);
    const v3 = await ex.fetchBalance({v3: true});
    expect([v3.USD.free, v3.USD.used]).toEqual([44076.4, 5923.6]); // 5900 + 0.4% maker fee held
    await ex.cancelOrder(order.id, S);
    expect((await ex.fetchOrder(order.id, S)).status).toBe('canceled');
    expect((await ex.fetchBalance({v3: true})).USD.free).toBe(50000);

    const maker = await ex.createOrder(S, 'limit', 'sell', 0.2, 60100, {client_order_id: 'cbmaker'});
    loop.state('coinbase').setBook(S, {bids: [[60150, 1]], asks: [[60160, 1]]});
    const [closed] = await ex.fetchClosedOrders(S);
    expect([closed.id, closed.clientOrderId, closed.status, closed.filled]).toEqual([maker.id, 'cbmaker', 'closed', 0.2]);
    const [trade] = await ex.fetchMyTrades(S);
    expect([trade.takerOrMaker, trade.price, trade.fee.cost, trade.fee.currency]).toEqual(['maker', 60100, 48.08, 'USD']);
  });

  it('closed orders are FILLED ones; fetchOrders lists every status with its client_order_id', async () => {
    const order = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {client_order_id: 'cbgone'});
    await ex.cancelOrder(order.id, S);
    expect(await ex.fetchClosedOrders(S)).toEqual([]);
    expect((await ex.fetchCanceledOrders(S)).map((o: any) => o.clientOrderId)).toEqual(['cbgone']);
    const all = await ex.fetchOrders(S);
    expect(all.map((o: any) => [o.id, o.clientOrderId, o.status])).toEqual([[order.id, 'cbgone', 'canceled']]);
    expect(loop.requests('coinbase').at(-1)!.query).toEqual({product_id: 'BTC-USD', limit: '100'});
  });

  it('a used client_order_id creates nothing and answers the order it names', async () => {
    const first = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {client_order_id: 'cbdup'});
    const again = await ex.createOrder(S, 'limit', 'buy', 0.02, 51000, {client_order_id: 'cbdup'});
    expect(again.id).toBe(first.id);
    expect(account().orders).toHaveLength(1);
  });

  it('refuses like coinbase: insufficient funds, unknown orders, rate limit, wrong secret', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'limit', 'buy', 1, 60000, {client_order_id: 'cbbig'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    // coinbase answers 404 NOT_FOUND; ccxt raises it as a plain ExchangeError, not OrderNotFound
    const unknown = await ex.fetchOrder('00000000-0000-4000-8000-000000000000', S).catch((e: Error) => e);
    expect(unknown).toBeInstanceOf(errors.ExchangeError);
    expect(unknown).not.toBeInstanceOf(errors.OrderNotFound);
    expect(loop.requests('coinbase').at(-1)!.path).toBe('/api/v3/brokerage/orders/historical/00000000-0000-4000-8000-000000000000');
    await expect(ex.cancelOrder('00000000-0000-4000-8000-000000000000', S)).rejects.toBeInstanceOf(errors.BadRequest);
    loop.fault('coinbase', '/api/v3/brokerage/accounts', {kind: 'rateLimit'});
    await expect(ex.fetchBalance({v3: true})).rejects.toBeInstanceOf(errors.RateLimitExceeded);
    const wrong = await connect(loop, 'coinbase', {...KEYS, secret: 'not-the-secret'});
    await expect(wrong.fetchBalance({v3: true})).rejects.toBeInstanceOf(errors.AuthenticationError);
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    expect(account().orders).toHaveLength(0);
  });

  it('accepts CDP keys: an ES256 JWT signed with the PEM key; another key is refused', async () => {
    const errors = await ccxtErrors();
    const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({type: 'sec1', format: 'pem'}).toString();
    const mine = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey;
    const other = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey;
    const name = 'organizations/loopback/apiKeys/cdp-1';
    loop.state('coinbase').addAccount({apiKey: name, secret: pem(mine), balances: {USD: '123'}});
    const cdp = await connect(loop, 'coinbase', {apiKey: name, secret: pem(mine)});
    expect((await cdp.fetchBalance({v3: true})).USD.free).toBe(123);
    expect(loop.requests('coinbase').at(-1)!.headers.authorization).toBe('<redacted>');
    const forged = await connect(loop, 'coinbase', {apiKey: name, secret: pem(other)});
    await expect(forged.fetchBalance({v3: true})).rejects.toBeInstanceOf(errors.AuthenticationError);
  });

  it('a lost answer after coinbase accepted: one create request, the order is found by client_order_id', async () => {
    const errors = await ccxtErrors();
    loop.fault('coinbase', `POST ${ORDERS}`, {kind: 'answerLost'});
    await expect(ex.createOrder(S, 'limit', 'buy', 0.05, 59500, {client_order_id: 'cblost'})).rejects.toBeInstanceOf(errors.NetworkError);
    expect(creates()).toHaveLength(1);
    expect(creates()[0]!.fault).toBe('answerLost');
    const open = await ex.fetchOpenOrders(S);
    const found = open.filter((o: any) => o.clientOrderId === 'cblost');
    expect(found.map((o: any) => [o.id, o.status])).toEqual([[account().orders[0]!.id, 'open']]);
  });

  it('server faults reach ccxt as its network error classes', async () => {
    const errors = await ccxtErrors();
    loop.fault('coinbase', '/api/v3/brokerage/market/product_book', {kind: 'serverError', status: 503});
    await expect(ex.fetchOrderBook(S)).rejects.toBeInstanceOf(errors.NetworkError);
    loop.fault('coinbase', '/api/v3/brokerage/market/product_book', {kind: 'latency', ms: 150});
    const started = Date.now();
    await ex.fetchOrderBook(S);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});
