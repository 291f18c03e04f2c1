/**
 * The kraken dialect driven by the unmodified ccxt kraken class. From the
 * default scenario: BTC/USD (XXBTZUSD) asks 60010.5 x 0.4, 60011 x 0.6, ...;
 * bids 60009.5 x 0.4, ...; taker 0.26%, maker 0.16%, fees in USD; account
 * BTC 1.5, USD 50000.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USD';
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback();
  ex = await connect(loop, 'kraken', TEST_ACCOUNTS.kraken);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

describe('kraken dialect with ccxt kraken', () => {
  it('XBT-named pairs and assets come out of ccxt as BTC', () => {
    const m = ex.market(S);
    expect(m.id).toBe('XXBTZUSD');
    expect(m.info.altname).toBe('XBTUSD');
    expect([m.base, m.quote]).toEqual(['BTC', 'USD']);
    expect(m.precision).toMatchObject({amount: 1e-8, price: 0.1});
    expect(m.limits.amount.min).toBe(0.0001);
    expect([m.taker, m.maker]).toEqual([0.0026, 0.0016]);
    expect(ex.market('BTC/USDT').id).toBe('XBTUSDT');
    expect(ex.currencies.BTC.id).toBe('XXBT');
  });

  it('answers time, status, tickers and the order book', async () => {
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect((await ex.fetchStatus()).status).toBe('ok');
    const tickers = await ex.fetchTickers([S, 'ETH/USD']);
    expect([tickers[S].bid, tickers[S].ask, tickers[S].askVolume]).toEqual([60009.5, 60010.5, 0.4]);
    expect(tickers['ETH/USD'].bid).toBe(3000.95);
    const book = await ex.fetchOrderBook(S, 2);
    expect(book.bids.map((l: number[]) => l.slice(0, 2))).toEqual([[60009.5, 0.4], [60009, 0.6]]);
    expect(book.asks.map((l: number[]) => l.slice(0, 2))).toEqual([[60010.5, 0.4], [60011, 0.6]]);
  });

  it('a market buy fills by walking the book; the order carries our cl_ord_id; fees are in USD', async () => {
    const created = await ex.createOrder(S, 'market', 'buy', 0.5, undefined, {clientOrderId: 'k-intent-1'});
    expect(created.id).toMatch(/^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/);
    const sent = loop.requests('kraken').filter((r) => r.path === '/0/private/AddOrder');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params).toMatchObject({cl_ord_id: 'k-intent-1', pair: 'XXBTZUSD', volume: '0.5'});
    const order = await ex.fetchOrder(created.id);
    expect(order).toMatchObject({clientOrderId: 'k-intent-1', status: 'closed', filled: 0.5, cost: 30005.3, symbol: S});
    expect(order.fee.currency).toBe('USD');
    expect(Number(order.fee.cost)).toBe(78.01378); // ccxt's kraken leaves this one a string
    const balance = await ex.fetchBalance();
    expect(balance.BTC.total).toBe(2);
    expect(balance.USD.total).toBe(19916.68622);
    const trades = await ex.fetchMyTrades(S);
    expect(trades.map((t: any) => [t.price, t.amount, t.fee.cost, t.order]).sort()).toEqual([
      [60010.5, 0.4, 62.41092, created.id],
      [60011, 0.1, 15.60286, created.id],
    ]);
  });

  it('finds orders by client id through the cl_ord_id filter of open and closed orders; cancels by id and by client id', async () => {
    const a = await ex.createOrder(S, 'limit', 'sell', 0.1, 70000, {clientOrderId: 'k-rest-a'});
    await ex.createOrder(S, 'limit', 'sell', 0.2, 71000, {clientOrderId: 'k-rest-b'});
    expect((await ex.fetchBalance()).BTC).toMatchObject({free: 1.2, used: 0.3});
    const open = await ex.fetchOpenOrders(S, undefined, undefined, {clientOrderId: 'k-rest-a'});
    expect(open.map((o: any) => [o.id, o.status, o.price])).toEqual([[a.id, 'open', 70000]]);
    await ex.cancelOrder(a.id, S);
    await ex.cancelOrder(undefined, S, {clientOrderId: 'k-rest-b'});
    expect(await ex.fetchOpenOrders(S)).toEqual([]);
    const closed = await ex.fetchClosedOrders(S, undefined, undefined, {clientOrderId: 'k-rest-a'});
    expect(closed.map((o: any) => [o.id, o.status])).toEqual([[a.id, 'canceled']]);
    expect((await ex.fetchBalance()).BTC).toMatchObject({free: 1.5, used: 0});
  });

  it('a resting buy holds cost plus maker fee and fills as maker when the book moves through it', async () => {
    const order = await ex.createOrder(S, 'limit', 'buy', 0.1, 59000, {clientOrderId: 'k-maker'});
    expect((await ex.fetchBalance()).USD).toMatchObject({free: 44090.56, used: 5909.44});
    loop.state('kraken').setBook(S, {bids: [[58980, 1]], asks: [[58990, 1]]});
    const done = await ex.fetchOrder(order.id);
    expect(done).toMatchObject({status: 'closed', filled: 0.1, average: 59000});
    const balance = await ex.fetchBalance();
    expect(balance.USD).toMatchObject({free: 44090.56, used: 0});
    expect(balance.BTC.total).toBe(1.6);
  });

  it('refuses like kraken: insufficient funds, unknown orders, a wrong secret', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'market', 'buy', 10, undefined, {clientOrderId: 'k-big'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    await expect(ex.fetchOrder('OAAAAA-AAAAA-AAAAAA')).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.cancelOrder('OAAAAA-AAAAA-AAAAAA')).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.createOrder(S, 'limit', 'buy', 0.00001, 50000, {clientOrderId: 'k-tiny'})).rejects.toBeInstanceOf(errors.InvalidOrder);
    const wrong = await connect(loop, 'kraken', {...TEST_ACCOUNTS.kraken, secret: Buffer.from('someone else').toString('base64')});
    await expect(wrong.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
  });

  it('serves deposit methods and addresses, withdrawals by key, and transfer history', async () => {
    expect((await ex.fetchDepositAddress('USDT', {network: 'ERC20'})).address).toBe('0xc1a0000000000000000000000000000000000002');
    expect((await ex.fetchDepositAddress('BTC')).address).toBe('bc1qloopbackkrakenbtc00000000000000000');
    const errors = await ccxtErrors();
    await expect(ex.withdraw('BTC', 0.01, 'bc1qelsewhere', undefined, {key: 'nope'})).rejects.toBeInstanceOf(errors.InvalidAddress);
    const withdrawal = await ex.withdraw('BTC', 0.01, 'bc1qloopbackbinancebtc0000000000000000', undefined, {key: 'my-btc'});
    const [listed] = await ex.fetchWithdrawals('BTC');
    expect(listed).toMatchObject({id: withdrawal.id, amount: 0.01, status: 'ok', network: 'BTC', fee: {currency: 'BTC', cost: 0.0002}});
    expect((await ex.fetchBalance()).BTC.total).toBe(1.49);
    const arrived = loop.state('binance').account(TEST_ACCOUNTS.binance.apiKey).deposits;
    expect(arrived.map((d) => d.amount)).toEqual(['0.0098']);
    loop.state('kraken').deposit(TEST_ACCOUNTS.kraken.apiKey, {asset: 'USD', amount: '100'});
    expect((await ex.fetchDeposits('USD')).map((d: any) => [d.currency, d.amount, d.status])).toEqual([['USD', 100, 'ok']]);
  });
});
