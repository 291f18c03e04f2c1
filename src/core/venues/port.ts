import type {
  Balance,
  Currency,
  DepositAddress,
  ExecutionMode,
  Market,
  OrderBook,
  OrderRequest,
  Position,
  Quote,
  Trade,
  Transfer,
  VenueOrder,
  WithdrawRequest,
} from '../types.js';

/** What a venue can do; callers check before calling optional methods. */
export interface VenueCapabilities {
  readonly bidsAsks: boolean;
  readonly orderBookStream: boolean;
  /** Best bid/ask can be streamed (watchQuotes). Absent: false. */
  readonly quoteStream?: boolean;
  readonly positions: boolean;
  readonly currencies: boolean;
  readonly withdraw: boolean;
  readonly depositAddress: boolean;
  readonly transfers: boolean;
}

export interface VenueInfo {
  /** The name of the venue in config, e.g. binance or sim-alpha. */
  readonly id: string;
  /** The exchange behind it: a ccxt id, or `sim`. */
  readonly exchange: string;
  readonly simulated: boolean;
  readonly sandbox: boolean;
  readonly mode: ExecutionMode;
  readonly hasKeys: boolean;
  /** Minimum ms between requests (ccxt's rateLimit), 0 when unlimited. */
  readonly rateLimitMs: number;
  readonly capabilities: VenueCapabilities;
  /** How the venue takes our client order ids; absent: up to 32 characters, and they round-trip. */
  readonly clientIds?: ClientIdPolicy;
}

export interface ClientIdPolicy {
  /** Longest client id the venue takes. */
  readonly maxLength: number;
  /** Why our id cannot round-trip here (live orders are refused); absent when it does. */
  readonly unsafe?: string;
  /** The user accepted live orders anyway (venue config allowLiveWithoutIdempotency). */
  readonly optOut?: boolean;
}

export interface OrderRef {
  readonly id?: string;
  readonly clientOrderId?: string;
}

/**
 * The port every venue implements (ccxt adapter, simulated venues, paper
 * wrapper). All symbols in and out are canonical (BTC/USD); the adapter maps
 * to and from native ids. Methods throw typed errors from core/errors.ts:
 * VenueUnavailableError when the outcome is unknown (timeout, 5xx, lost
 * answer), VenueRejectedError/InsufficientFundsError/InvalidOrderError when
 * the venue definitely refused, VenueAuthError for keys.
 */
export interface Venue {
  readonly info: VenueInfo;

  /** Markets, cached by the adapter (and in the journal with a TTL). */
  loadMarkets(): Promise<readonly Market[]>;
  /** Top of book for the given canonical symbols (all when omitted). */
  fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]>;
  fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook>;
  /** Streamed books; yields a fresh snapshot on each update. Optional. */
  watchOrderBook?(symbol: string, depth?: number, signal?: AbortSignal): AsyncIterable<OrderBook>;
  /** Streamed best bid/ask; yields the quotes that changed on each update. Optional. */
  watchQuotes?(symbols: readonly string[], signal?: AbortSignal): AsyncIterable<readonly Quote[]>;
  fetchCurrencies(): Promise<readonly Currency[]>;
  /**
   * The venue's own clock (ms since epoch), for measuring clock skew (signed
   * requests are refused when the local clock drifts). Undefined when the
   * venue does not publish its time. Optional.
   */
  fetchServerTime?(): Promise<number | undefined>;

  fetchBalances(): Promise<readonly Balance[]>;
  createOrder(request: OrderRequest): Promise<VenueOrder>;
  cancelOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined>;
  /** Looks an order up by venue id or by our clientOrderId; undefined when the venue does not know it. */
  fetchOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined>;
  fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]>;
  fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]>;
  fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]>;

  fetchPositions?(symbols?: readonly string[]): Promise<readonly Position[]>;
  fetchDepositAddress?(asset: string, network?: string): Promise<DepositAddress>;
  withdraw?(request: WithdrawRequest): Promise<Transfer>;
  fetchDeposits?(asset?: string, since?: number): Promise<readonly Transfer[]>;
  fetchWithdrawals?(asset?: string, since?: number): Promise<readonly Transfer[]>;

  /** Releases sockets and timers. */
  close(): Promise<void>;
}
