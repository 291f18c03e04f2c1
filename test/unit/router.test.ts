import {describe, expect, it} from 'vitest';
import {NothingToPlaceError} from '../../src/core/errors.js';
import {add, cmp, dec, roundToStep, sum} from '../../src/core/money/decimal.js';
import {route} from '../../src/core/router/route.js';
import {floorToStep, prefixPricer} from '../../src/core/router/split.js';
import {priceOn, takerLevels} from '../../src/core/router/child.js';
import type {VenueCandidate} from '../../src/core/router/types.js';
import type {Level} from '../../src/core/types.js';
import {market} from './execution-support.js';

function cand(venue: string, asks: Level[], bids: Level[], over: Partial<VenueCandidate> = {}, m: Parameters<typeof market>[1] = {}): VenueCandidate {
  return {venue, market: market('BTC/USD', m), book: {asks, bids}, takerFee: 0.001, priority: 0, ...over};
}

// Hand-built books. Buying 1 BTC:
//  A: 0.5 @ 100 + 0.5 @ 101 = 100.5, fee 0.1%  -> 100.6005
//  B: 1 @ 100.2,              fee 0.25% -> 100.4505  (best after fees)
//  C: 1 @ 100.1,              fee 0.4%  -> 100.5004  (best before fees)
const A = () => cand('a', [[100, 0.5], [101, 1]], [[99, 1], [98, 5]], {takerFee: 0.001, priority: 1, latencyMs: 50});
const B = () => cand('b', [[100.2, 2]], [[99.5, 0.4], [99.4, 5]], {takerFee: 0.0025, priority: 2, latencyMs: 20});
const C = () => cand('c', [[100.1, 2]], [[99.2, 5]], {takerFee: 0.004, priority: 0, latencyMs: 5});

describe('single-venue strategies on hand-built books', () => {
  it('best_price picks the best average after fees, not the best top of book', () => {
    const plan = route('best_price', {symbol: 'BTC/USD', side: 'buy', amount: '1'}, [A(), B(), C()]);
    expect(plan.children.map((c) => c.venue)).toEqual(['b']);
    expect(plan.children[0]!.total).toBeCloseTo(100.4505, 9);
    expect(plan.children[0]!.fee).toBeCloseTo(0.2505, 9);
    expect(plan.unplanned).toBe('0');
  });

  it('best_price for a sell walks bids: B 0.4@99.5 + 0.6@99.4 less 0.25% vs A 1@99 less 0.1% vs C 99.2 less 0.4%', () => {
    // A: 99 * 0.999 = 98.901; B: (39.8 + 59.64) * 0.9975 = 99.19140; C: 99.2 * 0.996 = 98.8032
    const plan = route('best_price', {symbol: 'BTC/USD', side: 'sell', amount: '1'}, [A(), B(), C()]);
    expect(plan.children[0]!.venue).toBe('b');
    expect(plan.children[0]!.total).toBeCloseTo(99.1914, 4);
  });

  it('lowest_fee, fastest and priority choose as a person would', () => {
    const intent = {symbol: 'BTC/USD', side: 'buy' as const, amount: '1'};
    expect(route('lowest_fee', intent, [A(), B(), C()]).children[0]!.venue).toBe('a');
    expect(route('fastest', intent, [A(), B(), C()]).children[0]!.venue).toBe('c');
    const p = route('priority', intent, [A(), B(), C()]);
    expect(p.children[0]!.venue).toBe('c');
    expect(p.fallbacks).toEqual(['a', 'b']);
  });

  it('fastest puts never-measured venues last', () => {
    const intent = {symbol: 'BTC/USD', side: 'buy' as const, amount: '1'};
    const c = {...C(), latencyMs: undefined};
    expect(route('fastest', intent, [c, A()]).children[0]!.venue).toBe('a');
  });

  it('skips venues that cannot take the whole amount and says why', () => {
    const intent = {symbol: 'BTC/USD', side: 'buy' as const, amount: '1.8'};
    // A holds 1.5, B cannot pay, C has it.
    const plan = route('best_price', intent, [A(), {...B(), quoteFree: '100'}, C()]);
    expect(plan.children[0]!.venue).toBe('c');
    expect(plan.skipped.map((s) => s.venue).sort()).toEqual(['a', 'b']);
    expect(plan.skipped.find((s) => s.venue === 'a')!.reason).toMatch(/book holds only 1.5/);
  });

  it('respects the amount step, minimums and risk caps', () => {
    const intent = {symbol: 'BTC/USD', side: 'buy' as const, amount: '0.0015'};
    expect(() => route('best_price', intent, [A()])).toThrow(NothingToPlaceError);
    const capped = {...B(), maxAmount: '0.5'};
    const plan = route('best_price', {symbol: 'BTC/USD', side: 'buy', amount: '1'}, [A(), capped, C()]);
    expect(plan.children[0]!.venue).toBe('c');
  });

  it('a limit order may rest: only the crossing part is priced from the book', () => {
    const plan = route('best_price', {symbol: 'BTC/USD', side: 'buy', amount: '1', limitPrice: '100'}, [A()]);
    const child = plan.children[0]!;
    expect(child.type).toBe('limit');
    expect(child.price).toBe('100');
    expect(child.resting).toBe('0.5');
    expect(child.cost).toBeCloseTo(100, 9);
  });
});

