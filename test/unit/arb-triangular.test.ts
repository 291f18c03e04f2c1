import {describe, expect, it} from 'vitest';
import {evaluateTriangularCandidates, screenTriangular, walkCycle, type CycleLegInput} from '../../src/core/arb/triangular.js';
import type {Level, Market, OrderBook, Quote} from '../../src/core/types.js';

const NOW = 1_700_000_000_000;

function market(symbol: string, over: Partial<Market> = {}): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol, id: symbol.replace('/', ''), base, quote, baseId: base, quoteId: quote, type: 'spot', active: true,
    taker: 0, maker: 0, amountStep: undefined, priceStep: undefined, minAmount: undefined, maxAmount: undefined, minCost: undefined,
    ...over,
  };
}

function quote(symbol: string, bid: number | undefined, ask: number | undefined, ts = NOW): Quote {
  return {venue: 'v', symbol, bid, bidSize: 1, ask, askSize: 1, timestamp: ts, receivedAt: ts};
}

const opts = {now: NOW, maxAgeMs: 10_000, minBps: 0, maxCandidates: 10};

describe('screenTriangular', () => {
  it('finds a known cycle with its known product, in the right direction only', () => {
    // USD -> BTC (ask 100) -> ETH (ask 0.0501 BTC) -> USD (bid 5.2): 5.2 / (100 * 0.0501) = 1.0379241...
    // Reverse: USD -> ETH (ask 5.21) -> BTC (bid 0.05) -> USD (bid 99.9): 0.05 * 99.9 / 5.21 = 0.9587 (no)
    const markets = [market('BTC/USD'), market('ETH/BTC'), market('ETH/USD')];
    const quotes = [quote('BTC/USD', 99.9, 100), quote('ETH/BTC', 0.05, 0.0501), quote('ETH/USD', 5.2, 5.21)];
    const s = screenTriangular('v', markets, quotes, opts);
    expect(s.candidates).toHaveLength(1);
    const c = s.candidates[0]!;
    expect(c.assets).toEqual(['USD', 'BTC', 'ETH']);
    expect(c.legs.map((l) => `${l.side} ${l.market.symbol}`)).toEqual(['buy BTC/USD', 'buy ETH/BTC', 'sell ETH/USD']);
    expect(c.topRate).toBeCloseTo(5.2 / (100 * 0.0501), 12);
    expect(s.cyclesChecked).toBe(2);
  });

  it('takes taker fees on every leg', () => {
    const markets = [market('BTC/USD', {taker: 0.001}), market('ETH/BTC', {taker: 0.001}), market('ETH/USD', {taker: 0.001})];
    const quotes = [quote('BTC/USD', 99.9, 100), quote('ETH/BTC', 0.05, 0.0501), quote('ETH/USD', 5.2, 5.21)];
    const s = screenTriangular('v', markets, quotes, opts);
    expect(s.candidates[0]!.topRate).toBeCloseTo((5.2 / (100 * 0.0501)) * 0.999 ** 3, 12);
    // a config override of 2% per leg kills it: 1.0379 * 0.98^3 = 0.977
    const none = screenTriangular('v', markets, quotes, {...opts, fees: {v: {taker: 0.02}}});
    expect(none.candidates).toHaveLength(0);
  });

  it('finds no false cycle from a consistent inverted pair (ETH/BTC vs BTC/ETH)', () => {
    // Consistent prices: BTC 100 USD, ETH 5 USD -> ETH/BTC 0.05 or BTC/ETH 20. A scanner that
    // read ETH/BTC as BTC/ETH (rate = price instead of 1/price) would see huge "cycles" here.
    const a = screenTriangular('v', [market('BTC/USD'), market('ETH/USD'), market('ETH/BTC')], [quote('BTC/USD', 99.95, 100.05), quote('ETH/USD', 4.9975, 5.0025), quote('ETH/BTC', 0.04997, 0.05003)], opts);
    expect(a.candidates).toHaveLength(0);
    const b = screenTriangular('v', [market('BTC/USD'), market('ETH/USD'), market('BTC/ETH')], [quote('BTC/USD', 99.95, 100.05), quote('ETH/USD', 4.9975, 5.0025), quote('BTC/ETH', 19.99, 20.01)], opts);
    expect(b.candidates).toHaveLength(0);
    expect(b.cyclesChecked).toBe(2);
  });

  it('uses bid and ask, not mids: a cycle visible at mid prices but not at the touch is not reported', () => {
    // mids: 100, 0.05, 5.02 -> 5.02 / 5 = 1.004; at the touch: 5.0 / (100.5 * 0.0502) = 0.991
    const s = screenTriangular('v', [market('BTC/USD'), market('ETH/BTC'), market('ETH/USD')], [quote('BTC/USD', 99.5, 100.5), quote('ETH/BTC', 0.0498, 0.0502), quote('ETH/USD', 5.0, 5.04)], opts);
    expect(s.candidates).toHaveLength(0);
  });

  it('ignores one-sided and stale quotes, counting the stale ones', () => {
    const markets = [market('BTC/USD'), market('ETH/BTC'), market('ETH/USD')];
    const one = screenTriangular('v', markets, [quote('BTC/USD', 99.9, 100), quote('ETH/BTC', undefined, 0.0501), quote('ETH/USD', 5.2, 5.21)], opts);
    expect(one.candidates).toHaveLength(0);
    const stale = screenTriangular('v', markets, [quote('BTC/USD', 99.9, 100), quote('ETH/BTC', 0.05, 0.0501, NOW - 60_000), quote('ETH/USD', 5.2, 5.21)], opts);
    expect(stale.candidates).toHaveLength(0);
    expect(stale.stale).toEqual([{venue: 'v', symbol: 'ETH/BTC', ageMs: 60_000}]);
  });
});

