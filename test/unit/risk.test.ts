import {describe, expect, it} from 'vitest';
import type {RiskConfig} from '../../src/core/config/schema.js';
import {RiskDeniedError} from '../../src/core/errors.js';
import {denialError, evaluateBatch} from '../../src/core/risk/engine.js';
import {RiskLedger} from '../../src/core/risk/ledger.js';
import {reducesExposure} from '../../src/core/risk/checks.js';
import type {RiskSnapshot} from '../../src/core/risk/types.js';
import type {PlannedOrder} from '../../src/core/types.js';
import type {Balance} from '../../src/core/types.js';

const bal = (asset: string, total: string, free = total): Balance => ({asset, free, used: '0', total});

function snap(over: Partial<RiskSnapshot> = {}): RiskSnapshot {
  return {
    state: 'active',
    valuationQuote: 'USD',
    cash: ['USD', 'USDT', 'USDC'],
    value: (a) => ({USD: 1, USDT: 1, BTC: 100, ETH: 10} as Record<string, number>)[a],
    balances: new Map([
      ['a', [bal('USD', '1000'), bal('BTC', '2')]],
      ['b', [bal('USD', '500'), bal('BTC', '1')]],
    ]),
    unknownBalances: [],
    usage: {day: '2025-01-15', open: [], dailyVolume: []},
    ...over,
  };
}

function order(over: Partial<PlannedOrder> = {}): PlannedOrder {
  return {leg: 0, venue: 'a', symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '1', expectedPrice: 100, cost: 100, feeRate: 0, fee: 0, total: 100, resting: '0', mid: 100, ...over};
}

function deny(config: RiskConfig, o: PlannedOrder, s = snap()) {
  return evaluateBatch([o], config, s)?.violation;
}

describe('each limit: at the limit passes, just over is denied with the limit, value and attempted value', () => {
  const cases: {name: string; config: RiskConfig; pass: Partial<PlannedOrder>; fail: Partial<PlannedOrder>; limit: string; attempted: string; s?: RiskSnapshot; failS?: RiskSnapshot}[] = [
    {name: 'max order amount (global)', config: {global: {maxOrderAmount: '1'}}, pass: {amount: '1'}, fail: {amount: '1.001'}, limit: 'global.maxOrderAmount', attempted: '1.001'},
    {name: 'max order amount (venue)', config: {venues: {a: {maxOrderAmount: '0.5'}}}, pass: {amount: '0.5'}, fail: {amount: '0.501'}, limit: 'venues.a.maxOrderAmount', attempted: '0.501'},
    {name: 'max order amount (symbol)', config: {symbols: {'BTC/USD': {maxOrderAmount: '0.2'}}}, pass: {amount: '0.2'}, fail: {amount: '0.201'}, limit: 'symbols.BTC/USD.maxOrderAmount', attempted: '0.201'},
    {name: 'max order notional', config: {global: {maxOrderNotional: '100'}}, pass: {amount: '1'}, fail: {amount: '1.001'}, limit: 'global.maxOrderNotional', attempted: '100.1'},
    {name: 'price band (limit price)', config: {global: {priceBandPct: 5}}, pass: {type: 'limit', price: '105'}, fail: {type: 'limit', price: '105.01'}, limit: 'global.priceBandPct', attempted: '5.01'},
    {name: 'price band (market worst level)', config: {global: {priceBandPct: 2}}, pass: {worstPrice: 98, side: 'sell'}, fail: {worstPrice: 97.9, side: 'sell'}, limit: 'global.priceBandPct', attempted: '2.1'},
    {
      name: 'max open orders per venue',
      config: {venues: {a: {maxOpenOrders: 3}}},
      s: snap({usage: {day: 'x', open: [{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 2, remaining: '0.2'}], dailyVolume: []}}),
      failS: snap({usage: {day: 'x', open: [{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 2, remaining: '0.2'}, {venue: 'a', symbol: 'ETH/USD', side: 'sell', orders: 1, remaining: '1'}], dailyVolume: []}}),
      pass: {},
      fail: {},
      limit: 'venues.a.maxOpenOrders',
      attempted: '4',
    },
    {name: 'max position (venue: 2 held)', config: {venues: {a: {maxPosition: '3'}}}, pass: {amount: '1'}, fail: {amount: '1.001'}, limit: 'venues.a.maxPosition', attempted: '3.001'},
    {name: 'max position (global: 3 held across venues)', config: {global: {maxPosition: '4'}}, pass: {amount: '1'}, fail: {amount: '1.001'}, limit: 'global.maxPosition', attempted: '4.001'},
    {
      name: 'max daily volume (venue)',
      config: {venues: {a: {maxDailyVolume: '1000'}}},
      s: snap({usage: {day: 'x', open: [], dailyVolume: [{venue: 'a', symbol: 'BTC/USD', quote: 'USD', volume: '900'}, {venue: 'b', symbol: 'BTC/USD', quote: 'USD', volume: '5000'}]}}),
      pass: {amount: '1'},
      fail: {amount: '1.001'},
      limit: 'venues.a.maxDailyVolume',
      attempted: '1000.1',
    },
    {
      name: 'max daily volume (global, valued across quotes)',
      config: {global: {maxDailyVolume: '1500'}},
      s: snap({usage: {day: 'x', open: [], dailyVolume: [{venue: 'b', symbol: 'ETH/BTC', quote: 'BTC', volume: '14'}]}}),
      pass: {amount: '1'},
      fail: {amount: '1.001'},
      limit: 'global.maxDailyVolume',
      attempted: '1500.1',
    },
    // Portfolio: a 1000 + 200 and b 500 + 100 = 1800 USD; BTC on a = 200.
    {name: 'max exposure per venue (% of portfolio)', config: {venues: {a: {maxExposurePct: 50}}}, pass: {amount: '7'}, fail: {amount: '7.01'}, limit: 'venues.a.maxExposurePct', attempted: '50.05555556'},
    {name: 'max total exposure', config: {global: {maxTotalExposurePct: 50}}, pass: {amount: '6'}, fail: {amount: '6.01'}, limit: 'global.maxTotalExposurePct', attempted: '50.05555556'},
    {name: 'reserve balance', config: {reserves: {USD: '100'}}, pass: {amount: '8.991', fee: 0.9}, fail: {amount: '8.992', fee: 0.9}, limit: 'reserves.USD', attempted: '99.9'},
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(deny(c.config, order(c.pass), c.s ?? snap())).toBeUndefined();
      const v = deny(c.config, order(c.fail), c.failS ?? c.s ?? snap());
      expect(v?.limit).toBe(c.limit);
      expect(v?.attempted).toBe(c.attempted);
    });
  }
});