describe('split', () => {
  it('walks the merged books by fee-adjusted price and respects balances (hand-computed)', () => {
    // Effective asks: A 100*1.001=100.1 (0.5), B 100.2*1.0025=100.4505 (2), C 100.1*1.004=100.5004 (2), A 101*1.001=101.101.
    // B can spend 150 USD incl. fee: 150 / 1.0025 / 100.2 = 1.49327 BTC -> 1.493 on the step.
    // Remainder 3 - 0.5 - 1.493 goes to C (next best), C's rounding dust goes back to C (marginal 100.5004 < A's 101.101).
    const plan = route('split', {symbol: 'BTC/USD', side: 'buy', amount: '3'}, [A(), {...B(), quoteFree: '150'}, C()]);
    const by = Object.fromEntries(plan.children.map((c) => [c.venue, c.amount]));
    expect(by).toEqual({a: '0.5', b: '1.493', c: '1.007'});
    expect(plan.unplanned).toBe('0');
    const b = plan.children.find((c) => c.venue === 'b')!;
    expect(b.total).toBeLessThanOrEqual(150);
    expect(plan.children.map((c) => c.leg)).toEqual([0, 1, 2]);
  });

  it('drops a venue whose share is below its minimum and walks again', () => {
    const plan = route('split', {symbol: 'BTC/USD', side: 'buy', amount: '3'}, [A(), {...B(), quoteFree: '150'}, cand('c', [[100.1, 2]], [], {takerFee: 0.004}, {minAmount: 1.5})]);
    const by = Object.fromEntries(plan.children.map((c) => [c.venue, c.amount]));
    expect(by).toEqual({a: '1.5', b: '1.493'});
    expect(plan.unplanned).toBe('0.007');
    expect(plan.skipped.find((s) => s.venue === 'c')!.reason).toMatch(/minimum amount/);
  });

  it('a sell never exceeds the base balance on a venue', () => {
    const plan = route('split', {symbol: 'BTC/USD', side: 'sell', amount: '2'}, [A(), {...B(), baseFree: '0.25'}, C()]);
    const b = plan.children.find((c) => c.venue === 'b');
    expect(b && cmp(b.amount, '0.25') <= 0).toBe(true);
    expect(sum(plan.children.map((c) => c.amount))).toBe('2');
  });

  it('split is never worse than the best single venue when one venue can fill', () => {
    const intent = {symbol: 'BTC/USD', side: 'buy' as const, amount: '1'};
    const single = route('best_price', intent, [A(), B(), C()]);
    const split = route('split', intent, [A(), B(), C()]);
    expect(split.total).toBeLessThanOrEqual(single.total + 1e-9);
  });

  it('property: children fit balances, caps, steps and minimums and never sum above the intent', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const side = rnd() < 0.5 ? 'buy' : 'sell';
      const cands: VenueCandidate[] = [];
      const n = 1 + Math.floor(rnd() * 6);
      for (let v = 0; v < n; v++) {
        const step = [0.001, 0.01, 0.0001][Math.floor(rnd() * 3)]!;
        const levels: Level[] = [];
        let p = 100 + rnd() * 2;
        for (let i = 0; i < 1 + Math.floor(rnd() * 20); i++) {
          levels.push([Number(p.toFixed(2)), Number((rnd() * 0.8 + 0.01).toFixed(4))]);
          p += side === 'buy' ? 0.05 + rnd() : -(0.05 + rnd());
        }
        cands.push({
          venue: `v${v}`,
          market: market('BTC/USD', {amountStep: step, minAmount: rnd() < 0.3 ? 0.3 : step, minCost: rnd() < 0.2 ? 20 : undefined}),
          book: side === 'buy' ? {asks: levels, bids: []} : {asks: [], bids: levels},
          takerFee: rnd() * 0.005,
          priority: v,
          ...(rnd() < 0.5 ? {quoteFree: dec(Number((rnd() * 300).toFixed(2))), baseFree: dec(Number((rnd() * 3).toFixed(3)))} : {}),
          ...(rnd() < 0.3 ? {maxAmount: '0.7'} : {}),
        });
      }
      const amount = dec(Number((rnd() * 4 + 0.01).toFixed(3)));
      const plan = route('split', {symbol: 'BTC/USD', side, amount}, cands);
      expect(cmp(plan.planned, amount)).toBeLessThanOrEqual(0);
      expect(add(plan.planned, plan.unplanned)).toBe(amount);
      for (const child of plan.children) {
        const c = cands.find((x) => x.venue === child.venue)!;
        const step = dec(c.market.amountStep!);
        expect(roundToStep(child.amount, step)).toBe(child.amount);
        expect(cmp(child.amount, dec(c.market.minAmount!))).toBeGreaterThanOrEqual(0);
        if (c.market.minCost !== undefined) expect(child.cost).toBeGreaterThanOrEqual(c.market.minCost);
        if (c.maxAmount) expect(cmp(child.amount, c.maxAmount)).toBeLessThanOrEqual(0);
        if (side === 'buy' && c.quoteFree) expect(child.total).toBeLessThanOrEqual(Number(c.quoteFree) * (1 + 1e-9));
        if (side === 'sell' && c.baseFree) expect(cmp(child.amount, c.baseFree)).toBeLessThanOrEqual(0);
        expect(Number(child.resting)).toBe(0);
      }
    }
  });
});

