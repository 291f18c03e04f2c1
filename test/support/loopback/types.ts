/**
 * Scenario and handle types for the loopback exchange servers.
 *
 * A scenario is plain data (JSON-able except for Infinity): markets, books,
 * currencies and accounts of each venue, all in canonical terms (symbols like
 * BTC/USD, assets like BTC, network codes like ERC20). Each dialect turns them
 * into its exchange's own ids (XXBTZUSD, XXBT, BTC-USDT, BTCUSDT, ...).
 *
 * Money is decimal strings; book levels are numbers like src/core/types.ts.
 */
import type {Level, Side} from '../../../src/core/types.js';

export type DialectName = 'binance' | 'kraken' | 'okx' | 'coinbase' | 'bybit' | 'bitget' | 'gate';

export interface MarketScenario {
  /** Canonical symbol, e.g. BTC/USD. */
  readonly symbol: string;
  /** Smallest amount step (base units) and price step, decimal strings. */
  readonly amountStep: string;
  readonly priceStep: string;
  readonly minAmount?: string;
  /** Minimum order cost in quote (binance NOTIONAL, kraken costmin). */
  readonly minCost?: string;
  /** Fee rates as fractions (0.001 = 10 bps). */
  readonly taker: string;
  readonly maker: string;
  /** Override the venue's native market id (default derived by the dialect). */
  readonly id?: string;
  readonly active?: boolean;
}

export interface NetworkScenario {
  /** Unified network code, e.g. BTC, ERC20, TRC20. */
  readonly network: string;
  readonly withdrawFee: string;
  readonly withdrawMin: string;
  readonly depositEnabled?: boolean;
  readonly withdrawEnabled?: boolean;
  /** Marks the default network (binance isDefault); the first one otherwise. */
  readonly isDefault?: boolean;
}

export interface CurrencyScenario {
  /** Canonical code, e.g. BTC. */
  readonly code: string;
  readonly name?: string;
  /** Decimal places the venue keeps for this asset (default 8). */
  readonly decimals?: number;
  readonly networks?: readonly NetworkScenario[];
}

export interface BookScenario {
  /** Best first. */
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

export interface OrderSeed {
  readonly symbol: string;
  readonly side: Side;
  readonly type?: 'limit' | 'market';
  readonly amount: string;
  /** Limit price (required for limit seeds). */
  readonly price?: string;
  readonly clientOrderId?: string;
  /** Default 'open' (nothing filled). 'closed' means fully filled. */
  readonly status?: 'open' | 'closed' | 'canceled';
  /** Filled amount; default the whole amount when closed, 0 otherwise. Fills at `price`. */
  readonly filled?: string;
  readonly timestamp?: number;
}

export interface TransferSeed {
  readonly asset: string;
  readonly amount: string;
  readonly network?: string;
  readonly address?: string;
  readonly txid?: string;
  readonly fee?: string;
  readonly status?: 'pending' | 'ok' | 'failed' | 'canceled';
  readonly timestamp?: number;
}

export interface DepositAddressScenario {
  readonly address: string;
  readonly tag?: string;
  /** Unified network code; default the currency's default network. */
  readonly network?: string;
}

export interface AccountScenario {
  readonly apiKey: string;
  /** kraken: base64. coinbase: any string (HMAC key) or a PEM EC private key (CDP key, JWT auth). Others: any string. */
  readonly secret: string;
  /** okx and bitget passphrase. */
  readonly passphrase?: string;
  /** Free balances by asset. Seeded open orders lock funds on top of these. */
  readonly balances: Readonly<Record<string, string>>;
  readonly orders?: readonly OrderSeed[];
  /** History only: seeded transfers do not move balances. */
  readonly deposits?: readonly TransferSeed[];
  readonly withdrawals?: readonly TransferSeed[];
  /** By asset. */
  readonly depositAddresses?: Readonly<Record<string, DepositAddressScenario | readonly DepositAddressScenario[]>>;
  /** kraken withdrawal keys: key name -> address. */
  readonly withdrawKeys?: Readonly<Record<string, string>>;
}

export interface VenueScenario {
  /** Default: the venue's name when it is a dialect name. */
  readonly dialect?: DialectName;
  readonly markets: readonly MarketScenario[];
  /** Currencies with networks and withdraw fees; assets of markets are added with defaults. */
  readonly currencies?: readonly CurrencyScenario[];
  readonly books: Readonly<Record<string, BookScenario>>;
  readonly accounts?: readonly AccountScenario[];
  /** Venue status reported by status endpoints (default 'ok'). */
  readonly status?: 'ok' | 'maintenance';
  /** Withdrawals complete at once ('ok', default) or stay 'pending' until a test changes them. */
  readonly withdrawalStatus?: 'ok' | 'pending';
}

export interface LoopbackScenario {
  readonly venues: Readonly<Record<string, VenueScenario>>;
}

/** Faults injected per venue and endpoint. */
export type FaultKind =
  | {readonly kind: 'latency'; readonly ms: number}
  | {readonly kind: 'rateLimit'; readonly retryAfterSeconds?: number}
  | {readonly kind: 'serverError'; readonly status?: number}
  | {readonly kind: 'malformed'}
  /** `apply: true` handles the request (e.g. creates the order) before going silent. */
  | {readonly kind: 'timeout'; readonly apply?: boolean}
  | {readonly kind: 'drop'}
  | {readonly kind: 'answerLost'};

export type Fault = FaultKind & {
  /** How many matching requests it hits; default 1 (one-shot). Infinity = persistent. */
  readonly times?: number;
};

export interface RecordedRequest {
  readonly venue: string;
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters (last value wins). */
  readonly query: Readonly<Record<string, string>>;
  /** Raw request body. */
  readonly body: string;
  /** Query and body parameters merged (form or JSON object; JSON arrays under `batch`). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Lower-case header names; signatures and passphrases redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** The fault applied to it, if any. */
  readonly fault: FaultKind['kind'] | undefined;
  readonly at: number;
}