describe('trading state', () => {
  it('halted denies everything, reducing only lets positions shrink', () => {
    expect(deny({}, order(), snap({state: 'halted'}))?.limit).toBe('tradingState');
    expect(deny({}, order({side: 'sell'}), snap({state: 'halted'}))?.value).toBe('halted');
    const reducing = snap({state: 'reducing'});
    expect(deny({}, order({side: 'buy'}), reducing)?.value).toBe('reducing');
    expect(deny({}, order({side: 'sell', amount: '2'}), reducing)).toBeUndefined();
    expect(deny({}, order({side: 'sell', amount: '2.001'}), reducing)?.value).toBe('reducing');
  });

  it('reducing counts live sells already in flight', () => {
    const s = snap({state: 'reducing', usage: {day: 'x', open: [{venue: 'a', symbol: 'BTC/USD', side: 'sell', orders: 1, remaining: '1.5'}], dailyVolume: []}});
    expect(reducesExposure(order({side: 'sell', amount: '0.5'}), new RiskLedger(s))).toBe(true);
    expect(reducesExposure(order({side: 'sell', amount: '0.6'}), new RiskLedger(s))).toBe(false);
  });
});

describe('batches and fail-closed behaviour', () => {
  it('orders of one batch count against each other', () => {
    const config: RiskConfig = {venues: {a: {maxDailyVolume: '150'}}};
    const half = order({amount: '0.75'});
    expect(evaluateBatch([half], config, snap())).toBeUndefined();
    const denial = evaluateBatch([half, half, order({amount: '0.01'})], config, snap());
    expect(denial?.index).toBe(2);
    expect(denial?.violation.attempted).toBe('151');
  });

  it('open-order count includes earlier orders of the batch', () => {
    const denial = evaluateBatch([order(), order()], {global: {maxOpenOrders: 1}}, snap());
    expect(denial?.index).toBe(1);
  });

  it('a limit that needs missing data denies and says what is missing', () => {
    expect(deny({global: {priceBandPct: 1}}, order({type: 'limit', price: '100', mid: undefined}))?.attempted).toBe('unknown');
    expect(deny({global: {maxPosition: '10'}}, order(), snap({unknownBalances: ['b']}))?.detail).toMatch(/balances of b/);
    expect(deny({global: {maxOrderNotional: '1000'}}, order({symbol: 'BTC/XYZ'}))?.attempted).toBe('unpriced');
  });

  it('the denial error carries exit code 3 and names the limit', () => {
    const denial = evaluateBatch([order({amount: '2'})], {global: {maxOrderAmount: '1'}}, snap())!;
    const error = denialError(denial);
    expect(error).toBeInstanceOf(RiskDeniedError);
    expect(error.exitCode).toBe(3);
    expect(error.limit).toBe('global.maxOrderAmount');
    expect(error.limitValue).toBe('1');
    expect(error.attempted).toBe('2');
  });

  it('a position limit never blocks an order that shrinks the position', () => {
    expect(deny({venues: {a: {maxPosition: '1'}}}, order({side: 'sell', amount: '0.5'}))).toBeUndefined();
  });
});
