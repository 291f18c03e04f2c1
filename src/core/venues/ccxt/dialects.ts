/**
 * What differs between exchanges behind the same ccxt API, kept in one table
 * so the adapter has no `if (exchange === ...)` branches:
 * - constructor option defaults (the user's `options` override them key by key),
 * - where our clientOrderId goes, the venue's rules for it (length, echoed
 *   prefix) and how an order is looked up by it,
 * - which call carries best bid/ask (with and without keys),
 * - whether a market buy is sent as a quote amount (cost),
 * - where withdrawal fees come from, options applied only while fetching
 *   currency metadata, and extra parameters a withdrawal needs.
 *
 * Seven venues are certified (binance, kraken, okx, coinbase, bybit, bitget,
 * gate): their entries are written by hand and each has a loopback dialect in
 * the tests. Every other ccxt exchange gets a dialect derived from the
 * capability matrix (capabilities.json, computed offline from ccxt's own
 * request building by scripts/capabilities.ts), or the generic one when the
 * matrix does not list it.
 */

import {UsageError} from '../../errors.js';
import {matrixHints} from './capabilities.js';
import type {WithdrawRequest} from '../../types.js';

/** What a dialect hook may call on the ccxt instance (implicit API methods are looked up by name). */
export interface DialectExchange {
  currency(code: string): {id?: unknown};
  [method: string]: unknown;
}

/** ccxt list calls that may be searched for an order by its client id. */
export type OrderListCall = 'fetchOpenOrders' | 'fetchClosedOrders' | 'fetchCanceledOrders' | 'fetchCanceledAndClosedOrders' | 'fetchOrders';

/** A ccxt call that finds one order by the venue's id, or an order list filtered by it in `param`. */
export type OrderByIdCall = 'fetchOrder' | 'fetchOpenOrder' | 'fetchClosedOrder' | {readonly list: OrderListCall; readonly param: string};

export type ClientIdLookup =
  /**
   * ccxt's fetchOrder accepts the client id in this param (the venue looks it up natively);
   * `params` are added. When the venue finds only open orders that way (gate), `fallback` lists
   * are searched for an order it does not find.
   */
  | {readonly kind: 'fetchOrder'; readonly param: string; readonly params?: Readonly<Record<string, unknown>>; readonly fallback?: readonly OrderListCall[]}
  /** Search these lists in order (default open then closed), passing the client id in `param` as a filter when the venue has one. */
  | {readonly kind: 'search'; readonly param?: string; readonly calls?: readonly OrderListCall[]}
  /** No way to find an order by our id. */
  | {readonly kind: 'none'};

/** The venue's rules for a client order id. */
export interface ClientIdRules {
  /** The createOrder param ccxt maps to the venue's field (ccxt's unified `clientOrderId` where it is mapped). */
  readonly param: string;
  /** The venue's own request field (for the capability matrix and docs). */
  readonly field: string;
  /** Longest id the venue takes, not counting `echoPrefix`. */
  readonly maxLength: number;
  /** A prefix added on the way out (by ccxt or the venue) and echoed back; stripped when matching. */
  readonly echoPrefix?: string;
}

/** A call for best bid/ask; `fetchOrderBook` reads the top of a one-level book per symbol. */
export type QuoteCall = 'fetchBidsAsks' | 'fetchTickers' | 'fetchTicker' | 'fetchOrderBook';

/**
 * A ccxt.pro call that streams best bid/ask: watchBidsAsks (a best bid/offer channel),
 * watchTickers (tickers for all symbols on one subscription), or, one stream per symbol,
 * watchTicker or the top of watchOrderBook. 'none': quotes are polled.
 */
export type QuoteStreamCall = 'watchBidsAsks' | 'watchTickers' | 'watchTicker' | 'watchOrderBook' | 'none';

export interface QuoteCalls {
  /** The call used without keys: it must be public and carry best bid/ask. */
  readonly keyless: QuoteCall;
  /** The call used with keys, when a private one is better (one request for all symbols). */
  readonly withKeys?: QuoteCall;
  /** The call for every market at once, when `keyless` asks per symbol (may carry last prices only). */
  readonly all?: QuoteCall;
}

