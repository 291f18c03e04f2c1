/**
 * Routing vocabulary: an intent (what the user wants), the candidates (what
 * each venue offers right now: market rules, book, fee, balances, caps,
 * latency, priority) and the plan of child orders a strategy produces.
 * Prices and costs in a plan are analytics (numbers, quote units); child
 * amounts are exact decimal strings, already on each venue's amount step.
 */
import type {Market, OrderBook, OrderType, PlannedOrder, Side} from '../types.js';

export const ROUTE_STRATEGIES = ['best_price', 'lowest_fee', 'fastest', 'split', 'priority'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

export interface RouteIntent {
  readonly symbol: string;
  readonly side: Side;
  /** Decimal string, base units. */
  readonly amount: string;
  /** Decimal string; set for limit orders. */
  readonly limitPrice?: string;
}

export interface VenueCandidate {
  readonly venue: string;
  readonly market: Market;
  readonly book: Pick<OrderBook, 'bids' | 'asks'>;
  /** Taker fee rate (fraction) after the user's fee override. */
  readonly takerFee: number;
  /** Spendable balances of the quote and base assets (free minus reserves); undefined when unknown (the venue will judge). */
  readonly quoteFree?: string;
  readonly baseFree?: string;
  /** What configured reserves hold back from the free balances (already taken out of quoteFree/baseFree). */
  readonly quoteReserved?: string;
  readonly baseReserved?: string;
  /** Largest base amount risk limits allow in one order on this venue. */
  readonly maxAmount?: string;
  /** Largest quote notional risk limits allow in one order on this venue. */
  readonly maxNotional?: number;
  /** Median measured latency in ms; undefined when never measured. */
  readonly latencyMs?: number;
  /** Lower runs first for `priority`. */
  readonly priority: number;
}

export interface Skip {
  readonly venue: string;
  readonly reason: string;
}

export interface RoutePlan {
  readonly strategy: RouteStrategy;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly amount: string;
  readonly limitPrice?: string;
  readonly children: readonly PlannedOrder[];
  /** Venues to fail over to, in order (strategy `priority`). */
  readonly fallbacks: readonly string[];
  /** Sum of the children's amounts, and what no venue could take. */
  readonly planned: string;
  readonly unplanned: string;
  readonly cost: number;
  readonly fees: number;
  readonly total: number;
  /** total / planned: average price per base unit after fees. */
  readonly effectivePrice: number | undefined;
  readonly skipped: readonly Skip[];
}
