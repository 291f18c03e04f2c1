/**
 * The binance dialect driven by the unmodified ccxt binance class. Expected
 * values are computed by hand from the default scenario: BTC/USDT asks
 * 60000.5 x 0.5, 60001 x 0.75, ...; bids 59999.5 x 0.5, 59999 x 0.75, ...;
 * fees 0.1% taken from the asset received; account BTC 2, USDT 100000.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USDT';
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback();
  ex = await connect(loop, 'binance', TEST_ACCOUNTS.binance);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

const account = () => loop.state('binance').account(TEST_ACCOUNTS.binance.apiKey);

describe('binance dialect with ccxt binance', () => {
  it('serves spot markets with steps and minimums, and currencies with networks', () => {
    const m = ex.market(S);
    expect(m.id).toBe('BTCUSDT');
    expect(m.spot).toBe(true);
    expect(m.precision).toMatchObject({amount: 0.00001, price: 0.01});
    expect(m.limits.amount.min).toBe(0.00001);
    expect(m.limits.cost.min).toBe(5);
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(Object.keys(ex.currencies.USDT.networks).sort()).toEqual(['ERC20', 'TRC20']);
    // no futures or margin endpoints were needed
    expect(loop.requests('binance').map((r) => r.path)).toEqual(expect.arrayContaining(['/api/v3/exchangeInfo', '/sapi/v1/capital/config/getall']));
  });

  it('answers time, status, ticker, bids/asks and the order book from the scenario book', async () => {
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect((await ex.fetchStatus()).status).toBe('ok');
    const ticker = await ex.fetchTicker(S);
    expect([ticker.bid, ticker.bidVolume, ticker.ask, ticker.askVolume]).toEqual([59999.5, 0.5, 60000.5, 0.5]);
    const bidsAsks = await ex.fetchBidsAsks([S, 'ETH/USDT']);
    expect(bidsAsks['ETH/USDT'].ask).toBe(3000.05);
    const book = await ex.fetchOrderBook(S, 3);
    expect(book.bids).toEqual([[59999.5, 0.5], [59999, 0.75], [59998.5, 1]]);
    expect(book.asks[2]).toEqual([60001.5, 1]);
  });

  it('reports balances', async () => {
    const balance = await ex.fetchBalance();
    expect(balance.BTC).toMatchObject({free: 2, used: 0, total: 2});
    expect(balance.USDT.free).toBe(100000);
  });

  it('a market buy walks the book, pays the fee in base, moves balances and the book', async () => {
    const order = await ex.createOrder(S, 'market', 'buy', 0.7, undefined, {clientOrderId: 'intent-1'});
    expect(order.clientOrderId).toBe('intent-1');
    expect(order.status).toBe('closed');
    expect(order.filled).toBe(0.7);
    expect(order.cost).toBe(42000.45); // 0.5 x 60000.5 + 0.2 x 60001
    expect(order.fee).toEqual({currency: 'BTC', cost: 0.0007});
    const sent = loop.requests('binance').filter((r) => r.method === 'POST' && r.path === '/api/v3/order');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params.newClientOrderId).toBe('intent-1');
    const balance = await ex.fetchBalance();
    expect(balance.BTC.free).toBe(2.6993);
    expect(balance.USDT.free).toBe(57999.55);
    expect((await ex.fetchOrderBook(S, 1)).asks[0]).toEqual([60001, 0.55]);
    const trades = await ex.fetchMyTrades(S);
    expect(trades.map((t: any) => [t.price, t.amount, t.takerOrMaker, t.order])).toEqual([
      [60000.5, 0.5, 'taker', order.id],
      [60001, 0.2, 'taker', order.id],
    ]);
  });

  it('a limit order rests and locks funds; it is found by id and by client id; cancel releases it', async () => {
    const order = await ex.createOrder(S, 'limit', 'buy', 0.1, 50000, {clientOrderId: 'rest-1'});
    expect(order.status).toBe('open');
    expect((await ex.fetchBalance()).USDT).toMatchObject({free: 95000, used: 5000});
    expect((await ex.fetchOrder(order.id, S)).clientOrderId).toBe('rest-1');
    expect((await ex.fetchOrder(undefined, S, {clientOrderId: 'rest-1'})).id).toBe(order.id);
    expect((await ex.fetchOpenOrders(S)).map((o: any) => o.id)).toEqual([order.id]);
    const canceled = await ex.cancelOrder(order.id, S);
    expect(canceled.status).toBe('canceled');
    expect((await ex.fetchBalance()).USDT).toMatchObject({free: 100000, used: 0});
    expect(await ex.fetchOpenOrders(S)).toEqual([]);
  });

  it('a resting order fills as maker when the book moves through it; closed orders list it', async () => {
    const order = await ex.createOrder(S, 'limit', 'sell', 0.2, 61000, {clientOrderId: 'maker-1'});
    loop.state('binance').setBook(S, {bids: [[61010, 1]], asks: [[61020, 1]]});
    const done = await ex.fetchOrder(order.id, S);
    expect(done.status).toBe('closed');
    expect(done.average).toBe(61000);
    const closed = await ex.fetchClosedOrders(S);
    expect(closed.map((o: any) => o.clientOrderId)).toEqual(['maker-1']);
    const [trade] = await ex.fetchMyTrades(S);
    expect(trade.takerOrMaker).toBe('maker');
    expect(trade.fee).toEqual({currency: 'USDT', cost: 12.2}); // 0.2 x 61000 x 0.1%
    const balance = await ex.fetchBalance();
    expect(balance.BTC).toMatchObject({free: 1.8, used: 0});
    expect(balance.USDT.free).toBe(112187.8);
    expect(loop.state('binance').book(S).bids[0]).toEqual([61010, 0.8]);
  });

  it('refuses what a real binance refuses, with the error ccxt maps', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'market', 'buy', 5, undefined, {clientOrderId: 'too-big'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    expect(account().orders).toHaveLength(0);
    await expect(ex.fetchOrder('999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.cancelOrder('999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await ex.createOrder(S, 'limit', 'buy', 0.001, 50000, {clientOrderId: 'dup'});
    await expect(ex.createOrder(S, 'limit', 'buy', 0.001, 50000, {clientOrderId: 'dup'})).rejects.toBeInstanceOf(errors.ExchangeError);
    await expect(ex.createOrder(S, 'limit', 'buy', 0.00001, 50000, {clientOrderId: 'tiny'})).rejects.toBeInstanceOf(errors.BadRequest); // NOTIONAL
  });

  it('a wrong secret or an unknown key gets binance auth errors (AuthenticationError)', async () => {
    const errors = await ccxtErrors();
    const wrongSecret = await connect(loop, 'binance', {...TEST_ACCOUNTS.binance, secret: 'not-the-secret'});
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    const wrongKey = await connect(loop, 'binance', {apiKey: 'nobody', secret: 'x', options: {fetchCurrencies: false}});
    await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
  });

  it('serves withdrawal fees, deposit addresses, withdrawals and deposits; a withdrawal to a sibling venue arrives there', async () => {
    const fees = await ex.fetchDepositWithdrawFees(['BTC', 'USDT']);
    expect(fees.USDT.networks.TRC20.withdraw.fee).toBe(1);
    expect(fees.BTC.withdraw.fee).toBe(0.0002);
    const address = await ex.fetchDepositAddress('USDT', {network: 'TRC20'});
    expect(address.address).toBe('TLoopbackBinanceTrc20Address000001');
    const withdrawal = await ex.withdraw('BTC', 0.01, 'bc1qloopbackkrakenbtc00000000000000000', undefined, {network: 'BTC'});
    expect(withdrawal.id).toBeDefined();
    const [listed] = await ex.fetchWithdrawals('BTC');
    expect(listed).toMatchObject({id: withdrawal.id, amount: 0.01, status: 'ok', network: 'BTC', fee: {currency: 'BTC', cost: 0.0002}});
    expect((await ex.fetchBalance()).BTC.free).toBe(1.99);
    const arrived = loop.state('kraken').account(TEST_ACCOUNTS.kraken.apiKey).deposits;
    expect(arrived.map((d) => [d.asset, d.amount])).toEqual([['BTC', '0.0098']]);
    loop.state('binance').deposit(TEST_ACCOUNTS.binance.apiKey, {asset: 'USDT', amount: '250', network: 'TRC20'});
    const deposits = await ex.fetchDeposits('USDT');
    expect(deposits.map((d: any) => [d.amount, d.status, d.network])).toEqual([[250, 'ok', 'TRC20']]);
    await expect(ex.withdraw('BTC', 0.0001, 'bc1qsomewhere', undefined, {network: 'BTC'})).rejects.toThrow(/minimum/);
  });
});
