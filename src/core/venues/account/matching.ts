/**
 * Book matching, used by the account engine (simulated venues and paper
 * trading) and by the loopback exchange servers: a taker order walks the
 * opposite side of a book level by level; a limit order stops at its limit
 * price. Amounts are exact (decimal strings in and out); prices are the
 * book's own.
 *
 * Invariants: the sum of fill amounts never exceeds the order amount; a buy
 * never fills above its limit and a sell never below; the returned book is
 * the input book minus exactly what was filled.
 */
import {fromUnits, toUnits} from '../../money/decimal.js';
import type {Level, Side} from '../../types.js';

export interface MatchInput {
  readonly side: Side;
  /** Decimal string, base units. */
  readonly amount: string;
  /** Limit price; undefined for a market order. */
  readonly limitPrice?: number;
}

export interface MatchFill {
  readonly price: number;
  /** Decimal string, base units. */
  readonly amount: string;
}

export interface MatchResult {
  readonly fills: readonly MatchFill[];
  /** Decimal strings. */
  readonly filled: string;
  readonly remaining: string;
  /** Quote spent (buy) or received (sell), before fees; decimal string. */
  readonly cost: string;
  /** Volume-weighted average fill price, undefined when nothing filled. */
  readonly average: number | undefined;
  /** The opposite side after the fills, best first. */
  readonly remainingLevels: readonly Level[];
}

export interface BookSides {
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** Does a price cross a level, for an order on `side`? */
export function crosses(side: Side, limitPrice: number | undefined, levelPrice: number): boolean {
  if (limitPrice === undefined) return true;
  return side === 'buy' ? levelPrice <= limitPrice : levelPrice >= limitPrice;
}

/** Walks the opposite side of `book` for a taker order. Pure. */
export function matchOrder(book: BookSides, order: MatchInput): MatchResult {
  const levels = order.side === 'buy' ? book.asks : book.bids;
  let remaining = toUnits(order.amount);
  let filled = 0n;
  let costUnits = 0n;
  const fills: MatchFill[] = [];
  const left: Level[] = [];
  let index = 0;
  for (; index < levels.length && remaining > 0n; index++) {
    const level = levels[index]!;
    const [price, size] = level;
    if (!crosses(order.side, order.limitPrice, price)) break;
    const available = toUnits(size);
    if (available <= 0n) continue;
    const take = available < remaining ? available : remaining;
    remaining -= take;
    filled += take;
    costUnits += (take * toUnits(price)) / 10n ** 18n;
    fills.push({price, amount: fromUnits(take)});
    if (take < available) left.push([price, Number(fromUnits(available - take))]);
  }
  for (; index < levels.length; index++) left.push(levels[index]!);
  const filledText = fromUnits(filled);
  return {
    fills,
    filled: filledText,
    remaining: fromUnits(remaining),
    cost: fromUnits(costUnits),
    average: filled > 0n ? Number(fromUnits(costUnits)) / Number(filledText) : undefined,
    remainingLevels: left,
  };
}

/** Inserts a resting order's remainder into its own side of a book, keeping best-first order. */
export function addLevel(levels: readonly Level[], side: Side, price: number, amount: number): Level[] {
  const out = levels.slice();
  const better = (a: number, b: number) => (side === 'buy' ? a > b : a < b);
  let i = 0;
  while (i < out.length && better(out[i]![0], price)) i++;
  if (i < out.length && out[i]![0] === price) out[i] = [price, out[i]![1] + amount];
  else out.splice(i, 0, [price, amount]);
  return out;
}

/** Applies a match to a whole book, returning the new book. */
export function applyMatch(book: BookSides, side: Side, result: MatchResult): BookSides {
  return side === 'buy' ? {bids: book.bids, asks: result.remainingLevels} : {bids: result.remainingLevels, asks: book.asks};
}
