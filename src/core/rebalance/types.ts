/**
 * Rebalance plan types: the planner's input (a snapshot of every targeted
 * venue) and its output (ordered steps, costs, allocations, skipped moves).
 *
 * Numeric policy: values and costs are analytics in the valuation quote
 * (`number`); every amount a step sends to a venue is a decimal string,
 * rounded down (withdrawals to 1e-8, trades to the market's amount step).
 */
import type {Balance, Currency, Market, Quote, Side} from '../types.js';

/** Everything the planner needs to know about one venue. */
export interface VenueSnapshot {
  readonly venue: string;
  readonly balances: readonly Balance[];
  /** Currencies with their networks; empty when the venue does not report them (nothing can move to or from it). */
  readonly currencies: readonly Currency[];
  /** Spot markets usable for conversions. */
  readonly markets: readonly Market[];
  /** Top of book for those markets (bid/ask give the spread cost). */
  readonly quotes: readonly Quote[];
}

/** A transfer already on its way (from an earlier plan): counted on its destination. */
export interface InTransit {
  readonly to: string;
  readonly asset: string;
  /** Decimal string: what the destination is expected to receive. */
  readonly amount: string;
}

export interface PlanInput {
  /** Valuation quote, e.g. USD. */
  readonly quote: string;
  /** Asset -> price in the valuation quote (the quote itself is 1). */
  readonly prices: Readonly<Record<string, number>>;
  readonly venues: readonly VenueSnapshot[];
  /** Venue -> percent; must add up to 100. Venues not named are left out (neither counted nor moved). */
  readonly venueTargets: Readonly<Record<string, number>>;
  /** Asset -> percent of the value held in the named assets; must add up to 100. */
  readonly assetTargets?: Readonly<Record<string, number>>;
  /** Percentage points: a venue (asset) whose share is within this of its target is left alone. */
  readonly thresholdPct: number;
  /** Asset -> amount kept on every venue, never moved or spent (config risk.reserves). */
  readonly reserves?: Readonly<Record<string, string>>;
  readonly inTransit?: readonly InTransit[];
}

export type SkipReason =
  | 'no_price'
  | 'no_currency_data'
  | 'no_common_network'
  | 'network_disabled'
  | 'unknown_fee'
  | 'below_minimum'
  | 'fee_exceeds_amount'
  | 'insufficient_funds'
  | 'no_market'
  | 'below_market_minimum';

export interface TransferStep {
  readonly kind: 'transfer';
  readonly id: string;
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  /** Decimal string withdrawn from `from` (the fee comes out of it). */
  readonly amount: string;
  /** Decimal string expected on `to`: amount - withdrawFee. */
  readonly receive: string;
  readonly network: string;
  readonly withdrawFee: string;
  readonly withdrawMin: string | undefined;
  /** Both true in a plan; shown so the user sees the network was checked on both ends. */
  readonly withdrawEnabled: boolean;
  readonly depositEnabled: boolean;
  /** Value sent, in the valuation quote. */
  readonly value: number;
  /** The withdrawal fee's value. */
  readonly cost: number;
  /** Step ids that must be done first. */
  readonly after: readonly string[];
}

export type TradePurpose = 'bridge_out' | 'bridge_in' | 'asset_target';

export interface TradeStep {
  readonly kind: 'trade';
  readonly id: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  /** Decimal string in base units, rounded down to the market's step. */
  readonly amount: string;
  /** Expected price: the top of book when planned. */
  readonly price: number;
  readonly taker: number;
  /** What the trade spends and what it is expected to bring (after the fee). */
  readonly spend: {readonly asset: string; readonly amount: string};
  readonly receive: {readonly asset: string; readonly amount: string};
  readonly value: number;
  /** Fee plus half the spread, valued in the quote. */
  readonly cost: number;
  /** bridge_out: convert before a transfer because that is cheaper than moving; bridge_in: convert back on arrival; asset_target: asset targets. */
  readonly purpose: TradePurpose;
  readonly after: readonly string[];
}

export type PlanStep = TransferStep | TradeStep;

export interface SkippedMove {
  readonly reason: SkipReason;
  readonly from?: string;
  readonly to?: string;
  readonly venue?: string;
  readonly asset?: string;
  /** Value that could not be moved or converted. */
  readonly value: number;
  readonly detail: string;
}

export interface VenueAllocation {
  readonly venue: string;
  readonly value: number;
  /** Share of the rebalanced total, percent. */
  readonly pct: number;
  readonly target: number;
  /** pct - target, percentage points. */
  readonly deviation: number;
  readonly withinThreshold: boolean;
}

export interface AssetAllocation {
  readonly asset: string;
  readonly value: number;
  readonly pct: number;
  /** Percent of the value held in targeted assets; undefined without asset targets. */
  readonly target: number | undefined;
  readonly deviation: number | undefined;
}

export interface Allocation {
  readonly total: number;
  readonly venues: readonly VenueAllocation[];
  readonly assets: readonly AssetAllocation[];
}

export interface UnpricedHolding {
  readonly venue: string;
  readonly asset: string;
  readonly amount: string;
}

export interface RebalancePlan {
  readonly quote: string;
  readonly thresholdPct: number;
  readonly venueTargets: Readonly<Record<string, number>>;
  readonly assetTargets: Readonly<Record<string, number>> | undefined;
  readonly before: Allocation;
  /** Projected after every step (transfers counted as arrived). */
  readonly after: Allocation;
  /** In execution order; a step runs once every id in `after` is done (a transfer is done when it arrives). */
  readonly steps: readonly PlanStep[];
  readonly totalCost: number;
  readonly skipped: readonly SkippedMove[];
  /** Holdings without a price: not counted and not moved. */
  readonly unpriced: readonly UnpricedHolding[];
  /** True when every venue (and asset) is within the threshold. */
  readonly balanced: boolean;
}