describe('floorToStep', () => {
  it('forgives float dust just under a step and floors otherwise', () => {
    expect(floorToStep(0.30000000000000004, 0.1)).toBe('0.3');
    expect(floorToStep(0.2999999999999, 0.1)).toBe('0.3');
    expect(floorToStep(0.29, 0.1)).toBe('0.2');
    expect(floorToStep(0, 0.1)).toBe('0');
  });
});

describe('prefixPricer', () => {
  it('prices like walking the book, for market and limit intents', () => {
    const c = A();
    for (const intent of [
      {symbol: 'BTC/USD', side: 'buy' as const, amount: '1'},
      {symbol: 'BTC/USD', side: 'buy' as const, amount: '1', limitPrice: '100.5'},
      {symbol: 'BTC/USD', side: 'sell' as const, amount: '1'},
    ]) {
      const fast = prefixPricer(intent, takerLevels(intent, c.book));
      for (const amount of [0, 0.1, 0.5, 0.75, 1.5, 2, 10]) {
        const a = fast(amount);
        const b = priceOn(c, intent, amount);
        expect(a.cost).toBeCloseTo(b.cost, 9);
        expect(a.filled).toBeCloseTo(b.filled, 12);
        expect(a.resting).toBeCloseTo(b.resting, 12);
        expect(a.worst).toBe(b.worst);
      }
    }
  });
});