export interface Dialect {
  /** ccxt `options` defaults; the user's options win key by key. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly clientId: ClientIdRules;
  readonly clientIdLookup: ClientIdLookup;
  /** ccxt calls that find an order by the venue's id, tried in turn (default fetchOrder). */
  readonly orderById?: readonly OrderByIdCall[];
  /**
   * False when our id cannot round-trip (it does not reach the venue, or no
   * lookup finds the order by it): live orders are refused there unless the
   * venue config sets allowLiveWithoutIdempotency.
   */
  readonly roundTrip: boolean;
  /** Why it does not round-trip, for the refusal message. */
  readonly roundTripGap?: string;
  /** Which call carries best bid/ask; undefined: fetchBidsAsks, else fetchTickers, else fetchTicker, as ccxt's `has` says. */
  readonly quotes?: QuoteCalls;
  /** How best bid/ask is streamed under --watch; undefined: watchBidsAsks, else watchTickers, else watchTicker, as ccxt.pro's `has` says. */
  readonly quoteStream?: QuoteStreamCall;
  /** 'cost': a market buy is sent as the quote amount to spend (ccxt's `cost` param); 'amount': as the base amount. */
  readonly marketBuy: 'amount' | 'cost';
  /** The quote amount of a market buy pays the fee too (coinbase): cost x (1 + taker) is sent. */
  readonly marketBuyCostIncludesFee?: boolean;
  /** An error message (of an error ccxt leaves unclassified) that says nothing was done: a definite refusal. */
  readonly refusal?: RegExp;
  /** Trading fees the venue reports without a currency are in the market's quote (coinbase charges fees in quote). */
  readonly feesInQuote?: boolean;
  /** Where withdrawal fees come from: the currency metadata, or fetchDepositWithdrawFees (with keys) when the metadata lacks them. */
  readonly withdrawFees: 'currencies' | 'fetchDepositWithdrawFees';
  /** ccxt options set only while fetchCurrencies() runs. */
  readonly currencyOptions?: Readonly<Record<string, unknown>>;
  /** An error message (of a ccxt error that is not OrderNotFound) that means the venue does not know the order. */
  readonly orderNotFound?: RegExp;
  /** False when a cancel reply's clientOrderId is the cancel request's own id, not the order's. */
  readonly cancelReplyClientId?: boolean;
  /** A withdrawal must name its network (the venue has no default chain). */
  readonly withdrawNeedsNetwork?: boolean;
  /** Extra ccxt params for withdraw(); may call the exchange (its errors are mapped by the caller). */
  readonly withdrawParams?: (ex: DialectExchange, request: WithdrawRequest) => Promise<Record<string, unknown>>;
}

export interface SavedAddress {
  readonly address?: unknown;
  readonly key?: unknown;
  readonly tag?: unknown;
  readonly memo?: unknown;
}

/**
 * kraken withdraws only to addresses saved on the account, named by a key:
 * pick the key whose address (and tag, when given) matches the request.
 */
export function pickWithdrawKey(saved: unknown, request: WithdrawRequest): string {
  const list = Array.isArray(saved) ? (saved as SavedAddress[]) : [];
  const match = list.find(
    (entry) => entry.address === request.address && (request.tag === undefined || entry.tag === request.tag || entry.memo === request.tag),
  );
  if (!match || typeof match.key !== 'string') {
    throw new UsageError(
      `${request.address} is not a withdrawal address saved on this kraken account for ${request.asset}`,
      'kraken only withdraws to saved addresses: add it under Funding > Withdraw on kraken, then retry',
    );
  }
  return match.key;
}

async function krakenWithdrawParams(ex: DialectExchange, request: WithdrawRequest): Promise<Record<string, unknown>> {
  const list = ex.privatePostWithdrawAddresses as ((params: Record<string, unknown>) => Promise<{result?: unknown}>) | undefined;
  if (typeof list !== 'function') throw new UsageError('this ccxt version cannot list kraken withdrawal addresses');
  const response = await list.call(ex, {asset: ex.currency(request.asset).id});
  return {key: pickWithdrawKey(response?.result, request)};
}

/** Our ids are lowercase hex; 32 characters unless the venue allows fewer. */
export const CLIENT_ID_LENGTH = 32;

const unified = (field: string, maxLength = CLIENT_ID_LENGTH): ClientIdRules => ({param: 'clientOrderId', field, maxLength});

export const genericDialect: Dialect = {
  options: {},
  clientId: unified('clientOrderId'),
  clientIdLookup: {kind: 'search'},
  roundTrip: true,
  marketBuy: 'amount',
  withdrawFees: 'fetchDepositWithdrawFees',
};

