/**
 * Book walking: what it costs to take `amount` from one side of a book.
 * Analytics use numbers (see types.ts numeric policy). Levels are best first.
 *
 * Invariants: filled + unfilled = amount; filled never exceeds the book's
 * depth; average is cost / filled and lies between the first and last level
 * touched.
 */
import type {Level, OrderBook, Side} from '../types.js';

export interface Walk {
  /** Base units taken from the book. */
  readonly filled: number;
  /** Base units the book could not supply. */
  readonly unfilled: number;
  /** Quote units spent (buy) or received (sell), before fees. */
  readonly cost: number;
  /** Volume-weighted average price, undefined when nothing filled. */
  readonly average: number | undefined;
  /** Price of the last level touched. */
  readonly worstPrice: number | undefined;
  readonly levelsUsed: number;
}

/** Takes `amount` base units from `levels` (best first). */
export function walkLevels(levels: readonly Level[], amount: number): Walk {
  if (!(amount >= 0) || !Number.isFinite(amount)) throw new RangeError(`amount must be a finite number >= 0, got ${amount}`);
  let remaining = amount;
  let filled = 0;
  let cost = 0;
  let worst: number | undefined;
  let used = 0;
  for (const [price, size] of levels) {
    if (remaining <= 0) break;
    if (!(size > 0)) continue;
    const take = size < remaining ? size : remaining;
    cost += take * price;
    remaining -= take;
    filled += take;
    worst = price;
    used++;
  }
  // Float dust below a trillionth of the amount is treated as filled.
  if (remaining < amount * 1e-12) {
    filled += remaining;
    remaining = 0;
  }
  return {filled, unfilled: remaining, cost, average: filled > 0 ? cost / filled : undefined, worstPrice: worst, levelsUsed: used};
}

/** A buy walks the asks; a sell walks the bids. */
export function walkBook(book: Pick<OrderBook, 'bids' | 'asks'>, side: Side, amount: number): Walk {
  return walkLevels(side === 'buy' ? book.asks : book.bids, amount);
}

/** Quote units needed to buy (or received selling) `amount` including a taker fee rate. */
export function costWithFee(walk: Walk, side: Side, feeRate: number): number {
  return side === 'buy' ? walk.cost * (1 + feeRate) : walk.cost * (1 - feeRate);
}

export function mid(book: Pick<OrderBook, 'bids' | 'asks'>): number | undefined {
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : undefined;
}

/** Data age in ms against the local clock; the venue timestamp is preferred. */
export function ageMs(data: {timestamp: number; receivedAt: number}, now: number): number {
  return Math.max(0, now - Math.min(data.timestamp, data.receivedAt));
}

export function isStale(data: {timestamp: number; receivedAt: number}, now: number, maxAgeMs: number): boolean {
  return ageMs(data, now) > maxAgeMs;
}
