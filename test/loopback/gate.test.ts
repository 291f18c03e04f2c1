/**
 * The gate dialect driven by the unmodified ccxt gate class. From
 * gateVenue(): BTC/USDT (BTC_USDT) asks 59998.5 x 0.45, 59999 x 0.675, ...; bids
 * 59997.5 x 0.45, 59997 x 0.675, ...; fee 0.2% (published as "0.2"), in the
 * asset received; account BTC 1.1, USDT 60000; prices in 1 decimal, amounts
 * in 6, at least 3 USDT per order. Client ids travel in `text` as "t-<id>".
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {gateVenue, defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';
import {ccxtErrors, connect, type CcxtExchange} from '../support/loopback/ccxt.js';

const S = 'BTC/USDT';
const KEYS = {apiKey: TEST_ACCOUNTS.gate.apiKey, secret: TEST_ACCOUNTS.gate.secret};
const ORDERS = '/api/v4/spot/orders';
/** gate, and binance to receive a withdrawal. */
const scenario = (): LoopbackScenario => ({venues: {binance: defaultScenario().venues.binance!, gate: gateVenue()}});
let loop: LoopbackHandle;
let ex: CcxtExchange;

beforeEach(async () => {
  loop = await startLoopback({scenario: scenario()});
  ex = await connect(loop, 'gate', KEYS);
  await ex.loadMarkets();
});
afterEach(async () => loop.close());

const placed = () => loop.requests('gate').filter((r) => r.method === 'POST' && r.path === ORDERS);
/** 28 characters: the most gate takes after its "t-" prefix. */
const ID28 = 'xarb-0123456789abcdef0123456';