/** The certified venues, written by hand (their loopback dialects in the tests speak the same formats). */
const certified: Readonly<Record<string, Dialect>> = {
  binance: {
    ...genericDialect,
    // loadMarkets would otherwise also call fapi/dapi exchangeInfo and, with keys,
    // sapi capital/config/getall and margin/allPairs (see FACTS.md).
    options: {
      fetchMarkets: {types: ['spot']},
      fetchMargins: false,
      fetchCurrencies: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
    // <= 36 of [A-Za-z0-9._:/-]
    clientId: unified('newClientOrderId'),
    clientIdLookup: {kind: 'fetchOrder', param: 'origClientOrderId'},
    // Currencies (networks, withdraw fees) come from sapi capital/config/getall, asked for explicitly.
    currencyOptions: {fetchCurrencies: true},
    withdrawFees: 'currencies',
    // DELETE /api/v3/order answers clientOrderId = the cancel's id, origClientOrderId = the order's.
    cancelReplyClientId: false,
    // <symbol>@bookTicker: every change of the best bid/ask, with sizes.
    quoteStream: 'watchBidsAsks',
  },
  // kraken: cl_ord_id takes a 32-hex "short UUID"; QueryOrders only knows integer userrefs,
  // so the order is found through the cl_ord_id filter of OpenOrders/ClosedOrders.
  // No fetchBidsAsks: its public Ticker carries best bid/ask.
  kraken: {
    ...genericDialect,
    clientId: unified('cl_ord_id'),
    clientIdLookup: {kind: 'search', param: 'clientOrderId'},
    quotes: {keyless: 'fetchTickers'},
    // websocket v2 ticker channel with event_trigger=bbo: pushed on every best bid/ask change.
    quoteStream: 'watchBidsAsks',
    withdrawParams: krakenWithdrawParams,
  },
  // okx: clOrdId, <= 32 alphanumerics; looked up natively.
  okx: {
    ...genericDialect,
    clientId: unified('clOrdId'),
    clientIdLookup: {kind: 'fetchOrder', param: 'clOrdId'},
    quotes: {keyless: 'fetchTickers'},
    // bbo-tbt: the best bid/offer, tick by tick.
    quoteStream: 'watchBidsAsks',
  },
  // coinbase (Advanced Trade): ccxt sends its own "ccxt-<uuid>" client_order_id unless the caller
  // passes client_order_id itself (params.clientOrderId is not mapped). The venue has no client-id
  // filter: the order list of every status (fetchOrders; fetchClosedOrders is FILLED only) is
  // searched. fetchBidsAsks calls the authenticated best_bid_ask; without keys the public
  // market/product_book (limit 1) gives best bid/ask with sizes (the public ticker has no sizes,
  // the public products list no bid/ask: it serves only "every market" lists, with last prices).
  // Market buys are a quote amount.
  coinbase: {
    ...genericDialect,
    clientId: {param: 'client_order_id', field: 'client_order_id', maxLength: CLIENT_ID_LENGTH},
    clientIdLookup: {kind: 'search', calls: ['fetchOrders']},
    quotes: {keyless: 'fetchOrderBook', withKeys: 'fetchBidsAsks', all: 'fetchTickers'},
    // No best bid/offer channel: the public `ticker` channel carries best bid/ask with quantities on
    // every change, one subscription per product (watchTickers uses ticker_batch, pushed every 5 s).
    quoteStream: 'watchTicker',
    marketBuy: 'cost',
    // quote_size pays the fee: the base received is (quote_size - fee) / price. Fees are in quote;
    // ccxt's order (not trade) parser leaves their currency out.
    marketBuyCostIncludesFee: true,
    feesInQuote: true,
    // An unknown order is a 404 {"error":"NOT_FOUND"}, which ccxt raises as a plain ExchangeError; so
    // is a cancel the venue answers success:false (already cancelled or filled): the order is read back.
    orderNotFound: /"error"\s*:\s*"NOT_FOUND"|cancelOrders\(\) has failed/,
    // A create answered {"success": false, "error_response": {...}} placed nothing (ccxt: ExchangeError).
    refusal: /"success"\s*:\s*false[\s\S]*"error_response"/,
  },
  // bybit (v5 spot, unified trading account, the default for accounts since 2023; a classic account
  // sets options.enableUnifiedAccount=false): orderLinkId, <= 36. Its fetchOrder refuses without params.acknowledged on unified
  // accounts (it sees only the last 500 orders); the realtime and history order lists take an
  // orderLinkId (or orderId) filter, so lookups search them instead. fetchClosedOrders asks for
  // Filled orders only: the history is read with fetchCanceledAndClosedOrders, so a cancelled or
  // expired order is found too.
  bybit: {
    ...genericDialect,
    // Spot: markets and ticker lists of the spot category only (the user's options may widen it).
    options: {enableUnifiedAccount: true, enableUnifiedMargin: false, defaultType: 'spot', fetchMarkets: {types: ['spot']}},
    clientId: unified('orderLinkId'),
    clientIdLookup: {kind: 'search', param: 'orderLinkId', calls: ['fetchOpenOrders', 'fetchCanceledAndClosedOrders']},
    orderById: [{list: 'fetchOpenOrders', param: 'orderId'}, {list: 'fetchCanceledAndClosedOrders', param: 'orderId'}],
    quotes: {keyless: 'fetchTickers'},
    // orderbook.1: the top level of the book, pushed on change.
    quoteStream: 'watchBidsAsks',
  },
  // bitget (v2 spot; `uta: false` keeps ccxt off the v3 unified API and its account probe): clientOid,
  // looked up natively. Market buys are a quote amount. Withdrawals need a chain.
  bitget: {
    ...genericDialect,
    options: {uta: false, fetchMarkets: {types: ['spot']}},
    clientId: unified('clientOid'),
    clientIdLookup: {kind: 'fetchOrder', param: 'clientOid'},
    quotes: {keyless: 'fetchTickers'},
    // The ticker channel (bidPr/askPr with sizes).
    quoteStream: 'watchBidsAsks',
    marketBuy: 'cost',
    withdrawNeedsNetwork: true,
  },
  // gate (v4 spot): `text`, "t-" plus at most 28 of [0-9A-Za-z_.-]; ccxt adds the prefix (to ids
  // not starting with "t"; ours are hex) and the venue echoes it. GET /spot/orders/t-<id> finds an
  // open order; a finished one only by id, so the finished list (which carries the text) is
  // searched then. Its tickers carry no sizes ccxt reads: quotes are the top of the book.
  // Market buys are a quote amount.
  // Classic spot account (`unifiedAccount: false` skips ccxt's account-mode probe).
  gate: {
    ...genericDialect,
    options: {unifiedAccount: false, fetchMarkets: {types: ['spot']}},
    clientId: {param: 'clientOrderId', field: 'text', maxLength: 28, echoPrefix: 't-'},
    clientIdLookup: {kind: 'fetchOrder', param: 'clientOrderId', fallback: ['fetchClosedOrders']},
    // Cancelling a finished order answers ORDER_CANCELLED / ORDER_CLOSED (ccxt: InvalidOrder): read it back.
    orderNotFound: /"label"\s*:\s*"ORDER_(CANCELLED|CLOSED)"/,
    quotes: {keyless: 'fetchOrderBook', all: 'fetchTickers'},
    // spot.book_ticker: best bid/ask with sizes on every change.
    quoteStream: 'watchBidsAsks',
    marketBuy: 'cost',
  },
};

export const CERTIFIED_VENUES: readonly string[] = Object.keys(certified);

export function isCertified(exchange: string): boolean {
  return Object.hasOwn(certified, exchange);
}

/** What the capability matrix says about an exchange that shapes its dialect. */
export interface MatrixHints {
  readonly clientIdRoundTrip: boolean;
  readonly roundTripGap?: string;
  readonly clientIdLookup: ClientIdLookup;
  readonly keylessQuote?: QuoteCall;
  readonly marketBuyCost: boolean;
}

/** The dialect of an uncertified exchange, from what the capability matrix found. */
export function derivedDialect(hints: MatrixHints | undefined): Dialect {
  if (!hints) return genericDialect;
  return {
    ...genericDialect,
    clientIdLookup: hints.clientIdLookup,
    roundTrip: hints.clientIdRoundTrip,
    ...(hints.roundTripGap === undefined ? {} : {roundTripGap: hints.roundTripGap}),
    ...(hints.keylessQuote === undefined ? {} : {quotes: {keyless: hints.keylessQuote}}),
    marketBuy: hints.marketBuyCost ? 'cost' : 'amount',
  };
}

/** The dialect of an exchange: hand-written for certified venues, derived from the capability matrix for the others. */
export function dialectFor(exchange: string): Dialect {
  return certifiedDialect(exchange) ?? derivedDialect(matrixHints(exchange));
}

/** The hand-written dialect of a certified venue, or undefined. */
export function certifiedDialect(exchange: string): Dialect | undefined {
  return isCertified(exchange) ? certified[exchange] : undefined;
}

/** Our id as the venue takes it: the deterministic hex id cut to the venue's length. */
export function shapeClientId(id: string, rules: ClientIdRules): string {
  return id.length > rules.maxLength ? id.slice(0, rules.maxLength) : id;
}

/** An echoed client id in our form: the venue's prefix removed. */
export function unechoClientId(echoed: string | undefined, rules: ClientIdRules): string | undefined {
  if (echoed === undefined || rules.echoPrefix === undefined) return echoed;
  return echoed.startsWith(rules.echoPrefix) ? echoed.slice(rules.echoPrefix.length) : echoed;
}

/** Is `echoed` (as the venue returned it) our id `ours`? Prefixed and truncated echoes match. */
export function sameClientId(echoed: string | undefined, ours: string, rules: ClientIdRules): boolean {
  const bare = unechoClientId(echoed, rules);
  if (bare === undefined || bare === '') return false;
  if (bare === ours) return true;
  // A venue that keeps fewer characters than it was sent echoes a truncation: accept a long enough one.
  const shaped = shapeClientId(ours, rules);
  return bare === shaped || (bare.length >= 16 && ours.startsWith(bare));
}
