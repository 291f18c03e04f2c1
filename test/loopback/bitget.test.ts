/**
 * The bitget dialect driven by the unmodified ccxt bitget class. From
 * bitgetVenue(): BTC/USDT (BTCUSDT) asks 60003.5 x 0.4, 60004 x 0.6, ...;
 * bids 60002.5 x 0.4, 60002 x 0.6, ...; taker and maker 0.1%, fees in the
 * asset received; account BTC 1.2, USDT 70000, passphrase required; prices in
 * 2 decimals, amounts in 6, at least 1 USDT per order.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {bitgetVenue, defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USDT';
const KEYS = {apiKey: TEST_ACCOUNTS.bitget.apiKey, secret: TEST_ACCOUNTS.bitget.secret, password: TEST_ACCOUNTS.bitget.passphrase};
const PLACE = '/api/v2/spot/trade/place-order';
/** bitget, and binance to receive a withdrawal. */
const scenario = (): LoopbackScenario => ({venues: {binance: defaultScenario().venues.binance!, bitget: bitgetVenue()}});
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback({scenario: scenario()});
  ex = await connect(loop, 'bitget', KEYS);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

const placed = () => loop.requests('bitget').filter((r) => r.method === 'POST' && r.path === PLACE);

describe('bitget dialect with ccxt bitget', () => {
  it('serves spot symbols with decimal precisions and currencies with chains', () => {
    const m = ex.market(S);
    expect([m.id, m.spot, m.active]).toEqual(['BTCUSDT', true, true]);
    expect(m.precision).toEqual({amount: 0.000001, price: 0.01});
    expect([m.limits.amount.min, m.limits.cost.min, m.taker, m.maker]).toEqual([0.000001, 1, 0.001, 0.001]);
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(Object.keys(ex.currencies.USDT.networks).sort()).toEqual(['ERC20', 'TRC20']);
    expect(ex.currencies.USDT.networks.TRC20.fee).toBe(1);
    // spot only: no contract listings asked for, no unified-account probe
    const paths = loop.requests('bitget').map((r) => r.path);
    expect(paths.sort()).toEqual(['/api/v2/margin/currencies', '/api/v2/spot/public/coins', '/api/v2/spot/public/symbols']);
  });

  it('answers tickers with best bid and ask, and the order book', async () => {
    const ticker = await ex.fetchTicker(S);
    expect([ticker.bid, ticker.bidVolume, ticker.ask, ticker.askVolume]).toEqual([60002.5, 0.4, 60003.5, 0.4]);
    const tickers = await ex.fetchTickers();
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect([tickers['ETH/USDT'].bid, tickers['ETH/USDT'].ask]).toEqual([3000.45, 3000.55]);
    const book = await ex.fetchOrderBook(S, 2);
    expect(book.bids).toEqual([[60002.5, 0.4], [60002, 0.6]]);
    expect(book.asks).toEqual([[60003.5, 0.4], [60004, 0.6]]);
  });

  it('places a limit order with our id in clientOid, finds it by id and by clientOid, cancels it', async () => {
    const created = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'xarb-bg-limit-1'});
    expect(created.clientOrderId).toBe('xarb-bg-limit-1');
    const [sent] = placed();
    expect(sent!.params).toMatchObject({symbol: 'BTCUSDT', side: 'buy', orderType: 'limit', price: '50000', size: '0.01', clientOid: 'xarb-bg-limit-1'});
    expect(sent!.headers['access-sign']).toBe('<redacted>');
    expect(sent!.headers['access-passphrase']).toBe('<redacted>');
    expect((await ex.fetchBalance()).USDT).toMatchObject({free: 69500, used: 500, total: 70000});
    const byId = await ex.fetchOrder(created.id, S);
    expect(byId).toMatchObject({id: created.id, clientOrderId: 'xarb-bg-limit-1', status: 'open', price: 50000, amount: 0.01, filled: 0});
    expect((await ex.fetchOrder(undefined, S, {clientOrderId: 'xarb-bg-limit-1'})).id).toBe(created.id);
    const open = await ex.fetchOpenOrders(S);
    expect(open.map((o: any) => [o.id, o.status, o.price, o.amount])).toEqual([[created.id, 'open', 50000, 0.01]]);
    const canceled = await ex.cancelOrder(created.id, S);
    expect(canceled.id).toBe(created.id);
    expect((await ex.fetchOrder(created.id, S)).status).toBe('canceled');
    expect(await ex.fetchOpenOrders(S)).toEqual([]);
    expect((await ex.fetchBalance()).USDT).toMatchObject({free: 70000, used: 0});
  });

  it('takes a market buy as the quote amount to spend (size), and a market sell by base amount', async () => {
    const buy = await ex.createMarketBuyOrderWithCost(S, 1000, {clientOrderId: 'xarb-bg-cost'});
    expect(placed()[0]!.params).toMatchObject({orderType: 'market', side: 'buy', size: '1000', clientOid: 'xarb-bg-cost'});
    // 1000 USDT at 60003.5 buys 0.016665 BTC (amounts in 6 decimals)
    const bought = await ex.fetchOrder(buy.id, S);
    expect(bought).toMatchObject({status: 'closed', type: 'market', side: 'buy', filled: 0.016665, amount: 0.016665, average: 60003.5, cost: 999.9583275});
    expect(bought.info.size).toBe('1000');
    expect(bought.fee).toEqual({currency: 'BTC', cost: 0.000016665});
    // the cost param goes out the same way, cut to the price precision (0.01): 30.009 -> 30
    await ex.createOrder(S, 'market', 'buy', 0.5, undefined, {cost: 30.009, clientOrderId: 'xarb-bg-cost2'});
    expect(placed()[1]!.params).toMatchObject({size: '30', clientOid: 'xarb-bg-cost2'});
    const sell = await ex.createOrder(S, 'market', 'sell', 0.5, undefined, {clientOrderId: 'xarb-bg-sell'});
    expect(placed()[2]!.params).toMatchObject({orderType: 'market', side: 'sell', size: '0.5'});
    const sold = await ex.fetchOrder(sell.id, S);
    // 0.4 at 60002.5 + 0.1 at 60002
    expect(sold).toMatchObject({status: 'closed', filled: 0.5, cost: 30001.2});
    expect(sold.fee).toEqual({currency: 'USDT', cost: 30.0012});
    const closed = await ex.fetchClosedOrders(S);
    expect(closed.map((o: any) => o.clientOrderId).sort()).toEqual(['xarb-bg-cost', 'xarb-bg-cost2', 'xarb-bg-sell']);
    const trades = await ex.fetchMyTrades(S);
    const sellFills = trades.filter((t: any) => t.order === sell.id).map((t: any) => [t.side, t.price, t.amount, t.takerOrMaker, t.fee.currency]);
    expect(sellFills.sort()).toEqual([
      ['sell', 60002, 0.1, 'taker', 'USDT'],
      ['sell', 60002.5, 0.4, 'taker', 'USDT'],
    ]);
    const balance = await ex.fetchBalance();
    expect(balance.BTC.free).toBeCloseTo(1.2 + 0.016665 - 0.000016665 + (30 / 60003.5 - 0.0000005) - 0.5, 5);
  });

  it('fills a resting limit order when the book moves through it (as maker)', async () => {
    const order = await ex.createOrder(S, 'limit', 'sell', 0.2, 61000, {clientOrderId: 'xarb-bg-rest'});
    expect((await ex.fetchBalance()).BTC).toMatchObject({free: 1, used: 0.2});
    loop.state('bitget').setBook(S, {bids: [[61500, 1]], asks: [[61600, 1]]});
    const filled = await ex.fetchOrder(order.id, S);
    expect(filled).toMatchObject({status: 'closed', filled: 0.2, average: 61000, cost: 12200});
    expect((await ex.fetchClosedOrders(S)).map((o: any) => [o.clientOrderId, o.status])).toEqual([['xarb-bg-rest', 'closed']]);
    const [trade] = await ex.fetchMyTrades(S);
    expect([trade.takerOrMaker, trade.price, trade.amount, trade.fee.cost, trade.fee.currency]).toEqual(['maker', 61000, 0.2, 12.2, 'USDT']);
    expect((await ex.fetchBalance()).USDT.free).toBe(70000 + 12200 - 12.2);
  });

  it('refuses like bitget: insufficient balance, unknown orders, rate limit, wrong secret or passphrase', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'limit', 'buy', 2, 60000, {clientOrderId: 'xarb-bg-big'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    await expect(ex.createMarketBuyOrderWithCost(S, 80000, {clientOrderId: 'xarb-bg-big2'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    await expect(ex.fetchOrder('1200000000000000999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.fetchOrder(undefined, S, {clientOrderId: 'nobody'})).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.cancelOrder('1200000000000000999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.createOrder(S, 'limit', 'buy', 0.00001, 50000, {clientOrderId: 'xarb-bg-small'})).rejects.toBeInstanceOf(errors.InvalidOrder);

    loop.fault('bitget', 'GET /api/v2/spot/account/assets', {kind: 'rateLimit', retryAfterSeconds: 2});
    const limited = ex.fetchBalance();
    await expect(limited).rejects.toBeInstanceOf(errors.DDoSProtection);
    await expect(limited).rejects.toThrow(/"code":"429"/);

    const wrongSecret = await connect(loop, 'bitget', {...KEYS, secret: 'other'});
    await expect(wrongSecret.fetchBalance()).rejects.toThrow(/40009/);
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    const wrongPass = await connect(loop, 'bitget', {...KEYS, password: 'other'});
    await expect(wrongPass.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    const unknownKey = await connect(loop, 'bitget', {...KEYS, apiKey: 'nobody'});
    await expect(unknownKey.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
  });

  it('refuses a request signed more than 30 s away from its clock (40008)', async () => {
    const errors = await ccxtErrors();
    const skewed = await startLoopback({scenario: scenario(), now: () => Date.now() + 45_000});
    try {
      const late = await connect(skewed, 'bitget', KEYS);
      await late.loadMarkets();
      await expect(late.fetchBalance()).rejects.toBeInstanceOf(errors.InvalidNonce);
      await expect(late.fetchBalance()).rejects.toThrow(/40008/);
    } finally {
      await skewed.close();
    }
  });

  it('enforces clientOid rules and uniqueness among open orders', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'x'.repeat(51)})).rejects.toBeInstanceOf(errors.BadRequest);
    await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'x'.repeat(50)});
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'x'.repeat(50)})).rejects.toThrow(/Duplicate clientOid/);
    // without our id bitget makes one up, and reports it
    const anonymous = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000);
    expect(anonymous.clientOrderId).toMatch(/^\d+$/);
  });

  it('5xx and timeouts surface as network-level errors', async () => {
    const errors = await ccxtErrors();
    loop.fault('bitget', 'GET /api/v2/spot/market/tickers', {kind: 'serverError', status: 503});
    await expect(ex.fetchTicker(S)).rejects.toBeInstanceOf(errors.ExchangeNotAvailable);
    const quick = await connect(loop, 'bitget', {...KEYS, timeout: 300});
    await quick.loadMarkets();
    loop.fault('bitget', 'GET /api/v2/spot/account/assets', {kind: 'timeout'});
    await expect(quick.fetchBalance()).rejects.toBeInstanceOf(errors.RequestTimeout);
    loop.fault('bitget', 'GET /api/v2/spot/market/orderbook', {kind: 'latency', ms: 150});
    const started = Date.now();
    await ex.fetchOrderBook(S);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('an answer lost after bitget accepted: exactly one order, found by its clientOid', async () => {
    const errors = await ccxtErrors();
    loop.fault('bitget', `POST ${PLACE}`, {kind: 'answerLost'});
    await expect(ex.createMarketBuyOrderWithCost(S, 600, {clientOrderId: 'xarb-bg-lost'})).rejects.toBeInstanceOf(errors.NetworkError);
    expect(placed()).toHaveLength(1);
    expect(placed()[0]!.fault).toBe('answerLost');
    const orders = loop.state('bitget').account(KEYS.apiKey).orders;
    expect(orders.map((o) => [o.clientOrderId, o.status])).toEqual([['xarb-bg-lost', 'filled']]);
    const found = await ex.fetchOrder(undefined, S, {clientOrderId: 'xarb-bg-lost'});
    expect([found.id, found.status, found.clientOrderId, found.cost]).toEqual([orders[0]!.id, 'closed', 'xarb-bg-lost', Number(orders[0]!.cost)]);
    expect(placed()).toHaveLength(1);
  });

  it('serves deposit addresses by chain, withdrawals (fee out of the amount), history and fees', async () => {
    const errors = await ccxtErrors();
    const fees = await ex.fetchDepositWithdrawFees(['USDT']);
    expect([fees.USDT.networks.ERC20.withdraw.fee, fees.USDT.networks.TRC20.withdraw.fee]).toEqual([5, 1]);
    const address = await ex.fetchDepositAddress('USDT', {network: 'ERC20'});
    expect([address.address, address.network]).toEqual(['0xb17e000000000000000000000000000000000004', 'ERC20']);
    const withdrawal = await ex.withdraw('USDT', 100, '0xb1a0000000000000000000000000000000000001', undefined, {network: 'ERC20'});
    expect(loop.requests('bitget').at(-1)!.params).toMatchObject({coin: 'USDT', chain: 'ERC20', size: '100', transferType: 'on_chain'});
    const [listed] = await ex.fetchWithdrawals('USDT');
    expect(listed).toMatchObject({id: withdrawal.id, amount: 95, status: 'ok', network: 'ERC20', fee: {currency: 'USDT', cost: 5}});
    expect((await ex.fetchBalance()).USDT.free).toBe(69900);
    // routed to the binance account owning that address, net of the fee
    expect(loop.state('binance').account(TEST_ACCOUNTS.binance.apiKey).deposits.map((d) => d.amount)).toEqual(['95']);
    loop.state('bitget').deposit(KEYS.apiKey, {asset: 'BTC', amount: '0.5', network: 'BTC'});
    expect((await ex.fetchDeposits('BTC')).map((d: any) => [d.amount, d.status, d.network, d.type])).toEqual([[0.5, 'ok', 'BTC', 'deposit']]);
    await expect(ex.withdraw('USDT', 100000, '0xb1a0000000000000000000000000000000000001', undefined, {network: 'ERC20'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
  });

  it('works without the loopback options too: ccxt probes for a unified account and lists contracts', async () => {
    const plain = await connect(loop, 'bitget', {...KEYS, options: {uta: undefined, fetchMarkets: {types: ['spot', 'swap']}}});
    loop.clearRequests('bitget');
    await plain.loadMarkets();
    expect(Object.keys(plain.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(loop.requests('bitget').filter((r) => r.path === '/api/v2/mix/market/contracts')).toHaveLength(6);
    await plain.fetchBalance();
    expect(loop.requests('bitget').filter((r) => r.path === '/api/v3/account/settings')).toHaveLength(1);
    expect(plain.options.uta).toBe(false);
    const order = await plain.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'xarb-bg-plain'});
    expect((await plain.fetchOrder(order.id, S)).clientOrderId).toBe('xarb-bg-plain');
  });
});
