import {describe, expect, it} from 'vitest';
import {VenueDataError} from '../../src/core/venues/ccxt/errors.js';
import {
  DECIMAL_PLACES,
  SIGNIFICANT_DIGITS,
  TICK_SIZE,
  mapBalances,
  mapCurrencies,
  mapMarket,
  mapMarkets,
  mapOrder,
  mapOrderBook,
  mapPosition,
  mapTicker,
  mapTrade,
  mapTransfer,
  precisionToStep,
} from '../../src/core/venues/ccxt/map.js';
import {binance, kraken, okx} from './ccxt-fixtures.js';

const ctx = {venue: 'v', receivedAt: 1_700_000_009_000};

describe('mapMarket', () => {
  it('maps a binance spot market with tick sizes, limits and currency ids', () => {
    expect(mapMarket('binance', binance.market, binance.precisionMode)).toEqual({
      symbol: 'BTC/USDT',
      id: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      baseId: 'BTC',
      quoteId: 'USDT',
      type: 'spot',
      active: true,
      taker: 0.001,
      maker: 0.001,
      amountStep: 0.00001,
      priceStep: 0.01,
      minAmount: 0.00001,
      maxAmount: 9000,
      minCost: 5,
    });
  });

  it('keeps kraken XXBTZUSD as BTC/USD with its native id', () => {
    const m = mapMarket('kraken', kraken.market, kraken.precisionMode);
    expect([m.symbol, m.id, m.base, m.quote]).toEqual(['BTC/USD', 'XXBTZUSD', 'BTC', 'USD']);
    expect([m.taker, m.maker, m.amountStep, m.priceStep, m.minAmount, m.maxAmount, m.minCost]).toEqual([0.004, 0.0025, 1e-8, 0.1, 0.0001, undefined, 0.5]);
  });

  it('maps an okx swap with settle currency and contract size', () => {
    const m = mapMarket('okx', okx.swapMarket, okx.precisionMode);
    expect(m).toMatchObject({symbol: 'BTC/USDT:USDT', id: 'BTC-USDT-SWAP', type: 'swap', settle: 'USDT', contractSize: 0.01, amountStep: 1, priceStep: 0.1});
    expect(mapMarket('okx', okx.market, okx.precisionMode)).not.toHaveProperty('contractSize');
  });

  it('converts decimal-places precision to steps and leaves significant digits without a step', () => {
    const market = {...binance.market, precision: {amount: 3, price: 2}};
    const m = mapMarket('x', market, DECIMAL_PLACES);
    expect([m.amountStep, m.priceStep]).toEqual([0.001, 0.01]);
    expect(precisionToStep('x', 'p', 0, DECIMAL_PLACES)).toBe(1);
    expect(precisionToStep('x', 'p', -1, DECIMAL_PLACES)).toBe(10);
    expect(precisionToStep('x', 'p', 5, SIGNIFICANT_DIGITS)).toBeUndefined();
    expect(() => precisionToStep('x', 'p', 0, TICK_SIZE)).toThrow(VenueDataError);
    expect(() => precisionToStep('x', 'p', 0.5, DECIMAL_PLACES)).toThrow(VenueDataError);
  });

  it('refuses a market without fees instead of assuming 0', () => {
    const {taker: _taker, ...noTaker} = binance.market;
    expect(() => mapMarket('binance', noTaker)).toThrow(VenueDataError);
    expect(() => mapMarket('binance', {...binance.market, maker: Number.NaN})).toThrow(/maker fee/);
  });

  it('treats only an explicit false as inactive', () => {
    expect(mapMarket('b', {...binance.market, active: undefined}).active).toBe(true);
    expect(mapMarket('b', {...binance.market, active: false}).active).toBe(false);
  });

  it('mapMarkets skips malformed markets and reports them, sorted output', () => {
    const bad = {...binance.market, symbol: 'ETH/USDT', taker: undefined};
    const odd = {...binance.market, symbol: 'IDX', type: 'index'};
    const result = mapMarkets('b', [okx.market, bad, kraken.market, odd], TICK_SIZE);
    expect(result.markets.map((m) => m.symbol)).toEqual(['BTC/USD', 'BTC/USDT']);
    expect(result.skipped.map((s) => s.symbol)).toEqual(['ETH/USDT', 'IDX']);
  });
});