function leg(symbol: string, side: 'buy' | 'sell', levels: Level[], over: Partial<Market> = {}, fee = 0): CycleLegInput {
  const m = market(symbol, over);
  return {market: m, side, from: side === 'buy' ? m.quote : m.base, to: side === 'buy' ? m.base : m.quote, fee: {rate: fee, source: 'market'}, levels};
}

describe('walkCycle', () => {
  it('grows the start while the marginal product beats 1, limited by the thinnest leg', () => {
    // rates 0.01, 20, 5.2 -> 1.04. Leg capacities in USD: 100, 50, 25 -> 25 USD; then ETH bid 5.0 gives 1.0: stop.
    const r = walkCycle([
      leg('BTC/USD', 'buy', [[100, 1]], {amountStep: 0.0001}),
      leg('ETH/BTC', 'buy', [[0.05, 10], [0.051, 100]], {amountStep: 0.001}),
      leg('ETH/USD', 'sell', [[5.2, 5], [5.0, 100]], {amountStep: 0.001}),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.limitedBy).toBe('profitability');
    expect(r.startAmount).toBeCloseTo(25, 9);
    expect(r.endAmount).toBeCloseTo(26, 9);
    expect(r.legs.map((l) => l.baseAmount)).toEqual(['0.25', '5', '5']);
  });

  it('charges the fee on what each leg receives', () => {
    // start 25.0500751...: 0.2505 BTC -> 0.25025 after fee -> 5.005 ETH -> 5.0 after fee -> 26 USD -> 25.974 after fee
    const r = walkCycle([
      leg('BTC/USD', 'buy', [[100, 1]], {}, 0.001),
      leg('ETH/BTC', 'buy', [[0.05, 10], [0.051, 100]], {}, 0.001),
      leg('ETH/USD', 'sell', [[5.2, 5], [5.0, 100]], {}, 0.001),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.startAmount).toBeCloseTo(5 / 0.999 / 0.999 * 0.05 * 100, 6);
    expect(r.endAmount).toBeCloseTo(25.974, 6);
  });

  it('raises the start to a leg minimum when the whole cycle still profits', () => {
    // ETH/USD min 10 ETH: 50 USD -> 0.5 BTC -> 10 ETH -> 5*5.2 + 5*4.9 = 50.5 USD
    const r = walkCycle([
      leg('BTC/USD', 'buy', [[100, 1]]),
      leg('ETH/BTC', 'buy', [[0.05, 10], [0.051, 100]]),
      leg('ETH/USD', 'sell', [[5.2, 5], [4.9, 100]], {minAmount: 10}),
    ]);
    expect(r.ok && r.limitedBy).toBe('minimum');
    expect(r.ok && r.startAmount).toBeCloseTo(50, 6);
    expect(r.ok && r.endAmount).toBeCloseTo(50.5, 6);
  });

  it('refuses when the leg minimum turns the cycle into a loss', () => {
    // 10 ETH -> 5*5.2 + 5*4.0 = 46 USD for 50 USD
    const r = walkCycle([
      leg('BTC/USD', 'buy', [[100, 1]]),
      leg('ETH/BTC', 'buy', [[0.05, 10], [0.051, 100]]),
      leg('ETH/USD', 'sell', [[5.2, 5], [4.0, 100]], {minAmount: 10}),
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('below-minimum');
  });

  it('caps the start by a balance', () => {
    const r = walkCycle(
      [leg('BTC/USD', 'buy', [[100, 1]]), leg('ETH/BTC', 'buy', [[0.05, 10]]), leg('ETH/USD', 'sell', [[5.2, 5]])],
      {startBalance: 10},
    );
    expect(r.ok && r.limitedBy).toBe('balance-buy');
    expect(r.ok && r.startAmount).toBeCloseTo(10, 9);
    expect(r.ok && r.endAmount).toBeCloseTo(10.4, 9);
  });
});

describe('evaluateTriangularCandidates', () => {
  const markets = [market('BTC/USD'), market('ETH/BTC'), market('ETH/USD')];
  const quotes = [quote('BTC/USD', 99.9, 100), quote('ETH/BTC', 0.05, 0.0501), quote('ETH/USD', 5.2, 5.21)];
  const screen = screenTriangular('v', markets, quotes, opts);
  const book = (symbol: string, bids: Level[], asks: Level[], ts = NOW): OrderBook => ({venue: 'v', symbol, bids, asks, timestamp: ts, receivedAt: ts});
  const books = (skewed = 0) =>
    new Map([
      ['v\u0000BTC/USD', book('BTC/USD', [[99.9, 1]], [[100, 1]])],
      ['v\u0000ETH/BTC', book('ETH/BTC', [[0.05, 10]], [[0.0501, 10]], NOW - skewed)],
      ['v\u0000ETH/USD', book('ETH/USD', [[5.2, 5]], [[5.21, 5]])],
    ]);
  const evalOpts = {now: NOW, maxAgeMs: 10_000, maxSkewMs: 3000, minBps: 0, minProfit: 0, valuer: (a: string) => (a === 'USD' ? 1 : undefined)};

  it('turns a candidate with depth into an opportunity', () => {
    const ev = evaluateTriangularCandidates(screen.candidates, books(), new Map(), evalOpts);
    expect(ev.opportunities).toHaveLength(1);
    const o = ev.opportunities[0]!;
    expect(o.key).toBe('tri:v:USD>BTC>ETH');
    // ETH/USD bid depth 5 ETH limits: 5 ETH = 0.2505 BTC = 25.05 USD -> 26 USD
    expect(o.startAmount).toBeCloseTo(25.05, 9);
    expect(o.endAmount).toBeCloseTo(26, 9);
    expect(o.netValue).toBeCloseTo(0.95, 9);
  });

  it('does not combine books of one venue taken too far apart', () => {
    const ev = evaluateTriangularCandidates(screen.candidates, books(5000), new Map(), {...evalOpts, maxAgeMs: 60_000});
    expect(ev.opportunities).toHaveLength(0);
    expect(ev.skipped[0]!.reason).toBe('book-skew');
  });
});
