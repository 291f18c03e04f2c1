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
import {NothingToPlaceError} from '../errors.js';
import {dec} from '../money/decimal.js';
import {buildChild, cannotTake, planFromChildren} from './child.js';
import {splitRoute} from './split.js';
import type {RouteIntent, RoutePlan, RouteStrategy, Skip, VenueCandidate} from './types.js';
import type {PlannedOrder} from '../types.js';

/** Effective price per base unit after fees: lower is better for buys, higher for sells. */
function better(side: 'buy' | 'sell', a: PlannedOrder, b: PlannedOrder): number {
  const pa = a.total / Number(a.amount);
  const pb = b.total / Number(b.amount);
  return side === 'buy' ? pa - pb : pb - pa;
}

/** Routes an intent with one strategy. Throws NothingToPlaceError when no venue can take it. */
export function route(strategy: RouteStrategy, intent: RouteIntent, candidates: readonly VenueCandidate[]): RoutePlan {
  if (candidates.length === 0) throw new NothingToPlaceError(`no venue lists ${intent.symbol}`, 'see `xarb prices` for what each venue lists');
  if (strategy === 'split') return splitRoute(intent, candidates);
  const skipped: Skip[] = [];
  const ok: {c: VenueCandidate; child: PlannedOrder}[] = [];
  for (const c of candidates) {
    const reason = cannotTake(c, intent, dec(intent.amount));
    if (reason) skipped.push({venue: c.venue, reason});
    else ok.push({c, child: buildChild(c, intent, dec(intent.amount), 0)});
  }
  if (ok.length === 0) {
    throw new NothingToPlaceError(
      `no venue can take ${intent.side} ${dec(intent.amount)} ${intent.symbol} as one order: ${skipped.map((s) => `${s.venue}: ${s.reason}`).join('; ')}`,
      skipped.some((x) => / 0 free$/.test(x.reason))
        ? 'a venue with 0 free cannot take it: fund a paper venue with `xarb exchanges add ID --paper-balance USDT=10000,BTC=1` (or `xarb exchanges set NAME paperBalances.USDT=10000`); or try --route split, or a smaller amount'
        : 'try --route split to spread it over several venues, or a smaller amount',
    );
  }
  const byPrice = (a: {child: PlannedOrder}, b: {child: PlannedOrder}) => better(intent.side, a.child, b.child);
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
