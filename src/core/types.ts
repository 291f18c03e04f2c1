/**
 * Domain types shared by every core module. Venue-specific shapes (ccxt
 * objects, native JSON) never leave src/core/venues; the rest of the core
 * sees only these readonly values.
 *
 * Numeric policy (see docs/numbers.md):
 * - Market data used for analytics (prices, book levels, fees) is `number`.
 * - Money that is stored, summed or sent (order amounts, fills, balances) is a
 *   decimal string, handled with src/core/money/decimal.ts.
 * - A required number that is missing or not finite is an error, never 0.
 */

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
export type MarketType = 'spot' | 'swap' | 'future' | 'option';
/** Venue-side order lifecycle, ccxt's vocabulary. */
export type VenueOrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';
export type ExecutionMode = 'paper' | 'live';

/** One price level: [price, amount in base units]. */
export type Level = readonly [price: number, amount: number];

export interface OrderBook {
  readonly venue: string;
  /** Canonical symbol, e.g. BTC/USD. */
  readonly symbol: string;
  /** Best first (highest bid first). */
  readonly bids: readonly Level[];
  /** Best first (lowest ask first). */
  readonly asks: readonly Level[];
  /** Venue timestamp in ms, or receivedAt when the venue gives none. */
  readonly timestamp: number;
  /** Local clock (ms) when the data arrived. */
  readonly receivedAt: number;
}

export interface Quote {
  readonly venue: string;
  readonly symbol: string;
  readonly bid: number | undefined;
  readonly bidSize: number | undefined;
  readonly ask: number | undefined;
  readonly askSize: number | undefined;
  readonly timestamp: number;
  readonly receivedAt: number;
}

export interface Market {
  /** Canonical unified symbol, e.g. BTC/USD or BTC/USDT:USDT. */
  readonly symbol: string;
  /** The venue's own market id, e.g. XXBTZUSD, BTCUSDT, BTC-USD. */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  /** The venue's currency ids (before aliasing), used to tell same-ticker assets apart. */
  readonly baseId: string;
  readonly quoteId: string;
  readonly settle?: string;
  readonly type: MarketType;
  readonly active: boolean;
  /** Fee rates as fractions (0.001 = 10 bps). */
  readonly taker: number;
  readonly maker: number;
  /** Tick sizes: the smallest step of amount and price. */
  readonly amountStep: number | undefined;
  readonly priceStep: number | undefined;
  readonly minAmount: number | undefined;
  readonly maxAmount: number | undefined;
  readonly minCost: number | undefined;
  readonly contractSize?: number;
}

export interface Network {
  /** Network code, e.g. BTC, ERC20, TRC20. */
  readonly network: string;
  readonly withdrawEnabled: boolean;
  readonly depositEnabled: boolean;
  readonly withdrawFee: number | undefined;
  readonly withdrawMin: number | undefined;
}

export interface Currency {
  /** Canonical code after aliasing, e.g. BTC. */
  readonly code: string;
  /** The venue's id, e.g. XXBT. */
  readonly id: string;
  readonly name: string | undefined;
  readonly networks: readonly Network[];
}

export interface Balance {
  readonly asset: string;
  /** Decimal strings. */
  readonly free: string;
  readonly used: string;
  readonly total: string;
}

export interface Fee {
  /** Decimal string. */
  readonly cost: string;
  readonly currency: string;
}

export interface OrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Decimal string in base units, already rounded to the market's step. */
  readonly amount: string;
  /** Decimal string; required for limit orders. */
  readonly price?: string;
  /** Our deterministic id; always sent in the venue's client-id field. */
  readonly clientOrderId: string;
  /**
   * Quote amount of a market buy (decimal string): amount x the expected
   * price, the notional the risk check and the journal recorded. Venues that
   * take market buys as a quote amount (bitget, gate, coinbase) are sent it.
   */
  readonly cost?: string;
}

export interface VenueOrder {
  readonly id: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly status: VenueOrderStatus;
  /** Decimal strings. */
  readonly amount: string;
  readonly filled: string;
  readonly price: string | undefined;
  readonly average: string | undefined;
  readonly fees: readonly Fee[];
  readonly timestamp: number;
}

export interface Trade {
  /** The venue's trade id. */
  readonly id: string;
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  /** Decimal strings. */
  readonly price: string;
  readonly amount: string;
  readonly fee: Fee | undefined;
  readonly takerOrMaker: 'taker' | 'maker' | undefined;
  readonly timestamp: number;
}

export interface Position {
  readonly venue: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Decimal strings; size in base units (contracts x contractSize). */
  readonly size: string;
  readonly entryPrice: number | undefined;
  readonly markPrice: number | undefined;
  readonly unrealizedPnl: number | undefined;
  readonly leverage: number | undefined;
  readonly liquidationPrice: number | undefined;
}

export type TransferStatus = 'pending' | 'ok' | 'failed' | 'canceled';

export interface Transfer {
  readonly id: string;
  readonly kind: 'deposit' | 'withdrawal';
  readonly asset: string;
  readonly amount: string;
  readonly network: string | undefined;
  readonly address: string | undefined;
  readonly txid: string | undefined;
  readonly status: TransferStatus;
  readonly fee: Fee | undefined;
  readonly timestamp: number;
}

export interface DepositAddress {
  readonly asset: string;
  readonly network: string | undefined;
  readonly address: string;
  readonly tag: string | undefined;
}

export interface WithdrawRequest {
  readonly asset: string;
  readonly amount: string;
  readonly address: string;
  readonly tag?: string;
  readonly network?: string;
}

/** A clock the core takes as an argument so tests control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = {now: () => Date.now()};

/**
 * One order of a plan, as the router emits it, the risk engine judges it and
 * execution writes and sends it. Amounts and limit prices are exact decimal
 * strings (amount on the venue's amount step); prices, costs and fees are
 * analytics in quote units.
 */
export interface PlannedOrder {
  /** Index within the plan; with the plan id it makes the clientOrderId. */
  readonly leg: number;
  readonly venue: string;
  /** Canonical symbol, e.g. BTC/USD. */
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Decimal string on the venue's amount step, base units. */
  readonly amount: string;
  /** Limit price (decimal string) for limit orders. */
  readonly price?: string;
  /** Expected average fill price (the limit price for the part expected to rest). */
  readonly expectedPrice: number;
  /** Worst book level expected to be touched; undefined when nothing crosses. */
  readonly worstPrice?: number;
  /** Quote spent (buy) or received (sell) before fees. */
  readonly cost: number;
  readonly feeRate: number;
  /** Expected fee in quote units. */
  readonly fee: number;
  /** Buy: cost + fee. Sell: cost - fee. */
  readonly total: number;
  /** Part of the amount not expected to fill now (rests as a limit order); '0' for market orders. */
  readonly resting: string;
  /** Mid price of the venue's book when the order was planned; undefined for a one-sided book. */
  readonly mid: number | undefined;
}
