/**
 * Routing strategies (pure): intent + candidates -> plan of child orders.
 *
 * - best_price: the single venue whose walked book gives the best average
 *   price for the whole amount after its taker fee.
 * - lowest_fee: the lowest taker fee among venues that can take the whole
 *   amount (ties: best price).
 * - fastest: the lowest measured latency among venues that can take the
 *   whole amount (never measured = slowest; ties: best price).
 * - priority: configured order; the first venue that can take the whole
 *   amount, the others that can as failover, in order.
 * - split: see split.ts.
 *
 * A venue "can take" the amount when its market is active, the amount is on
 * its amount step and at least its minimum amount and cost, its book holds
 * the amount (market orders; a limit order's remainder may rest), the free
 * balance covers it (when known) and risk caps allow it. Every venue left
 * out is listed in `skipped` with the reason.
 */
import {UsageError} from '../errors.js';
import {walkLevels} from '../market/book.js';
import {cmp, dec, roundToStep, sub, sum} from '../money/decimal.js';
import {splitRoute} from './split.js';
import type {ChildOrder, RouteIntent, RoutePlan, RouteStrategy, Skip, VenueCandidate} from './types.js';

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

export function buildChild(c: VenueCandidate, intent: RouteIntent, amount: string, leg: number, pricer?: Pricer): ChildOrder {
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
    if (need > Number(c.quoteFree) * (1 + 1e-12)) return `needs ${need} ${m.quote}, ${c.quoteFree} free`;
  }
  if (intent.side === 'sell' && c.baseFree !== undefined && cmp(amount, c.baseFree) > 0) return `needs ${amount} ${m.base}, ${c.baseFree} free`;
  return undefined;
}

/** Effective price per base unit after fees: lower is better for buys, higher for sells. */
function better(side: 'buy' | 'sell', a: ChildOrder, b: ChildOrder): number {
  const pa = a.total / Number(a.amount);
  const pb = b.total / Number(b.amount);
  return side === 'buy' ? pa - pb : pb - pa;
}

export function planFromChildren(strategy: RouteStrategy, intent: RouteIntent, children: readonly ChildOrder[], skipped: readonly Skip[], fallbacks: readonly string[] = []): RoutePlan {
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

/** Routes an intent with one strategy. Throws UsageError when no venue can take it. */
export function route(strategy: RouteStrategy, intent: RouteIntent, candidates: readonly VenueCandidate[]): RoutePlan {
  if (candidates.length === 0) throw new UsageError(`no venue lists ${intent.symbol}`);
  if (strategy === 'split') return splitRoute(intent, candidates);
  const skipped: Skip[] = [];
  const ok: {c: VenueCandidate; child: ChildOrder}[] = [];
  for (const c of candidates) {
    const reason = cannotTake(c, intent, dec(intent.amount));
    if (reason) skipped.push({venue: c.venue, reason});
    else ok.push({c, child: buildChild(c, intent, dec(intent.amount), 0)});
  }
  if (ok.length === 0) {
    throw new UsageError(
      `no venue can take ${intent.side} ${dec(intent.amount)} ${intent.symbol} as one order: ${skipped.map((s) => `${s.venue}: ${s.reason}`).join('; ')}`,
      'try --route split to spread it over several venues, or a smaller amount',
    );
  }
  const byPrice = (a: {child: ChildOrder}, b: {child: ChildOrder}) => better(intent.side, a.child, b.child);
  let ranked: typeof ok;
  switch (strategy) {
    case 'best_price':
      ranked = ok.sort((a, b) => byPrice(a, b) || a.c.venue.localeCompare(b.c.venue));
      break;
    case 'lowest_fee':
      ranked = ok.sort((a, b) => a.c.takerFee - b.c.takerFee || byPrice(a, b) || a.c.venue.localeCompare(b.c.venue));
      break;
    case 'fastest':
      ranked = ok.sort((a, b) => (a.c.latencyMs ?? Infinity) - (b.c.latencyMs ?? Infinity) || byPrice(a, b) || a.c.venue.localeCompare(b.c.venue));
      break;
    case 'priority':
      ranked = ok.sort((a, b) => a.c.priority - b.c.priority || a.c.venue.localeCompare(b.c.venue));
      break;
  }
  const [first, ...rest] = ranked;
  return planFromChildren(strategy, intent, [first!.child], skipped, strategy === 'priority' ? rest.map((r) => r.c.venue) : []);
}
