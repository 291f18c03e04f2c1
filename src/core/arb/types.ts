/**
 * The arbitrage vocabulary shared by the scanners, the watch loop, the
 * journal and `arb execute`. An Opportunity is what a trader could take now:
 * sizes already rounded to the markets' steps and checked against their
 * minimums, fees already deducted, limit prices set to the worst level the
 * size reaches. Money here is analytics (numbers); `amount` is the exact
 * decimal string to send.
 */

/** One leg of a cross-venue opportunity. */
export interface CrossLeg {
  readonly venue: string;
  /** Canonical symbol on that venue (differs between legs only under a quote group). */
  readonly symbol: string;
  /** Best price at the top of the book when the book was walked. */
  readonly topPrice: number;
  /** Volume-weighted average fill price for `size`. */
  readonly avgPrice: number;
  /** Worst level the size reaches: a limit price that fills the whole size against this book. */
  readonly limitPrice: number;
  /** Quote spent (buy) or received (sell) before fees. */
  readonly notional: number;
  /** Taker fee rate applied (fraction), and where it came from. */
  readonly feeRate: number;
  readonly feeSource: 'market' | 'config';
  /** Fee in quote units. */
  readonly fee: number;
  /** Age of the book in ms at scan time. */
  readonly bookAgeMs: number;
}

/** Why the executable size stopped where it did. */
export type SizeLimit =
  | 'profitability' // the next unit would lose money after fees
  | 'depth' // one of the books ran out
  | 'max-size'
  | 'max-notional'
  | 'balance-buy' // quote balance on the buy venue
  | 'balance-sell' // base balance on the sell venue
  | 'minimum'; // raised to the market minimum, still profitable in total

export interface TransferCost {
  readonly asset: string;
  readonly network: string;
  /** Withdrawal fee in units of `asset`. */
  readonly fee: number;
  /** The same fee valued in the opportunity's quote at the average sell price. */
  readonly cost: number;
}

export interface CrossOpportunity {
  readonly kind: 'cross';
  /** Stable key: cross:<symbol>:<buyVenue>><sellVenue>. */
  readonly key: string;
  /** Canonical symbol; under a quote group the buy leg's symbol. */
  readonly symbol: string;
  readonly base: string;
  /** Quote currency of the profit figures (the sell leg's quote). */
  readonly quote: string;
  /** Set when the two legs use different quotes of a group treated as one (e.g. `usd`). */
  readonly quoteGroup: string | undefined;
  readonly buy: CrossLeg;
  readonly sell: CrossLeg;
  /** Base units, rounded down to both markets' amount steps. */
  readonly size: number;
  /** `size` as an exact decimal string for orders. */
  readonly amount: string;
  readonly limitedBy: SizeLimit;
  /** sell notional - buy notional. */
  readonly grossProfit: number;
  readonly fees: number;
  readonly netProfit: number;
  /** netProfit / buy notional, in basis points. */
  readonly netBps: number;
  /** Net profit in the valuation currency (e.g. USD) when a rate is known. */
  readonly netValue: number | undefined;
  /** undefined when the buy venue publishes no withdrawal fee for the base asset. */
  readonly transfer: TransferCost | undefined;
  readonly netProfitWithTransfer: number | undefined;
  readonly netBpsWithTransfer: number | undefined;
  readonly observedAt: number;
}

export interface TriangularLeg {
  /** Canonical market symbol, e.g. ETH/BTC. */
  readonly symbol: string;
  /** buy: spend the quote, receive the base (walks asks); sell: the reverse (walks bids). */
  readonly side: 'buy' | 'sell';
  readonly from: string;
  readonly to: string;
  /** Units of `from` spent and `to` received (after the fee, which is taken from the proceeds). */
  readonly amountIn: number;
  readonly amountOut: number;
  /** Base units traded on this market, rounded to its step; exact decimal string for orders. */
  readonly baseAmount: string;
  readonly avgPrice: number;
  readonly limitPrice: number;
  readonly feeRate: number;
  readonly feeSource: 'market' | 'config';
}

export interface TriangularOpportunity {
  readonly kind: 'triangular';
  /** Stable key: tri:<venue>:<A>><B>><C>. */
  readonly key: string;
  readonly venue: string;
  /** The cycle, starting and ending in assets[0]. */
  readonly assets: readonly [string, string, string];
  readonly legs: readonly [TriangularLeg, TriangularLeg, TriangularLeg];
  /** Product of the three top-of-book rates after fees (> 1 means profit). */
  readonly topRate: number;
  /** Units of assets[0] spent and received back. */
  readonly startAmount: number;
  readonly endAmount: number;
  readonly netProfit: number;
  readonly netBps: number;
  readonly netValue: number | undefined;
  readonly limitedBy: SizeLimit;
  readonly observedAt: number;
}

export type Opportunity = CrossOpportunity | TriangularOpportunity;

/** A pair or cycle that was looked at and dropped, with the reason. */
export interface Skip {
  readonly reason:
    | 'asset-mismatch' // same ticker, metadata says different assets
    | 'below-minimum' // profitable size is under a market minimum and forcing the minimum loses money
    | 'no-balance' // balances known and they allow nothing
    | 'unprofitable-depth' // top of book looked profitable, the walked books do not
    | 'book-stale' // a depth snapshot older than max age
    | 'book-skew' // books of one venue too far apart in time to combine
    | 'book-error'; // fetching a book failed
  readonly symbol: string;
  readonly venues: readonly string[];
  readonly detail: string;
}

export interface StaleItem {
  readonly venue: string;
  readonly symbol: string;
  readonly ageMs: number;
}

export interface VenueFailure {
  readonly venue: string;
  readonly stage: 'markets' | 'quotes' | 'books' | 'currencies' | 'balances';
  readonly error: string;
  readonly message: string;
}
