/**
 * The vocabulary of pre-trade risk: the snapshot of the world the checks
 * judge an order against, and a violation. The order itself is the core's
 * PlannedOrder (src/core/types.ts); its base and quote come from its symbol.
 *
 * Units (docs/risk.md): amounts and positions are base units of the order's
 * symbol; notional, daily volume and exposure are valued in the config's
 * valuationQuote (USD by default) with rates from the venues' own quotes.
 */
import type {RiskConfig} from '../config/schema.js';
import type {UsageSnapshot} from '../journal/risk-usage.js';
import type {TradingState} from '../journal/risk-state.js';
import type {Balance} from '../types.js';

/** asset -> value of one unit in the valuation quote, undefined when no venue prices it. */
export type Valuer = (asset: string) => number | undefined;

export interface RiskSnapshot {
  readonly state: TradingState;
  readonly valuationQuote: string;
  /** Assets counted as cash for exposure (the valuation quote and its quote group). */
  readonly cash: readonly string[];
  readonly value: Valuer;
  /** Balances per venue, for every venue that answered. */
  readonly balances: ReadonlyMap<string, readonly Balance[]>;
  /** Configured venues whose balances could not be read. */
  readonly unknownBalances: readonly string[];
  /** Open/in-flight orders and today's volume from the journal (read inside the write transaction). */
  readonly usage: UsageSnapshot;
}

export interface Violation {
  /** Dotted name of the limit, e.g. `symbols.BTC/USD.maxOrderAmount`, `tradingState`, `reserves.USD`. */
  readonly limit: string;
  /** The limit's value. */
  readonly value: string;
  /** What the order would have made it. */
  readonly attempted: string;
  readonly detail?: string;
}

export type {RiskConfig};
