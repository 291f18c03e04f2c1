import {describe, expect, it} from 'vitest';
import {ageMs, costWithFee, isStale, mid, walkBook, walkLevels} from '../../src/core/market/book.js';
import type {Level} from '../../src/core/types.js';

const asks: Level[] = [
  [100, 1],
  [101, 2],
  [105, 3],
];
const bids: Level[] = [
  [99, 0.5],
  [98, 1.5],
];

describe('book walking', () => {
  it('fills within the first level at its price', () => {
    const w = walkLevels(asks, 0.4);
    expect(w.filled).toBe(0.4);
    expect(w.average).toBe(100);
    expect(w.levelsUsed).toBe(1);
  });

  it('averages across levels (hand computed)', () => {
    // 1 @ 100 + 2 @ 101 + 0.5 @ 105 = 100 + 202 + 52.5 = 354.5 for 3.5
    const w = walkBook({bids, asks}, 'buy', 3.5);
    expect(w.cost).toBeCloseTo(354.5, 10);
    expect(w.average).toBeCloseTo(354.5 / 3.5, 10);
    expect(w.worstPrice).toBe(105);
    expect(w.unfilled).toBe(0);
  });

  it('reports what the book cannot fill', () => {
    const w = walkBook({bids, asks}, 'sell', 3);
    expect(w.filled).toBe(2);
    expect(w.unfilled).toBe(1);
    // 0.5 @ 99 + 1.5 @ 98 = 49.5 + 147 = 196.5
    expect(w.cost).toBeCloseTo(196.5, 10);
  });

  it('a size far beyond the book still reports what filled', () => {
    const w = walkLevels(asks, 1e30);
    expect(w.filled).toBe(6);
    expect(w.average).toBeCloseTo((100 + 202 + 315) / 6, 10);
  });

  it('empty book fills nothing', () => {
    const w = walkLevels([], 1);
    expect(w.average).toBeUndefined();
    expect(w.unfilled).toBe(1);
  });

  it('applies taker fees in the right direction', () => {
    const w = walkBook({bids, asks}, 'buy', 1);
    expect(costWithFee(w, 'buy', 0.001)).toBeCloseTo(100.1, 10);
    expect(costWithFee(w, 'sell', 0.001)).toBeCloseTo(99.9, 10);
  });

  it('rejects negative or non-finite amounts', () => {
    expect(() => walkLevels(asks, -1)).toThrow(RangeError);
    expect(() => walkLevels(asks, Number.NaN)).toThrow(RangeError);
  });

  it('average always lies between the first and the worst level touched (property)', () => {
    for (let amount = 0.1; amount < 6; amount += 0.37) {
      const w = walkLevels(asks, amount);
      expect(w.average!).toBeGreaterThanOrEqual(100);
      expect(w.average!).toBeLessThanOrEqual(w.worstPrice!);
      expect(w.filled + w.unfilled).toBeCloseTo(amount, 12);
    }
  });
});

describe('staleness', () => {
  it('measures age from the older of venue and local timestamps', () => {
    expect(ageMs({timestamp: 1000, receivedAt: 1500}, 2000)).toBe(1000);
    expect(ageMs({timestamp: 3000, receivedAt: 1500}, 2000)).toBe(500);
    expect(isStale({timestamp: 1000, receivedAt: 1000}, 12_000, 10_000)).toBe(true);
    expect(isStale({timestamp: 1000, receivedAt: 1000}, 11_000, 10_000)).toBe(false);
  });

  it('mid of an empty side is undefined', () => {
    expect(mid({bids: [], asks})).toBeUndefined();
    expect(mid({bids, asks})).toBe(99.5);
  });
});