describe('mapTicker', () => {
  it('binance bookTicker has no timestamp: receivedAt is used', () => {
    expect(mapTicker(ctx, binance.bidsAsks['BTC/USDT'])).toEqual({
      venue: 'v', symbol: 'BTC/USDT', bid: 40000, bidSize: 1.5, ask: 40001, askSize: 2, timestamp: ctx.receivedAt, receivedAt: ctx.receivedAt,
    });
  });

  it('okx ticker keeps the venue timestamp', () => {
    const q = mapTicker(ctx, okx.ticker);
    expect([q.bid, q.bidSize, q.ask, q.askSize, q.timestamp]).toEqual([40000, 1.5, 40001, 2, 1_700_000_000_000]);
  });

  it('kraken ticker sizes come from the top-of-book volumes', () => {
    const q = mapTicker(ctx, kraken.tickers['BTC/USD'], 'BTC/USD');
    expect([q.bid, q.bidSize, q.ask, q.askSize]).toEqual([40000, 2, 40001, 1]);
  });

  it('an empty side (price 0 or missing) has no price and no size', () => {
    const q = mapTicker(ctx, {symbol: 'X/Y', bid: 0, bidVolume: 0, ask: undefined, askVolume: 3});
    expect([q.bid, q.bidSize, q.ask, q.askSize]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('a non-finite price is an error, not a missing value', () => {
    expect(() => mapTicker(ctx, {symbol: 'X/Y', bid: 'abc'})).toThrow(VenueDataError);
    expect(() => mapTicker(ctx, {symbol: 'X/Y', ask: Number.POSITIVE_INFINITY})).toThrow(VenueDataError);
  });
});

describe('mapOrderBook', () => {
  it('maps binance depth, best first, truncated to depth', () => {
    const book = mapOrderBook(ctx, binance.orderBook, 'BTC/USDT', 1);
    expect(book).toEqual({venue: 'v', symbol: 'BTC/USDT', bids: [[40000, 1.5]], asks: [[40001, 2]], timestamp: ctx.receivedAt, receivedAt: ctx.receivedAt});
  });

  it('drops kraken per-level timestamps', () => {
    const book = mapOrderBook(ctx, kraken.orderBook, 'BTC/USD');
    expect(book.bids).toEqual([[40000, 2]]);
    expect(book.asks).toEqual([[40001, 1], [40003, 4]]);
  });

  it('sorts levels best first and rejects broken levels', () => {
    const book = mapOrderBook(ctx, {bids: [[1, 1], [3, 1], [2, 1]], asks: [[9, 1], [7, 1]], timestamp: 5}, 'X/Y');
    expect(book.bids.map((l) => l[0])).toEqual([3, 2, 1]);
    expect(book.asks.map((l) => l[0])).toEqual([7, 9]);
    expect(book.timestamp).toBe(5);
    expect(() => mapOrderBook(ctx, {bids: [[1, null]], asks: []}, 'X/Y')).toThrow(VenueDataError);
    expect(() => mapOrderBook(ctx, {asks: []}, 'X/Y')).toThrow(VenueDataError);
  });
});

describe('mapOrder', () => {
  it('maps a filled binance market order with its client id and fees as decimals', () => {
    expect(mapOrder('binance', binance.createOrder)).toEqual({
      id: '28',
      clientOrderId: 'xarb-abc123',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      status: 'closed',
      amount: '0.1',
      filled: '0.1',
      price: '40000.6',
      average: '40000.6',
      fees: [{cost: '0.0001', currency: 'BTC'}],
      timestamp: 1_700_000_000_123,
    });
  });

  it('kraken AddOrder reply (txid only) is not an order yet', () => {
    expect(() => mapOrder('kraken', kraken.createOrder)).toThrow(VenueDataError);
  });

  it('maps a kraken order read back, with cl_ord_id', () => {
    const o = mapOrder('kraken', kraken.fetchOrder);
    expect(o).toMatchObject({id: 'OUF4EM-FRGI2-MQMWZD', clientOrderId: 'xarb-abc123', status: 'closed', amount: '0.1', filled: '0.1', fees: [{cost: '10.4', currency: 'USD'}]});
  });

  it('maps an okx order found by clOrdId', () => {
    const o = mapOrder('okx', okx.fetchOrder);
    expect(o).toMatchObject({id: '312269865356374016', clientOrderId: 'xarbabc123', symbol: 'BTC/USDT', status: 'closed', filled: '0.1', average: '40000'});
  });

  it('derives amount or filled exactly from the other two, never from nothing', () => {
    const base = {id: '1', symbol: 'A/B', side: 'sell', type: 'limit', status: 'open', price: 2, timestamp: 1};
    expect(mapOrder('v', {...base, amount: 0.3, remaining: 0.1}).filled).toBe('0.2');
    expect(mapOrder('v', {...base, filled: 0.1, remaining: 0.2}).amount).toBe('0.3');
    expect(() => mapOrder('v', {...base, amount: 0.3})).toThrow(/filled/);
    expect(() => mapOrder('v', {...base, filled: 0})).toThrow(/amount/);
  });

  it('rejects unknown status, side or type', () => {
    const ok = {id: '1', symbol: 'A/B', side: 'buy', type: 'limit', status: 'open', amount: 1, filled: 0, timestamp: 1};
    expect(() => mapOrder('v', {...ok, status: 'weird'})).toThrow(VenueDataError);
    expect(() => mapOrder('v', {...ok, side: 'long'})).toThrow(VenueDataError);
    expect(() => mapOrder('v', {...ok, type: 'stop-loss'})).toThrow(VenueDataError);
    expect(() => mapOrder('v', {...ok, timestamp: undefined})).toThrow(/timestamp/);
    expect(mapOrder('v', {...ok, type: 'limit_maker'}).type).toBe('limit');
  });

  it('a fee with a cost but no currency is an error; a zero fee without currency is dropped', () => {
    const ok = {id: '1', symbol: 'A/B', side: 'buy', type: 'limit', status: 'open', amount: 1, filled: 0, timestamp: 1};
    expect(mapOrder('v', {...ok, fee: {cost: 0}}).fees).toEqual([]);
    expect(() => mapOrder('v', {...ok, fee: {cost: 0.1}})).toThrow(/no currency/);
  });
});

describe('mapTrade', () => {
  it('maps a binance trade with its fee and taker flag', () => {
    expect(mapTrade('binance', binance.myTrades[0]!)).toEqual({
      id: '28457',
      orderId: '100234',
      clientOrderId: undefined,
      symbol: 'BTC/USDT',
      side: 'buy',
      price: '40000',
      amount: '0.1',
      fee: {cost: '4', currency: 'USDT'},
      takerOrMaker: 'taker',
      timestamp: 1_700_000_000_000,
    });
  });

  it('requires price, amount and order id', () => {
    const t = binance.myTrades[0]!;
    expect(() => mapTrade('b', {...t, price: undefined})).toThrow(/price/);
    expect(() => mapTrade('b', {...t, amount: null})).toThrow(/amount/);
    expect(() => mapTrade('b', {...t, order: undefined})).toThrow(/order id/);
  });
});

describe('mapBalances', () => {
  it('binance: free/used/total as decimals, zero balances left out', () => {
    expect(mapBalances('binance', binance.balance)).toEqual([
      {asset: 'BTC', free: '1.5', used: '0.5', total: '2'},
      {asset: 'USDT', free: '1000', used: '0', total: '1000'},
    ]);
  });

  it('kraken BalanceEx: held funds are used', () => {
    expect(mapBalances('kraken', kraken.balance)).toEqual([
      {asset: 'BTC', free: '1', used: '0.5', total: '1.5'},
      {asset: 'USD', free: '1000', used: '0', total: '1000'},
    ]);
  });

  it('derives the third figure exactly and refuses a lone figure', () => {
    expect(mapBalances('v', {ETH: {total: 0.3, free: 0.1}})).toEqual([{asset: 'ETH', free: '0.1', used: '0.2', total: '0.3'}]);
    expect(mapBalances('v', {ETH: {total: 0.3, used: 0.1}})).toEqual([{asset: 'ETH', free: '0.2', used: '0.1', total: '0.3'}]);
    expect(() => mapBalances('v', {ETH: {total: 0.3}})).toThrow(VenueDataError);
    expect(() => mapBalances('v', {ETH: {free: Number.NaN, used: 1}})).toThrow(VenueDataError);
  });
});

describe('mapPosition', () => {
  it('okx short swap: size is contracts x contractSize in base units', () => {
    expect(mapPosition('okx', okx.positions[0]!)).toEqual({
      venue: 'okx',
      symbol: 'BTC/USDT:USDT',
      side: 'short',
      size: '0.02',
      entryPrice: 40000,
      markPrice: 40100,
      unrealizedPnl: -2,
      leverage: 10,
      liquidationPrice: 60000,
    });
  });

  it('flat positions are dropped; missing side comes from the sign; contract size falls back to the market', () => {
    expect(mapPosition('v', {symbol: 'A/B:B', contracts: 0})).toBeUndefined();
    const p = mapPosition('v', {symbol: 'A/B:B', contracts: -3}, 0.1);
    expect([p?.side, p?.size]).toEqual(['short', '0.3']);
    expect(() => mapPosition('v', {symbol: 'A/B:B', contracts: 1})).toThrow(/contractSize/);
  });
});

describe('mapTransfer', () => {
  const deposit = {id: 'd1', txid: '0xabc', type: 'deposit', currency: 'USDT', amount: 100.5, network: 'TRC20', address: 'T123', status: 'ok', fee: {cost: 0, currency: 'USDT'}, timestamp: 1_700_000_000_000};

  it('maps a deposit', () => {
    expect(mapTransfer('v', deposit)).toEqual({
      id: 'd1', kind: 'deposit', asset: 'USDT', amount: '100.5', network: 'TRC20', address: 'T123', txid: '0xabc', status: 'ok', fee: {cost: '0', currency: 'USDT'}, timestamp: 1_700_000_000_000,
    });
  });

  it('a withdraw reply with only an id is completed from the request', () => {
    const t = mapTransfer('v', {id: 'w9'}, {kind: 'withdrawal', asset: 'BTC', amount: '0.5', address: 'bc1q', network: 'BTC', timestamp: 42});
    expect(t).toEqual({id: 'w9', kind: 'withdrawal', asset: 'BTC', amount: '0.5', network: 'BTC', address: 'bc1q', txid: undefined, status: 'pending', fee: undefined, timestamp: 42});
  });

  it('rejects an unknown status and a missing amount', () => {
    expect(() => mapTransfer('v', {...deposit, status: 'processing'})).toThrow(VenueDataError);
    expect(() => mapTransfer('v', {...deposit, amount: undefined})).toThrow(/amount/);
  });
});

describe('mapCurrencies', () => {
  it('kraken Assets: code after aliasing, venue id kept, no networks', () => {
    expect(mapCurrencies('kraken', kraken.currencies)).toEqual([
      {code: 'BTC', id: 'XXBT', name: 'XBT', networks: []},
      {code: 'USD', id: 'ZUSD', name: 'ZUSD', networks: []},
    ]);
  });

  it('networks with fees; unknown flags count as disabled; fees merged from fetchDepositWithdrawFees', () => {
    const currencies = {
      USDT: {id: 'USDT', code: 'USDT', name: 'Tether', networks: {
        TRC20: {id: 'TRX', network: 'TRC20', deposit: true, withdraw: true, fee: 1, limits: {withdraw: {min: 10}}},
        ERC20: {id: 'ETH', network: 'ERC20', deposit: true, fee: undefined, limits: {withdraw: {}}},
      }},
    };
    const fees = {USDT: {withdraw: {fee: 9}, networks: {ERC20: {withdraw: {fee: 4.5}}}}};
    expect(mapCurrencies('v', currencies, fees)).toEqual([
      {code: 'USDT', id: 'USDT', name: 'Tether', networks: [
        {network: 'ERC20', withdrawEnabled: false, depositEnabled: true, withdrawFee: 4.5, withdrawMin: undefined},
        {network: 'TRC20', withdrawEnabled: true, depositEnabled: true, withdrawFee: 1, withdrawMin: 10},
      ]},
    ]);
  });
});
