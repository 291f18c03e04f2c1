/**
 * The okx dialect driven by the unmodified ccxt okx class. From the default
 * scenario: BTC/USDT (BTC-USDT) asks 59995.5 x 0.6, 59996 x 0.9, ...; bids
 * 59994.5 x 0.6, ...; taker 0.15%, maker 0.1%, fees in the asset received;
 * account BTC 1, USDT 80000, passphrase required.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USDT';
const KEYS = {apiKey: TEST_ACCOUNTS.okx.apiKey, secret: TEST_ACCOUNTS.okx.secret, password: TEST_ACCOUNTS.okx.passphrase};
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback();
  ex = await connect(loop, 'okx', KEYS);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

describe('okx dialect with ccxt okx', () => {
  it('serves spot instruments and, with keys, currencies with chains', () => {
    const m = ex.market(S);
    expect(m.id).toBe('BTC-USDT');
    expect(m.precision).toMatchObject({amount: 1e-8, price: 0.1});
    expect(m.limits.amount.min).toBe(0.00001);
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(Object.keys(ex.currencies.USDT.networks).sort()).toEqual(['ERC20', 'TRC20']);
  });

  it('answers time, status, tickers and the order book', async () => {
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect((await ex.fetchStatus()).status).toBe('ok');
    const ticker = await ex.fetchTicker(S);
    expect([ticker.bid, ticker.bidVolume, ticker.ask, ticker.askVolume]).toEqual([59994.5, 0.6, 59995.5, 0.6]);
    const tickers = await ex.fetchTickers();
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const book = await ex.fetchOrderBook(S, 2);
    expect(book.bids.map((l: number[]) => l.slice(0, 2))).toEqual([[59994.5, 0.6], [59994, 0.9]]);
  });

  it('a market buy walks the book with our clOrdId; balances and trades follow', async () => {
    const created = await ex.createOrder(S, 'market', 'buy', 0.7, undefined, {clientOrderId: 'okxintent1'});
    expect(created.clientOrderId).toBe('okxintent1');
    const [sent] = loop.requests('okx').filter((r) => r.method === 'POST' && r.path.startsWith('/api/v5/trade/'));
    expect((sent!.params.batch as any[])[0]).toMatchObject({clOrdId: 'okxintent1', instId: 'BTC-USDT', sz: '0.7', tdMode: 'cash'});
    expect(sent!.headers['ok-access-passphrase']).toBe('<redacted>');
    const order = await ex.fetchOrder(created.id, S);
    expect(order).toMatchObject({status: 'closed', filled: 0.7, average: 59995.57142857143});
    expect(order.fee).toEqual({currency: 'BTC', cost: 0.00105});
    const balance = await ex.fetchBalance();
    expect(balance.BTC.free).toBe(1.69895);
    expect(balance.USDT.free).toBe(38003.1);
    const trades = await ex.fetchMyTrades(S);
    expect(trades.map((t: any) => [t.price, t.amount, t.takerOrMaker]).sort()).toEqual([
      [59995.5, 0.6, 'taker'],
      [59996, 0.1, 'taker'],
    ]);
  });

  it('limit orders rest, are found by clOrdId, cancel, and show in closed history', async () => {
    const order = await ex.createOrder(S, 'limit', 'sell', 0.1, 70000, {clientOrderId: 'okxrest1'});
    expect((await ex.fetchOrder(undefined, S, {clientOrderId: 'okxrest1'})).id).toBe(order.id);
    expect((await ex.fetchOpenOrders(S)).map((o: any) => [o.id, o.status])).toEqual([[order.id, 'open']]);
    expect((await ex.fetchBalance()).BTC).toMatchObject({free: 0.9, used: 0.1});
    expect((await ex.cancelOrder(undefined, S, {clientOrderId: 'okxrest1'})).id).toBe(order.id);
    expect((await ex.fetchOrder(order.id, S)).status).toBe('canceled');
    loop.state('okx').setBook(S, {bids: [[50000, 1]], asks: [[50001, 1]]});
    const maker = await ex.createOrder(S, 'limit', 'buy', 0.1, 50000.5, {clientOrderId: 'okxmaker'});
    expect(maker.status === undefined || maker.status === 'open').toBe(true);
    loop.state('okx').setBook(S, {bids: [[49990, 1]], asks: [[50000, 1]]});
    const closed = await ex.fetchClosedOrders(S);
    expect(closed.map((o: any) => [o.clientOrderId, o.status])).toEqual([['okxmaker', 'closed']]);
    const [trade] = await ex.fetchMyTrades(S);
    expect([trade.takerOrMaker, trade.price, trade.fee.cost]).toEqual(['maker', 50000.5, 0.0001]);
  });

  it('refuses like okx: insufficient balance, unknown orders, wrong secret or passphrase', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'market', 'buy', 5, undefined, {clientOrderId: 'okxbig'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    await expect(ex.fetchOrder('123', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.cancelOrder('123', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'okxdup'});
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'okxdup'})).rejects.toBeInstanceOf(errors.InvalidOrder);
    const wrongSecret = await connect(loop, 'okx', {...KEYS, secret: 'other'});
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    const wrongPass = await connect(loop, 'okx', {...KEYS, password: 'other'});
    await expect(wrongPass.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
  });

  it('serves fees, deposit addresses by chain, withdrawals (fee on top) and history', async () => {
    const fees = await ex.fetchDepositWithdrawFees(['USDT']);
    expect(fees.USDT.networks.ERC20.withdraw.fee).toBe(5);
    const address = await ex.fetchDepositAddress('USDT', {network: 'TRC20'});
    expect([address.address, address.network]).toEqual(['TLoopbackOkxTrc20Address00000000003', 'TRC20']);
    const withdrawal = await ex.withdraw('USDT', 100, '0xb1a0000000000000000000000000000000000001', undefined, {network: 'ERC20'});
    const [listed] = await ex.fetchWithdrawals('USDT');
    expect(listed).toMatchObject({id: withdrawal.id, amount: 100, status: 'ok', network: 'ERC20', fee: {currency: 'USDT', cost: 5}});
    expect((await ex.fetchBalance()).USDT.free).toBe(79895);
    expect(loop.state('binance').account(TEST_ACCOUNTS.binance.apiKey).deposits.map((d) => d.amount)).toEqual(['100']);
    loop.state('okx').deposit(KEYS.apiKey, {asset: 'BTC', amount: '0.5'});
    expect((await ex.fetchDeposits('BTC')).map((d: any) => [d.amount, d.status, d.network])).toEqual([[0.5, 'ok', 'BTC']]);
  });
});
