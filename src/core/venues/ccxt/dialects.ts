/**
 * What differs between exchanges behind the same ccxt API, kept in one table
 * so the adapter has no `if (exchange === ...)` branches:
 * - constructor option defaults (the user's `options` override them key by key),
 * - how to look an order up by our clientOrderId,
 * - options applied only while fetching currency metadata,
 * - extra parameters a withdrawal needs (kraken: the saved address's key name).
 *
 * Exchanges not listed get the generic behaviour: no extra defaults, and a
 * clientOrderId lookup that searches open then closed orders.
 */

import {UsageError} from '../../errors.js';
import type {WithdrawRequest} from '../../types.js';

/** What a dialect hook may call on the ccxt instance (implicit API methods are looked up by name). */
export interface DialectExchange {
  currency(code: string): {id?: unknown};
  [method: string]: unknown;
}

export type ClientIdLookup =
  /** ccxt's fetchOrder accepts the client id in this param (the venue looks it up natively). */
  | {readonly kind: 'fetchOrder'; readonly param: string}
  /** Search open then closed orders, passing the client id in `param` as a filter when the venue has one. */
  | {readonly kind: 'search'; readonly param?: string};

export interface Dialect {
  /** ccxt `options` defaults; the user's options win key by key. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly clientIdLookup: ClientIdLookup;
  /** ccxt options set only while fetchCurrencies() runs. */
  readonly currencyOptions?: Readonly<Record<string, unknown>>;
  /** False when a cancel reply's clientOrderId is the cancel request's own id, not the order's. */
  readonly cancelReplyClientId?: boolean;
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

const generic: Dialect = {options: {}, clientIdLookup: {kind: 'search'}};

const dialects: Readonly<Record<string, Dialect>> = {
  binance: {
    // loadMarkets would otherwise also call fapi/dapi exchangeInfo and, with keys,
    // sapi capital/config/getall and margin/allPairs (see FACTS.md).
    options: {
      fetchMarkets: {types: ['spot']},
      fetchMargins: false,
      fetchCurrencies: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
    clientIdLookup: {kind: 'fetchOrder', param: 'origClientOrderId'},
    // Currencies (networks, withdraw fees) come from sapi capital/config/getall, asked for explicitly.
    currencyOptions: {fetchCurrencies: true},
    // DELETE /api/v3/order answers clientOrderId = the cancel's id, origClientOrderId = the order's.
    cancelReplyClientId: false,
  },
  // kraken: client ids go out as cl_ord_id; QueryOrders only knows integer userrefs,
  // so the order is found through the cl_ord_id filter of OpenOrders/ClosedOrders.
  kraken: {options: {}, clientIdLookup: {kind: 'search', param: 'clientOrderId'}, withdrawParams: krakenWithdrawParams},
  okx: {options: {}, clientIdLookup: {kind: 'fetchOrder', param: 'clOrdId'}},
};

export function dialectFor(exchange: string): Dialect {
  return dialects[exchange] ?? generic;
}
