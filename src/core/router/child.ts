/**
 * What every routing strategy builds on (pure): which book levels a taker
 * order may take, how one venue prices an amount, whether a venue can take an
 * amount as one order (and why not), one child order, and the plan around a
 * set of children. route.ts (single-venue strategies) and split.ts (merged
 * books) both use these; neither imports the other's strategies.
 *
 * Invariants: a child's amount is on its market's amount step; `total` is
 * cost plus the taker fee on buys and cost minus it on sells; a plan's
 * `planned` + `unplanned` equals the intent's amount.
 */
import {mid, walkLevels} from '../market/book.js';
import {cmp, dec, roundToStep, sub, sum} from '../money/decimal.js';
import type {RouteIntent, RoutePlan, RouteStrategy, Skip, VenueCandidate} from './types.js';
import type {PlannedOrder} from '../types.js';

const EPS = 1e-9;

/** Levels a taker order of `intent` can take from a book (limit orders stop at their price). */
export function takerLevels(intent: Pick<RouteIntent, 'side' | 'limitPrice'>, book: VenueCandidate['book']): readonly (readonly [number, number])[] {
  const levels = intent.side === 'buy' ? book.asks : book.bids;
  if (intent.limitPrice === undefined) return levels;
  const limit = Number(intent.limitPrice);
  let n = 0;
  while (n < levels.length && (intent.side === 'buy' ? levels[n]![0] <= limit + EPS * limit : levels[n]![0] >= limit - EPS * limit)) n++;
  return n === levels.length ? levels : levels.slice(0, n);
}

/** Prices `amount` (number) on one venue: walk what crosses, the rest rests at the limit price. */
export function priceOn(c: VenueCandidate, intent: RouteIntent, amount: number): {cost: number; filled: number; resting: number; worst: number | undefined} {
  const walk = walkLevels(takerLevels(intent, c.book), amount);
  if (intent.limitPrice === undefined) return {cost: walk.cost, filled: walk.filled, resting: 0, worst: walk.worstPrice};
  const resting = walk.unfilled;
  return {cost: walk.cost + resting * Number(intent.limitPrice), filled: walk.filled, resting, worst: walk.worstPrice};
}

export type Pricer = (amount: number) => {cost: number; filled: number; resting: number; worst: number | undefined};

export function buildChild(c: VenueCandidate, intent: RouteIntent, amount: string, leg: number, pricer?: Pricer): PlannedOrder {
  const n = Number(amount);
  const priced = pricer ? pricer(n) : priceOn(c, intent, n);
  const fee = priced.cost * c.takerFee;
  const total = intent.side === 'buy' ? priced.cost + fee : priced.cost - fee;
  const resting = intent.limitPrice === undefined ? '0' : roundToStep(dec(priced.resting < n * 1e-12 ? 0 : priced.resting), c.market.amountStep === undefined ? undefined : dec(c.market.amountStep), 'nearest');
  return {
    leg,
    venue: c.venue,
    symbol: intent.symbol,
    side: intent.side,
    type: intent.limitPrice === undefined ? 'market' : 'limit',
    amount,
    ...(intent.limitPrice === undefined ? {} : {price: dec(intent.limitPrice)}),
    expectedPrice: n > 0 ? priced.cost / n : 0,
    worstPrice: priced.worst,
    cost: priced.cost,
    feeRate: c.takerFee,
    fee,
    total,
    resting,
    mid: mid(c.book),
  };
}

/** Why a venue cannot take `amount` as one order, or undefined when it can. */
export function cannotTake(c: VenueCandidate, intent: RouteIntent, amount: string): string | undefined {
  const m = c.market;
  if (!m.active) return 'market is not active';
  if (m.amountStep !== undefined && cmp(roundToStep(amount, dec(m.amountStep)), amount) !== 0) return `amount ${amount} is not a multiple of the step ${dec(m.amountStep)}`;
  if (m.minAmount !== undefined && cmp(amount, dec(m.minAmount)) < 0) return `amount ${amount} is below the minimum ${dec(m.minAmount)}`;
  if (m.maxAmount !== undefined && cmp(amount, dec(m.maxAmount)) > 0) return `amount ${amount} is above the market maximum ${dec(m.maxAmount)}`;
  if (intent.limitPrice !== undefined && m.priceStep !== undefined && cmp(roundToStep(intent.limitPrice, dec(m.priceStep), 'nearest'), intent.limitPrice) !== 0) {
    return `limit price ${intent.limitPrice} is not a multiple of the tick ${dec(m.priceStep)}`;
  }
  if (c.maxAmount !== undefined && cmp(amount, c.maxAmount) > 0) return `risk limits allow at most ${c.maxAmount} per order`;
  const n = Number(amount);
  const priced = priceOn(c, intent, n);
  if (intent.limitPrice === undefined && priced.filled < n * (1 - 1e-12)) return `book holds only ${dec(Number(priced.filled.toPrecision(12)))} of ${amount}`;
  if (m.minCost !== undefined && priced.cost < m.minCost) return `order value ${priced.cost} is below the minimum ${m.minCost}`;
  if (c.maxNotional !== undefined && priced.cost > c.maxNotional * (1 + 1e-12)) return `risk limits allow at most ${c.maxNotional} ${m.quote} per order`;
  if (intent.side === 'buy' && c.quoteFree !== undefined) {
    const need = priced.cost * (1 + c.takerFee);
    if (need > Number(c.quoteFree) * (1 + 1e-12)) return `needs ${roundToStep(dec(need), '0.00000001', 'up')} ${m.quote}, ${c.quoteFree} free`;
  }
  if (intent.side === 'sell' && c.baseFree !== undefined && cmp(amount, c.baseFree) > 0) return `needs ${amount} ${m.base}, ${c.baseFree} free`;
  return undefined;
}

export function planFromChildren(strategy: RouteStrategy, intent: RouteIntent, children: readonly PlannedOrder[], skipped: readonly Skip[], fallbacks: readonly string[] = []): RoutePlan {
  const planned = sum(children.map((c) => c.amount));
  const cost = children.reduce((s, c) => s + c.cost, 0);
  const fees = children.reduce((s, c) => s + c.fee, 0);
  const total = children.reduce((s, c) => s + c.total, 0);
  return {
    strategy,
    symbol: intent.symbol,
    side: intent.side,
    type: intent.limitPrice === undefined ? 'market' : 'limit',
    amount: dec(intent.amount),
    ...(intent.limitPrice === undefined ? {} : {limitPrice: dec(intent.limitPrice)}),
    children,
    fallbacks,
    planned,
    unplanned: sub(intent.amount, planned),
    cost,
    fees,
    total,
    effectivePrice: Number(planned) > 0 ? total / Number(planned) : undefined,
    skipped,
  };
}