describe('gate dialect with ccxt gate', () => {
  it('serves spot currency pairs with decimal precisions, the fee in percent, and currencies with chains', () => {
    const m = ex.market(S);
    expect([m.id, m.spot, m.active]).toEqual(['BTC_USDT', true, true]);
    expect(m.precision).toEqual({amount: 0.000001, price: 0.1});
    expect([m.limits.amount.min, m.limits.cost.min, m.taker, m.maker]).toEqual([0.00001, 3, 0.002, 0.002]);
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect(Object.keys(ex.currencies.USDT.networks).sort()).toEqual(['ERC20', 'TRC20']);
    expect(ex.currencies.USDT.networks.TRC20.id).toBe('TRX');
    // spot only and no unified-account probe
    const paths = loop.requests('gate').map((r) => r.path);
    expect(paths.sort()).toEqual(['/api/v4/margin/currency_pairs', '/api/v4/spot/currencies', '/api/v4/spot/currency_pairs']);
  });

  it('serves withdrawal fees per chain (wallet/withdraw_status)', async () => {
    const fees = await ex.fetchDepositWithdrawFees(['USDT', 'BTC']);
    expect(fees.USDT.withdraw.fee).toBe(5);
    expect([fees.USDT.networks.ERC20.withdraw.fee, fees.USDT.networks.TRC20.withdraw.fee]).toEqual([5, 1]);
    expect(fees.BTC.networks.BTC.withdraw.fee).toBe(0.0002);
  });

  it('answers tickers with best bid and ask, and the order book', async () => {
    const ticker = await ex.fetchTicker(S);
    // gate's spot ticker carries the best prices; ccxt reads no sizes from it
    expect([ticker.bid, ticker.ask, ticker.bidVolume, ticker.askVolume]).toEqual([59997.5, 59998.5, undefined, undefined]);
    expect(ticker.info).toMatchObject({highest_size: '0.45', lowest_size: '0.45'});
    const tickers = await ex.fetchTickers();
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    expect([tickers['ETH/USDT'].bid, tickers['ETH/USDT'].ask]).toEqual([2999.55, 2999.65]);
    const book = await ex.fetchOrderBook(S, 2);
    expect(book.bids).toEqual([[59997.5, 0.45], [59997, 0.675]]);
    expect(book.asks).toEqual([[59998.5, 0.45], [59999, 0.675]]);
    expect(book.nonce).toBe(1000);
  });

  it('places a limit order with our 28-character id in text ("t-" added), finds it by id and by text, cancels it', async () => {
    const created = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: ID28});
    expect(created).toMatchObject({clientOrderId: `t-${ID28}`, status: 'open', price: 50000, amount: 0.01});
    const [sent] = placed();
    expect(sent!.params).toMatchObject({currency_pair: 'BTC_USDT', type: 'limit', account: 'spot', side: 'buy', amount: '0.01', price: '50000', text: `t-${ID28}`});
    expect(sent!.headers.sign).toBe('<redacted>');
    expect((await ex.fetchBalance()).USDT).toMatchObject({free: 59500, used: 500, total: 60000});
    expect(await ex.fetchOrder(created.id, S)).toMatchObject({id: created.id, clientOrderId: `t-${ID28}`, status: 'open', filled: 0});
    // by our id: ccxt adds the prefix and asks for the order under its text
    const byText = await ex.fetchOrder(undefined, S, {clientOrderId: ID28});
    expect(byText.id).toBe(created.id);
    expect(loop.requests('gate').at(-1)!.path).toBe(`${ORDERS}/t-${ID28}`);
    expect((await ex.fetchOpenOrders(S)).map((o: any) => [o.id, o.status, o.clientOrderId])).toEqual([[created.id, 'open', `t-${ID28}`]]);
    const canceled = await ex.cancelOrder(created.id, S);
    expect([canceled.id, canceled.status]).toEqual([created.id, 'canceled']);
    expect(await ex.fetchOpenOrders(S)).toEqual([]);
    expect((await ex.fetchBalance()).USDT).toMatchObject({free: 60000, used: 0});
    const errors = await ccxtErrors();
    await expect(ex.cancelOrder(created.id, S)).rejects.toBeInstanceOf(errors.InvalidOrder);
  });

  it('enforces gate text rules: the "t-" prefix and at most 28 characters after it', async () => {
    const errors = await ccxtErrors();
    // ccxt refuses 29 characters before sending
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: `${ID28}x`})).rejects.toBeInstanceOf(errors.BadRequest);
    expect(placed()).toHaveLength(0);
    // sent past ccxt's check, the venue refuses it too
    const raw = {currency_pair: 'BTC_USDT', type: 'limit', account: 'spot', side: 'buy', amount: '0.01', price: '50000'};
    await expect(ex.privateSpotPostOrders({...raw, text: `t-${ID28}x`})).rejects.toThrow(/INVALID_PARAM_VALUE/);
    // an id starting with "t" goes out without the prefix, and gate refuses it
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'trade-1'})).rejects.toBeInstanceOf(errors.BadRequest);
    expect(placed().at(-1)!.params.text).toBe('trade-1');
    await expect(ex.privateSpotPostOrders({...raw, text: 't-bad id'})).rejects.toBeInstanceOf(errors.BadRequest);
    expect(loop.state('gate').account(KEYS.apiKey).orders).toHaveLength(0);
    // without one gate labels the order "apiv4"
    const anonymous = await ex.createOrder(S, 'limit', 'buy', 0.01, 50000);
    expect(anonymous.clientOrderId).toBe('apiv4');
  });

  it('takes a market buy as the quote amount to spend (amount), and a market sell by base amount', async () => {
    const buy = await ex.createMarketBuyOrderWithCost(S, 1000, {clientOrderId: 'xarb-gt-cost'});
    expect(placed()[0]!.params).toMatchObject({type: 'market', side: 'buy', amount: '1000', time_in_force: 'ioc', text: 't-xarb-gt-cost'});
    // 1000 USDT at 59998.5 buys 0.016667 BTC (amounts in 6 decimals); 0.005 USDT stays unspent
    const bought = await ex.fetchOrder(buy.id, S);
    expect(bought).toMatchObject({status: 'closed', type: 'market', side: 'buy', filled: 0.016667, average: 59998.5, cost: 1000});
    expect(bought.info).toMatchObject({amount: '1000', filled_amount: '0.016667', filled_total: '999.9949995', left: '0.0050005', fee: '0.000033334', fee_currency: 'BTC'});
    // the option form sends the amount argument as the quote amount, cut to the
    // market's price precision (0.1 here): 30.07 goes out as 30
    await ex.createOrder(S, 'market', 'buy', 30.07, undefined, {createMarketBuyOrderRequiresPrice: false, clientOrderId: 'xarb-gt-cost2'});
    expect(placed()[1]!.params).toMatchObject({amount: '30', text: 't-xarb-gt-cost2'});
    const sell = await ex.createOrder(S, 'market', 'sell', 0.5, undefined, {clientOrderId: 'xarb-gt-sell'});
    expect(placed()[2]!.params).toMatchObject({type: 'market', side: 'sell', amount: '0.5'});
    // what is left of the bids after the buys: 0.45 at 59997.5, then 0.05 at 59997
    expect(sell).toMatchObject({status: 'closed', filled: 0.5, cost: 29998.725});
    const closed = await ex.fetchClosedOrders(S);
    expect(closed.map((o: any) => o.clientOrderId).sort()).toEqual(['t-xarb-gt-cost', 't-xarb-gt-cost2', 't-xarb-gt-sell']);
    const trades = await ex.fetchMyTrades(S);
    const sellFills = trades.filter((t: any) => t.order === sell.id).map((t: any) => [t.side, t.price, t.amount, t.takerOrMaker, t.fee.currency, t.fee.cost]);
    expect(sellFills.sort()).toEqual([
      ['sell', 59997, 0.05, 'taker', 'USDT', 5.9997],
      ['sell', 59997.5, 0.45, 'taker', 'USDT', 53.99775],
    ]);
  });

  it('fills a resting limit order when the book moves through it (as maker)', async () => {
    const order = await ex.createOrder(S, 'limit', 'sell', 0.2, 61000, {clientOrderId: 'xarb-gt-rest'});
    expect((await ex.fetchBalance()).BTC).toMatchObject({free: 0.9, used: 0.2});
    loop.state('gate').setBook(S, {bids: [[61500, 1]], asks: [[61600, 1]]});
    const filled = await ex.fetchOrder(order.id, S);
    expect(filled).toMatchObject({status: 'closed', filled: 0.2, average: 61000, cost: 12200});
    expect((await ex.fetchClosedOrders(S)).map((o: any) => [o.clientOrderId, o.status])).toEqual([['t-xarb-gt-rest', 'closed']]);
    const [trade] = await ex.fetchMyTrades(S);
    expect([trade.takerOrMaker, trade.price, trade.amount, trade.fee.cost, trade.fee.currency]).toEqual(['maker', 61000, 0.2, 24.4, 'USDT']);
    expect((await ex.fetchBalance()).USDT.free).toBe(60000 + 12200 - 24.4);
  });

  it('refuses like gate: insufficient balance, unknown orders, rate limit, wrong key or secret', async () => {
    const errors = await ccxtErrors();
    await expect(ex.createOrder(S, 'limit', 'buy', 2, 59000, {clientOrderId: 'xarb-gt-big'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
    await expect(ex.createMarketBuyOrderWithCost(S, 70000, {clientOrderId: 'xarb-gt-big2'})).rejects.toThrow(/BALANCE_NOT_ENOUGH/);
    await expect(ex.fetchOrder('700000000999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.fetchOrder(undefined, S, {clientOrderId: 'nobody'})).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.cancelOrder('700000000999', S)).rejects.toBeInstanceOf(errors.OrderNotFound);
    await expect(ex.createOrder(S, 'limit', 'buy', 0.00005, 50000, {clientOrderId: 'xarb-gt-small'})).rejects.toThrow(/is too small/);

    loop.fault('gate', 'GET /api/v4/spot/accounts', {kind: 'rateLimit'});
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(errors.RateLimitExceeded);

    const wrongSecret = await connect(loop, 'gate', {...KEYS, secret: 'other'});
    await expect(wrongSecret.fetchBalance()).rejects.toThrow(/INVALID_SIGNATURE/);
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
    const unknownKey = await connect(loop, 'gate', {...KEYS, apiKey: 'nobody'});
    await expect(unknownKey.fetchBalance()).rejects.toThrow(/INVALID_KEY/);
  });

  it('refuses a request signed more than 60 s away from its clock (REQUEST_EXPIRED)', async () => {
    const errors = await ccxtErrors();
    const skewed = await startLoopback({scenario: scenario(), now: () => Date.now() - 90_000});
    try {
      const late = await connect(skewed, 'gate', KEYS);
      await late.loadMarkets();
      await expect(late.fetchBalance()).rejects.toBeInstanceOf(errors.AuthenticationError);
      await expect(late.fetchBalance()).rejects.toThrow(/REQUEST_EXPIRED/);
    } finally {
      await skewed.close();
    }
  });

  it('5xx and timeouts surface as network-level errors', async () => {
    const errors = await ccxtErrors();
    loop.fault('gate', 'GET /api/v4/spot/tickers', {kind: 'serverError', status: 502});
    await expect(ex.fetchTicker(S)).rejects.toBeInstanceOf(errors.ExchangeNotAvailable);
    const quick = await connect(loop, 'gate', {...KEYS, timeout: 300});
    await quick.loadMarkets();
    loop.fault('gate', 'GET /api/v4/spot/accounts', {kind: 'timeout'});
    await expect(quick.fetchBalance()).rejects.toBeInstanceOf(errors.RequestTimeout);
  });

  it('an answer lost after gate accepted: exactly one order, found by its text while gate still keeps it', async () => {
    const errors = await ccxtErrors();
    loop.fault('gate', `POST ${ORDERS}`, {kind: 'answerLost'});
    await expect(ex.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'xarb-gt-lost'})).rejects.toBeInstanceOf(errors.NetworkError);
    expect(placed()).toHaveLength(1);
    const orders = loop.state('gate').account(KEYS.apiKey).orders;
    expect(orders.map((o) => [o.clientOrderId, o.status])).toEqual([['t-xarb-gt-lost', 'open']]);
    const found = await ex.fetchOrder(undefined, S, {clientOrderId: 'xarb-gt-lost'});
    expect([found.id, found.status, found.clientOrderId]).toEqual([orders[0]!.id, 'open', 't-xarb-gt-lost']);
    expect(placed()).toHaveLength(1);
  });

  it('a lost market order is finished at once: not found by its text, but the finished list carries the text', async () => {
    const errors = await ccxtErrors();
    loop.fault('gate', `POST ${ORDERS}`, {kind: 'answerLost'});
    await expect(ex.createMarketBuyOrderWithCost(S, 600, {clientOrderId: 'xarb-gt-mlost'})).rejects.toBeInstanceOf(errors.NetworkError);
    expect(placed()).toHaveLength(1);
    const [order] = loop.state('gate').account(KEYS.apiKey).orders;
    expect(order!.status).toBe('filled');
    await expect(ex.fetchOrder(undefined, S, {clientOrderId: 'xarb-gt-mlost'})).rejects.toBeInstanceOf(errors.OrderNotFound);
    const closed = await ex.fetchClosedOrders(S);
    const mine = closed.filter((o: any) => o.clientOrderId === 't-xarb-gt-mlost');
    expect(mine.map((o: any) => [o.id, o.status, o.cost])).toEqual([[order!.id, 'closed', 600]]);
    expect((await ex.fetchOrder(order!.id, S)).clientOrderId).toBe('t-xarb-gt-mlost');
    // a limit order that filled later is not found by its text either
    const rest = await ex.createOrder(S, 'limit', 'sell', 0.01, 61000, {clientOrderId: 'xarb-gt-later'});
    expect((await ex.fetchOrder(undefined, S, {clientOrderId: 'xarb-gt-later'})).id).toBe(rest.id);
    loop.state('gate').setBook(S, {bids: [[61500, 1]], asks: [[61600, 1]]});
    await expect(ex.fetchOrder(undefined, S, {clientOrderId: 'xarb-gt-later'})).rejects.toBeInstanceOf(errors.OrderNotFound);
    expect(placed()).toHaveLength(2);
  });

  it('serves deposit addresses per chain, withdrawals (fee out of the amount) and history', async () => {
    const errors = await ccxtErrors();
    const address = await ex.fetchDepositAddress('USDT', {network: 'ERC20'});
    expect([address.address, address.network]).toEqual(['0x9a7e000000000000000000000000000000000005', 'ERC20']);
    const withdrawal = await ex.withdraw('USDT', 100, '0xb1a0000000000000000000000000000000000001', undefined, {network: 'TRC20'});
    expect(loop.requests('gate').at(-1)).toMatchObject({method: 'POST', path: '/api/v4/withdrawals'});
    expect(loop.requests('gate').at(-1)!.params).toMatchObject({currency: 'USDT', chain: 'TRX', amount: '100'});
    expect(withdrawal.id).toMatch(/^w/);
    const [listed] = await ex.fetchWithdrawals('USDT');
    expect(listed).toMatchObject({id: withdrawal.id, type: 'withdrawal', amount: 99, status: 'ok', network: 'TRC20'});
    expect((await ex.fetchBalance()).USDT.free).toBe(59900);
    loop.state('gate').deposit(KEYS.apiKey, {asset: 'BTC', amount: '0.5', network: 'BTC'});
    expect((await ex.fetchDeposits('BTC')).map((d: any) => [d.type, d.amount, d.status, d.network])).toEqual([['deposit', 0.5, 'ok', 'BTC']]);
    await expect(ex.withdraw('USDT', 100000, '0xb1a0000000000000000000000000000000000001', undefined, {network: 'ERC20'})).rejects.toBeInstanceOf(errors.InsufficientFunds);
  });

  it('works without the loopback options too: ccxt probes the account mode and lists contracts', async () => {
    const plain = await connect(loop, 'gate', {...KEYS, options: {unifiedAccount: undefined, fetchMarkets: {types: ['spot', 'swap', 'future', 'option']}}});
    loop.clearRequests('gate');
    await plain.loadMarkets();
    expect(Object.keys(plain.markets).sort()).toEqual(['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const paths = loop.requests('gate').map((r) => r.path);
    expect(paths).toContain('/api/v4/account/detail');
    expect(paths).toContain('/api/v4/futures/usdt/contracts');
    expect(paths).toContain('/api/v4/options/underlyings');
    expect(plain.options.unifiedAccount).toBe(false);
    const order = await plain.createOrder(S, 'limit', 'buy', 0.01, 50000, {clientOrderId: 'xarb-gt-plain'});
    expect((await plain.fetchOrder(order.id, S)).clientOrderId).toBe('t-xarb-gt-plain');
  });
});
