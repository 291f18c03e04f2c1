import {describe, expect, it} from 'vitest';
import {commonStep, marginalEdge, walkCross} from '../../src/core/arb/walk.js';

describe('walkCross: book walking with taker fees on both sides', () => {
  it('rejects a spread that is positive at the top of the book but negative after fees', () => {
    // 100.1 * 0.999 - 100 * 1.001 = 99.9999 - 100.1 = -0.1001 per unit
    expect(marginalEdge(100, 100.1, 0.001, 0.001)).toBeCloseTo(-0.1001, 10);
    const r = walkCross({asks: [[100, 1]], bids: [[100.1, 1]], buyFee: 0.001, sellFee: 0.001});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('unprofitable');
  });

  it('takes only the profitable part of the first level', () => {
    // L1: 100.5*0.999 - 100*1.001 = 0.2995 > 0 -> take min(2, 1) = 1
    // next: ask 100 vs bid 100.2: 100.2*0.999 - 100.1 = -0.0002 -> stop at 1 of the 2 offered
    const r = walkCross({
      asks: [[100, 2], [101, 5]],
      bids: [[100.5, 1], [100.2, 3]],
      buyFee: 0.001,
      sellFee: 0.001,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.size).toBe(1);
    expect(r.amount).toBe('1');
    expect(r.limitedBy).toBe('profitability');
    expect(r.buy.avgPrice).toBe(100);
    expect(r.sell.avgPrice).toBe(100.5);
    expect(r.buy.limitPrice).toBe(100);
    expect(r.sell.limitPrice).toBe(100.5);
    expect(r.grossProfit).toBeCloseTo(0.5, 10);
    expect(r.fees).toBeCloseTo(0.1 + 0.1005, 10);
    expect(r.netProfit).toBeCloseTo(0.2995, 10);
    expect(r.netBps).toBeCloseTo(29.95, 8);
  });

  it('walks several levels while each marginal unit stays profitable', () => {
    // no fees: asks 100 x1, 101 x1, 103 x1; bids 104 x1.5, 102 x2
    // 100 vs 104 (1) -> 101 vs 104 (0.5) -> 101 vs 102 (0.5) -> 103 vs 102 stop: size 2
    const r = walkCross({asks: [[100, 1], [101, 1], [103, 1]], bids: [[104, 1.5], [102, 2]], buyFee: 0, sellFee: 0});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.size).toBe(2);
    expect(r.buy.notional).toBeCloseTo(201, 10);
    expect(r.sell.notional).toBeCloseTo(104 * 1.5 + 102 * 0.5, 10); // 207
    expect(r.netProfit).toBeCloseTo(6, 10);
    expect(r.buy.avgPrice).toBeCloseTo(100.5, 10);
    expect(r.sell.avgPrice).toBeCloseTo(103.5, 10);
    expect(r.buy.limitPrice).toBe(101);
    expect(r.sell.limitPrice).toBe(102);
  });

  it('stops when a book runs out', () => {
    const r = walkCross({asks: [[100, 1]], bids: [[110, 5]], buyFee: 0, sellFee: 0});
    expect(r.ok && r.limitedBy).toBe('depth');
    expect(r.ok && r.size).toBe(1);
  });

  it('refuses a profitable sliver under the market minimum when the minimum loses money', () => {
    // L1 edge: 101*0.999 - 100*1.001 = 0.799 -> 0.0005 profitable, then 100.5 vs 102 stops.
    // At the minimum 0.001: buy 0.0005*100 + 0.0005*102 = 0.101, sell 0.0005*101 + 0.0005*100.5 = 0.10075
    // net = 0.10075*0.999 - 0.101*1.001 = -0.00045175
    const r = walkCross({
      asks: [[100, 0.0005], [102, 1]],
      bids: [[101, 0.0005], [100.5, 1]],
      buyFee: 0.001,
      sellFee: 0.001,
      minAmount: 0.001,
      amountStep: 0.0001,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('below-minimum');
      expect(r.profitableSize).toBeCloseTo(0.0005, 12);
    }
  });

  it('raises a profitable sliver to the market minimum when the whole trade still nets a profit', () => {
    // At 0.001: buy 0.05 + 0.0505 = 0.1005, sell 0.0505 + 0.05045 = 0.10095, net 0.00045
    const r = walkCross({
      asks: [[100, 0.0005], [101, 1]],
      bids: [[101, 0.0005], [100.9, 1]],
      buyFee: 0,
      sellFee: 0,
      minAmount: 0.001,
      amountStep: 0.0001,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.amount).toBe('0.001');
    expect(r.limitedBy).toBe('minimum');
    expect(r.netProfit).toBeCloseTo(0.00045, 12);
  });

  it('stops at a minimum notional the capped size cannot reach', () => {
    // maxSize 0.05 -> notional 5 < min cost 10; the minimum (0.1) is above max-size
    const r = walkCross({asks: [[100, 5]], bids: [[101, 5]], buyFee: 0, sellFee: 0, maxSize: 0.05, buyMinCost: 10});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('below-minimum');
  });

  it('rounds the size down to the common step', () => {
    const r = walkCross({asks: [[100, 0.12345]], bids: [[101, 1]], buyFee: 0, sellFee: 0, amountStep: commonStep(0.01, 0.001)});
    expect(r.ok && r.amount).toBe('0.12');
    expect(r.ok && r.netProfit).toBeCloseTo(0.12, 10);
  });

  it('caps by max size, max notional and balances, saying which', () => {
    const base = {asks: [[100, 10]] as const, bids: [[102, 10]] as const, buyFee: 0.001, sellFee: 0.001, amountStep: 0.001};
    const bySize = walkCross({...base, maxSize: 0.25});
    expect(bySize.ok && [bySize.amount, bySize.limitedBy]).toEqual(['0.25', 'max-size']);
    const byNotional = walkCross({...base, maxNotional: 150});
    expect(byNotional.ok && [byNotional.amount, byNotional.limitedBy]).toEqual(['1.5', 'max-notional']);
    // 50 quote pays notional and fee: 50 / 1.001 / 100 = 0.4995... -> 0.499
    const byQuote = walkCross({...base, buyQuoteBalance: 50});
    expect(byQuote.ok && [byQuote.amount, byQuote.limitedBy]).toEqual(['0.499', 'balance-buy']);
    const byBase = walkCross({...base, sellBaseBalance: 0.3});
    expect(byBase.ok && [byBase.amount, byBase.limitedBy]).toEqual(['0.3', 'balance-sell']);
    const none = walkCross({...base, sellBaseBalance: 0});
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.reason).toBe('no-balance');
  });

  it('finds the least common step', () => {
    expect(commonStep(0.001, 0.0001)).toBe(0.001);
    expect(commonStep(0.002, 0.003)).toBe(0.006);
    expect(commonStep(undefined, 0.01)).toBe(0.01);
    expect(commonStep(undefined, undefined)).toBeUndefined();
  });
});
