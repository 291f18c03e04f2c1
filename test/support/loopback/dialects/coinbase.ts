/**
 * coinbase Advanced Trade REST dialect (/api/v3/brokerage/*) plus the v2
 * calls ccxt makes around it (/v2/time, currencies, currencies/crypto,
 * exchange-rates, accounts).
 *
 * Public: market/products (price and mid_market_price, no bid/ask, as on
 * coinbase; product_type FUTURE answers no products), market/products/{id}/ticker
 * (carries best_bid/best_ask), market/product_book.
 * Private: the same three under brokerage/, best_bid_ask, transaction_summary
 * (the fee tier), accounts (v3 available/hold; v2 one wallet per currency
 * whose balance is the total), orders, orders/historical/{id},
 * orders/historical/batch, orders/historical/fills, orders/batch_cancel.
 *
 * Auth, both ways coinbase accepts:
 * - legacy keys: CB-ACCESS-KEY, CB-ACCESS-TIMESTAMP (seconds, within 30 s) and
 *   CB-ACCESS-SIGN = hex(HMAC-SHA256(secret, timestamp + METHOD + path + body));
 *   v2 GETs sign the query too (`path?query`), v3 GETs do not;
 * - CDP keys (the account secret is a PEM EC key): `Authorization: Bearer
 *   <ES256 JWT>` whose `sub` is the key name and whose `uri` is
 *   "METHOD host/path".
 * A refused v3 call answers 401 `Unauthorized` (text); v2 answers 401 with
 * {errors: [{id: "authentication_error", message}]}.
 *
 * Orders: our id goes in `client_order_id`. A client_order_id already used by
 * any order of the account creates nothing and answers that order (coinbase's
 * documented rule). Market buys spend `quote_size` including the fee; fees are
 * charged in quote. An unknown order id answers 404 {error: "NOT_FOUND", ...}.
 */
import {createPublicKey, verify} from 'node:crypto';
import {add, cmp, div, isPositive, isZero, mul, sub} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, MarketSpec, OrderRecord, PlaceError, TradeRecord, VenueState} from '../state.js';
import {header, hmacHex, parseIntParam, sameText} from './common.js';
import {baseForQuote} from './market-buy.js';
import {uuidOf} from './uuid.js';

const FIAT = new Set(['USD', 'EUR', 'GBP', 'CAD', 'SGD']);
const productId = (m: MarketSpec) => m.id ?? `${m.base}-${m.quote}`;
const iso = (ms: number) => new Date(ms).toISOString();

function findProduct(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const m of state.markets.values()) if (productId(m) === id) return m;
  return undefined;
}

/** Query values of a parameter that may repeat (product_ids=A&product_ids=B). */
function many(req: WireRequest, ...names: string[]): string[] {
  const q = new URLSearchParams(req.rawQuery);
  return names.flatMap((n) => q.getAll(n)).flatMap((v) => v.split(',')).filter((v) => v !== '');
}

const ok = (body: unknown): WireReply => ({status: 200, body});
const v3Error = (status: number, error: string, message: string): WireReply => ({status, body: {error, error_details: message, message}});
const v2Error = (status: number, id: string, message: string): WireReply => ({status, body: {errors: [{id, message}]}});

/** What an order was sent with beyond the shared record: a quote budget, post-only. */
interface OrderExtra {
  readonly quoteSize?: string;
  readonly postOnly?: boolean;
}
const extras = new WeakMap<OrderRecord, OrderExtra>();

const PLACE_ERRORS: Record<PlaceError, {error: string; message: string; preview?: string}> = {
  unknown_symbol: {error: 'INVALID_ARGUMENT', message: 'ProductID is invalid'},
  market_closed: {error: 'UNSUPPORTED_ORDER_CONFIGURATION', message: 'source is not enabled for trading'},
  bad_amount: {error: 'INVALID_SIZE', message: 'Order size is invalid', preview: 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL'},
  bad_price: {error: 'INVALID_LIMIT_PRICE', message: 'Limit price is invalid', preview: 'PREVIEW_INVALID_LIMIT_PRICE'},
  lot_size: {error: 'INVALID_SIZE_PRECISION', message: 'Too many decimals in order size', preview: 'PREVIEW_INVALID_SIZE_PRECISION'},
  price_filter: {error: 'INVALID_PRICE_PRECISION', message: 'Too many decimals in order price', preview: 'PREVIEW_INVALID_PRICE_PRECISION'},
  min_amount: {error: 'INVALID_SIZE', message: 'Order size is too small', preview: 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL'},
  min_cost: {error: 'INVALID_SIZE', message: 'Order value is too small', preview: 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL'},
  insufficient_funds: {error: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account', preview: 'PREVIEW_INSUFFICIENT_FUND'},
  duplicate_client_order_id: {error: 'INVALID_ARGUMENT', message: 'duplicate client_order_id'},
};

function statusOf(order: OrderRecord): string {
  switch (order.status) {
    case 'open':
      return 'OPEN';
    case 'filled':
      return 'FILLED';
    default:
      return 'CANCELLED';
  }
}

function configurationOf(order: OrderRecord): Record<string, unknown> {
  const extra = extras.get(order);
  if (order.type === 'market') return {market_market_ioc: extra?.quoteSize !== undefined ? {quote_size: extra.quoteSize} : {base_size: order.amount}};
  return {limit_limit_gtc: {base_size: order.amount, limit_price: order.price, post_only: extra?.postOnly ?? false}};
}

function orderJson(state: VenueState, account: AccountState, order: OrderRecord): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  const extra = extras.get(order);
  const fills = account.trades.filter((t) => t.orderId === order.id);
  const average = isPositive(order.filled) ? div(order.cost, order.filled) : '0';
  const afterFees = order.side === 'buy' ? add(order.cost, order.fee) : sub(order.cost, order.fee);
  const completion = isZero(order.amount) ? '0' : mul(div(order.filled, order.amount), '100');
  return {
    order_id: order.id,
    product_id: productId(market),
    user_id: uuidOf('user', account.apiKey),
    order_configuration: configurationOf(order),
    side: order.side.toUpperCase(),
    client_order_id: order.clientOrderId ?? '',
    status: statusOf(order),
    time_in_force: order.type === 'market' ? 'IMMEDIATE_OR_CANCEL' : 'GOOD_UNTIL_CANCELLED',
    created_time: iso(order.createdAt),
    completion_percentage: completion,
    filled_size: order.filled,
    average_filled_price: average,
    fee: '',
    number_of_fills: String(fills.length),
    filled_value: order.cost,
    pending_cancel: false,
    size_in_quote: extra?.quoteSize !== undefined,
    total_fees: order.fee,
    size_inclusive_of_fees: extra?.quoteSize !== undefined,
    total_value_after_fees: afterFees,
    trigger_status: 'INVALID_ORDER_TYPE',
    order_type: order.type === 'market' ? 'MARKET' : 'LIMIT',
    reject_reason: 'REJECT_REASON_UNSPECIFIED',
    settled: order.status !== 'open',
    product_type: 'SPOT',
    reject_message: '',
    cancel_message: order.status === 'canceled' ? 'User requested cancel' : '',
    order_placement_source: 'RETAIL_ADVANCED',
    outstanding_hold_amount: order.locked,
    is_liquidation: false,
    last_fill_time: fills.length > 0 ? iso(fills.at(-1)!.timestamp) : null,
    edit_history: [],
    leverage: '',
    margin_type: 'UNKNOWN_MARGIN_TYPE',
    retail_portfolio_id: uuidOf('portfolio', account.apiKey),
    originating_order_id: '',
    attached_order_id: '',
  };
}

function fillJson(state: VenueState, account: AccountState, trade: TradeRecord): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  return {
    entry_id: uuidOf('entry', trade.id).replaceAll('-', ''),
    trade_id: trade.id,
    order_id: trade.orderId,
    trade_time: iso(trade.timestamp),
    trade_type: 'FILL',
    price: trade.price,
    size: trade.amount,
    commission: trade.fee,
    product_id: productId(market),
    sequence_timestamp: iso(trade.timestamp),
    liquidity_indicator: trade.maker ? 'MAKER' : 'TAKER',
    size_in_quote: false,
    user_id: uuidOf('user', account.apiKey),
    side: trade.side.toUpperCase(),
    retail_portfolio_id: uuidOf('portfolio', account.apiKey),
  };
}

function newestFirst<T>(items: T[], limit: number | undefined): T[] {
  return items.reverse().slice(0, Math.min(limit ?? 100, 1000));
}

// ---- public data --------------------------------------------------------------

function mid(state: VenueState, m: MarketSpec): number | undefined {
  const book = state.book(m.symbol);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : (bid ?? ask);
}

function productJson(state: VenueState, m: MarketSpec): Record<string, unknown> {
  const base = state.currencies.get(m.base);
  const quote = state.currencies.get(m.quote);
  const price = mid(state, m);
  return {
    product_id: productId(m),
    price: price === undefined ? '' : String(price),
    price_percentage_change_24h: '0',
    volume_24h: '0',
    volume_percentage_change_24h: '0',
    base_increment: m.amountStep,
    quote_increment: m.priceStep,
    quote_min_size: m.minCost ?? '1',
    quote_max_size: '150000000',
    base_min_size: m.minAmount ?? m.amountStep,
    base_max_size: '3400',
    base_name: base?.name ?? m.base,
    quote_name: quote?.name ?? m.quote,
    watched: false,
    is_disabled: false,
    new: false,
    status: m.active ? 'online' : 'offline',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: !m.active,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: m.quote,
    base_currency_id: m.base,
    fcm_trading_session_details: null,
    mid_market_price: price === undefined ? '' : String(price),
    alias: '',
    alias_to: [],
    base_display_symbol: m.base,
    quote_display_symbol: m.quote,
    view_only: false,
    price_increment: m.priceStep,
    display_name: `${m.base}-${m.quote}`,
    product_venue: 'CBE',
    approximate_quote_24h_volume: '0',
  };
}

function products(state: VenueState, req: WireRequest, params: Record<string, string>): WireReply {
  if (params.product_type !== undefined && params.product_type !== 'SPOT') return ok({products: [], num_products: 0});
  const wanted = many(req, 'product_ids');
  const list = [...state.markets.values()].filter((m) => wanted.length === 0 || wanted.includes(productId(m))).map((m) => productJson(state, m));
  return ok({products: list, num_products: list.length});
}

function ticker(state: VenueState, m: MarketSpec, params: Record<string, string>): WireReply {
  const book = state.book(m.symbol);
  const limit = parseIntParam(params.limit) ?? 1;
  const trades: Record<string, unknown>[] = [];
  for (const account of state.accounts.values()) {
    for (const t of account.trades) {
      if (t.symbol !== m.symbol) continue;
      trades.push({trade_id: t.id, product_id: productId(m), price: t.price, size: t.amount, time: iso(t.timestamp), side: t.side === 'buy' ? 'BUY' : 'SELL', bid: '', ask: '', exchange: 'CBE'});
    }
  }
  trades.sort((a, b) => String(b.time).localeCompare(String(a.time)));
  return ok({
    trades: trades.slice(0, limit),
    best_bid: book.bids[0] ? String(book.bids[0][0]) : '',
    best_ask: book.asks[0] ? String(book.asks[0][0]) : '',
  });
}

function pricebook(state: VenueState, m: MarketSpec, limit: number | undefined): Record<string, unknown> {
  const book = state.book(m.symbol);
  const side = (levels: readonly (readonly [number, number])[]) => levels.slice(0, limit ?? levels.length).map(([price, size]) => ({price: String(price), size: String(size)}));
  return {product_id: productId(m), bids: side(book.bids), asks: side(book.asks), time: iso(state.now())};
}

function productBook(state: VenueState, params: Record<string, string>): WireReply {
  const m = findProduct(state, params.product_id);
  if (!m) return v3Error(400, 'INVALID_ARGUMENT', 'ProductID is invalid');
  const book = state.book(m.symbol);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  const middle = mid(state, m);
  return ok({
    pricebook: pricebook(state, m, parseIntParam(params.limit)),
    last: middle === undefined ? '' : String(middle),
    mid_market: middle === undefined ? '' : String(middle),
    spread_bps: bid !== undefined && ask !== undefined ? String(((ask - bid) / ((ask + bid) / 2)) * 10_000) : '',
    spread_absolute: bid !== undefined && ask !== undefined ? String(ask - bid) : '',
  });
}

function exchangeRates(state: VenueState): Record<string, string> {
  const rates: Record<string, string> = {USD: '1'};
  for (const m of state.markets.values()) {
    const price = mid(state, m);
    if (m.quote === 'USD' && price) rates[m.base] = String(1 / price);
  }
  for (const code of state.currencies.keys()) rates[code] ??= '1';
  return rates;
}

// ---- accounts ---------------------------------------------------------------

function assetsOf(state: VenueState, account: AccountState): string[] {
  const seen = new Set<string>([...state.currencies.keys(), ...account.balances.keys()]);
  return [...seen];
}

function v2Accounts(state: VenueState, account: AccountState): WireReply {
  const now = iso(state.now());
  const data = assetsOf(state, account).map((asset) => {
    const b = account.balances.get(asset) ?? {free: '0', locked: '0'};
    const fiat = FIAT.has(asset);
    const currency = state.currencies.get(asset);
    const id = uuidOf(`account:${account.apiKey}`, asset);
    return {
      id,
      name: `${asset} Wallet`,
      primary: true,
      type: fiat ? 'fiat' : 'wallet',
      currency: {
        code: asset,
        name: currency?.name ?? asset,
        color: '#0052FF',
        sort_index: 100,
        exponent: currency?.decimals ?? 8,
        type: fiat ? 'fiat' : 'crypto',
        ...(fiat ? {} : {asset_id: uuidOf('asset', asset), slug: asset.toLowerCase()}),
      },
      balance: {amount: add(b.free, b.locked), currency: asset},
      created_at: now,
      updated_at: now,
      resource: 'account',
      resource_path: `/v2/accounts/${id}`,
      allow_deposits: true,
      allow_withdrawals: true,
    };
  });
  return ok({
    pagination: {ending_before: null, starting_after: null, previous_ending_before: null, next_starting_after: null, limit: 250, order: 'desc', previous_uri: null, next_uri: null},
    data,
  });
}

function v3Accounts(state: VenueState, account: AccountState): WireReply {
  const now = iso(state.now());
  const accounts = assetsOf(state, account).map((asset) => {
    const b = account.balances.get(asset) ?? {free: '0', locked: '0'};
    return {
      uuid: uuidOf(`account:${account.apiKey}`, asset),
      name: `${asset} Wallet`,
      currency: asset,
      available_balance: {value: b.free, currency: asset},
      default: true,
      active: true,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      type: FIAT.has(asset) ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO',
      ready: true,
      hold: {value: b.locked, currency: asset},
      retail_portfolio_id: uuidOf('portfolio', account.apiKey),
      platform: 'ACCOUNT_PLATFORM_CONSUMER',
    };
  });
  return ok({accounts, has_next: false, cursor: '', size: accounts.length});
}

// ---- orders -------------------------------------------------------------------

function createOrder(state: VenueState, account: AccountState, body: Record<string, unknown>): WireReply {
  const config = (body.order_configuration ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const clientOrderId = typeof body.client_order_id === 'string' ? body.client_order_id : '';
  const side = String(body.side ?? '').toLowerCase();
  const failed = (e: {error: string; message: string; preview?: string}): WireReply =>
    ok({
      success: false,
      failure_reason: 'UNKNOWN_FAILURE_REASON',
      order_id: '',
      error_response: {error: e.error, message: e.message, error_details: '', ...(e.preview ? {preview_failure_reason: e.preview} : {}), new_order_failure_reason: e.error},
      order_configuration: config,
    });
  if (!clientOrderId) return v3Error(400, 'INVALID_ARGUMENT', 'client_order_id is required');
  const market = findProduct(state, typeof body.product_id === 'string' ? body.product_id : undefined);
  if (!market) return failed(PLACE_ERRORS.unknown_symbol);
  if (side !== 'buy' && side !== 'sell') return v3Error(400, 'INVALID_ARGUMENT', 'side is invalid');
  // A used client_order_id creates nothing: the order it names is the answer.
  const existing = state.findOrder(account.apiKey, {clientOrderId});
  if (existing) return ok(created(state, existing, config));
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  let input: {type: 'limit' | 'market'; amount: string; price?: string; extra: OrderExtra};
  if (config.market_market_ioc) {
    const quoteSize = str(config.market_market_ioc.quote_size);
    const baseSize = str(config.market_market_ioc.base_size);
    if (quoteSize !== undefined) {
      if (side !== 'buy') return failed({error: 'UNSUPPORTED_ORDER_CONFIGURATION', message: 'quote_size is for market buys'});
      let budget: string;
      try {
        budget = div(quoteSize, add('1', market.taker));
      } catch {
        return failed(PLACE_ERRORS.bad_amount);
      }
      if (market.minCost !== undefined && cmp(quoteSize, market.minCost) < 0) return failed(PLACE_ERRORS.min_cost);
      input = {type: 'market', amount: baseForQuote(state, market.symbol, budget, market.amountStep), extra: {quoteSize}};
    } else if (baseSize !== undefined) {
      input = {type: 'market', amount: baseSize, extra: {}};
    } else return failed({error: 'INVALID_ARGUMENT', message: 'base_size or quote_size is required'});
  } else if (config.limit_limit_gtc) {
    const c = config.limit_limit_gtc;
    const postOnly = c.post_only === true;
    const price = str(c.limit_price);
    if (postOnly && price !== undefined) {
      const book = state.book(market.symbol);
      const best = side === 'buy' ? book.asks[0]?.[0] : book.bids[0]?.[0];
      if (best !== undefined && (side === 'buy' ? Number(price) >= best : Number(price) <= best)) {
        return failed({error: 'INVALID_LIMIT_PRICE_POST_ONLY', message: 'Limit price would cross the book for a post-only order', preview: 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY'});
      }
    }
    input = {type: 'limit', amount: str(c.base_size) ?? '', ...(price !== undefined ? {price} : {}), extra: {postOnly}};
  } else {
    return failed({error: 'UNSUPPORTED_ORDER_CONFIGURATION', message: 'order configuration is not supported here'});
  }
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side,
    type: input.type,
    amount: input.amount,
    ...(input.price !== undefined ? {price: input.price} : {}),
    clientOrderId,
  });
  if (!result.ok) return failed(PLACE_ERRORS[result.error]);
  extras.set(result.value, input.extra);
  return ok(created(state, result.value, config));
}

function created(state: VenueState, order: OrderRecord, config: unknown): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  return {
    success: true,
    failure_reason: 'UNKNOWN_FAILURE_REASON',
    order_id: order.id,
    success_response: {order_id: order.id, product_id: productId(market), side: order.side.toUpperCase(), client_order_id: order.clientOrderId ?? '', attached_order_id: ''},
    order_configuration: config,
  };
}

function listOrders(state: VenueState, account: AccountState, req: WireRequest, params: Record<string, string>): WireReply {
  const statuses = many(req, 'order_status');
  const ids = many(req, 'order_ids');
  const productIds = many(req, 'product_ids', 'product_id');
  const start = params.start_date ? Date.parse(params.start_date) : undefined;
  const end = params.end_date ? Date.parse(params.end_date) : undefined;
  const rows = account.orders.filter((o) => {
    const m = state.markets.get(o.symbol)!;
    if (statuses.length > 0 && !statuses.includes(statusOf(o))) return false;
    if (ids.length > 0 && !ids.includes(o.id)) return false;
    if (productIds.length > 0 && !productIds.includes(productId(m))) return false;
    if (params.order_side !== undefined && o.side.toUpperCase() !== params.order_side) return false;
    return (start === undefined || o.createdAt >= start) && (end === undefined || o.createdAt <= end);
  });
  const orders = newestFirst(rows, parseIntParam(params.limit)).map((o) => orderJson(state, account, o));
  return ok({orders, sequence: '0', has_next: false, cursor: ''});
}

function listFills(state: VenueState, account: AccountState, req: WireRequest, params: Record<string, string>): WireReply {
  const orderIds = many(req, 'order_ids', 'order_id');
  const productIds = many(req, 'product_ids', 'product_id');
  const start = params.start_sequence_timestamp ? Date.parse(params.start_sequence_timestamp) : undefined;
  const end = params.end_sequence_timestamp ? Date.parse(params.end_sequence_timestamp) : undefined;
  const rows = account.trades.filter((t) => {
    if (orderIds.length > 0 && !orderIds.includes(t.orderId)) return false;
    if (productIds.length > 0 && !productIds.includes(productId(state.markets.get(t.symbol)!))) return false;
    return (start === undefined || t.timestamp >= start) && (end === undefined || t.timestamp <= end);
  });
  const fills = newestFirst(rows, parseIntParam(params.limit)).map((t) => fillJson(state, account, t));
  return ok({fills, cursor: ''});
}

function batchCancel(state: VenueState, account: AccountState, body: Record<string, unknown>): WireReply {
  const ids = Array.isArray(body.order_ids) ? body.order_ids.map(String) : [];
  if (ids.length === 0) return v3Error(400, 'INVALID_ARGUMENT', 'order_ids is required');
  const results = ids.map((id) => {
    const known = state.findOrder(account.apiKey, {id});
    if (!known) return {success: false, failure_reason: 'UNKNOWN_CANCEL_ORDER', order_id: id};
    const canceled = state.cancelOrder(account.apiKey, {id});
    if (!canceled) return {success: false, failure_reason: 'COMMANDER_REJECTED_CANCEL_ORDER', order_id: id};
    return {success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: id};
  });
  return ok({results});
}

// ---- auth ---------------------------------------------------------------------

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function authenticate(req: WireRequest, state: VenueState): {account: AccountState} | WireReply {
  const v3 = req.path.startsWith('/api/v3/');
  const deny = (message: string): WireReply =>
    v3 ? {status: 401, body: 'Unauthorized\n', headers: {'Content-Type': 'text/plain; charset=utf-8'}} : v2Error(401, 'authentication_error', message);
  const nowSeconds = Math.floor(state.now() / 1000);
  const authorization = header(req.headers, 'authorization');
  if (authorization !== undefined) {
    const token = authorization.replace(/^Bearer /, '');
    const [head, payload, signature] = token.split('.');
    if (!head || !payload || !signature) return deny('invalid token');
    let claims: {sub?: string; nbf?: number; exp?: number; uri?: string};
    let alg: string | undefined;
    try {
      alg = (JSON.parse(base64url(head).toString('utf8')) as {alg?: string}).alg;
      claims = JSON.parse(base64url(payload).toString('utf8')) as typeof claims;
    } catch {
      return deny('invalid token');
    }
    const account = claims.sub === undefined ? undefined : state.accounts.get(claims.sub);
    if (!account || alg !== 'ES256' || !account.secret.includes('PRIVATE KEY')) return deny('invalid api key');
    const valid = verify('sha256', Buffer.from(`${head}.${payload}`), {key: createPublicKey(account.secret), dsaEncoding: 'ieee-p1363'}, base64url(signature));
    if (!valid) return deny('invalid signature');
    if (claims.exp === undefined || claims.exp < nowSeconds || (claims.nbf ?? 0) > nowSeconds + 5) return deny('expired token');
    const host = header(req.headers, 'host') ?? '';
    const uri = (claims.uri ?? '').replace(/ (https?:\/\/)/, ' ');
    if (uri !== `${req.method} ${host}${req.path}`) return deny('token uri does not match the request');
    return {account};
  }
  const apiKey = header(req.headers, 'cb-access-key');
  const account = apiKey === undefined ? undefined : state.accounts.get(apiKey);
  if (!account) return deny('invalid api key');
  const timestamp = header(req.headers, 'cb-access-timestamp') ?? '';
  if (!/^\d+$/.test(timestamp)) return deny('invalid timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > 30) return deny('request timestamp expired');
  const signedPath = !v3 && req.method === 'GET' && req.rawQuery ? `${req.path}?${req.rawQuery}` : req.path;
  const expected = hmacHex('sha256', account.secret, `${timestamp}${req.method}${signedPath}${req.body}`);
  if (!sameText(header(req.headers, 'cb-access-sign'), expected)) return deny('invalid signature');
  return {account};
}

// ---- dispatch -------------------------------------------------------------------

const V3 = '/api/v3/brokerage';

export const coinbase: Dialect = {
  name: 'coinbase',
  policy: {
    feeCurrency: 'quote',
    withdrawFeeOnTop: false,
    orderId: (seq) => uuidOf('order', seq),
    tradeId: (seq) => uuidOf('trade', seq),
    transferId: (seq) => uuidOf('transfer', seq),
    txid: (seq) => `0x${seq.toString(16).padStart(64, 'c')}`,
  },

  rateLimited: () => ({errors: [{id: 'rate_limit_exceeded', message: 'Too many requests'}]}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const body = parseBody(req);
    const params: Record<string, string> = {...req.query};
    const route = `${req.method} ${req.path}`;
    const pathTicker = /^\/api\/v3\/brokerage\/(market\/)?products\/([^/]+)\/ticker$/.exec(req.path);
    const pathProduct = /^\/api\/v3\/brokerage\/(market\/)?products\/([^/]+)$/.exec(req.path);
    const isPublic = (match: RegExpExecArray | null) => match !== null && match[1] !== undefined;
    // Public calls.
    switch (route) {
      case 'GET /v2/time':
        return ok({data: {iso: iso(state.now()).replace(/\.\d+Z$/, 'Z'), epoch: Math.floor(state.now() / 1000)}});
      case `GET ${V3}/time`:
        return ok({iso: iso(state.now()), epochSeconds: String(Math.floor(state.now() / 1000)), epochMillis: String(state.now())});
      case 'GET /v2/currencies':
        return ok({data: [...state.currencies.values()].filter((c) => FIAT.has(c.code)).map((c) => ({id: c.code, name: c.name, min_size: (10 ** -Math.min(c.decimals, 8)).toFixed(Math.min(c.decimals, 8))}))});
      case 'GET /v2/currencies/crypto':
        return ok({
          data: [...state.currencies.values()]
            .filter((c) => !FIAT.has(c.code))
            .map((c, i) => ({asset_id: uuidOf('asset', c.code), code: c.code, name: c.name, color: '#0052FF', sort_index: String(100 + i), exponent: String(c.decimals), type: 'crypto', address_regex: '^.+$'})),
        });
      case 'GET /v2/exchange-rates':
        return ok({data: {currency: params.currency ?? 'USD', rates: exchangeRates(state)}});
      case `GET ${V3}/market/products`:
        return products(state, req, params);
      case `GET ${V3}/market/product_book`:
        return productBook(state, params);
    }
    if (req.method === 'GET' && isPublic(pathTicker)) {
      const m = findProduct(state, pathTicker![2]);
      return m ? ticker(state, m, params) : v3Error(404, 'NOT_FOUND', 'product not found');
    }
    if (req.method === 'GET' && isPublic(pathProduct)) {
      const m = findProduct(state, pathProduct![2]);
      return m ? ok(productJson(state, m)) : v3Error(404, 'NOT_FOUND', 'product not found');
    }
    if (!req.path.startsWith('/v2/') && !req.path.startsWith(`${V3}/`)) return v3Error(404, 'NOT_FOUND', 'Not Found');

    const auth = authenticate(req, state);
    if ('status' in auth) return auth;
    const account = auth.account;
    switch (route) {
      case 'GET /v2/accounts':
        return v2Accounts(state, account);
      case 'GET /v2/user':
        return ok({data: {id: uuidOf('user', account.apiKey), name: 'loopback', username: null, resource: 'user', resource_path: '/v2/user'}});
      case `GET ${V3}/accounts`:
        return v3Accounts(state, account);
      case `GET ${V3}/key_permissions`:
        return ok({can_view: true, can_trade: true, can_transfer: true, portfolio_uuid: uuidOf('portfolio', account.apiKey), portfolio_type: 'DEFAULT'});
      case `GET ${V3}/transaction_summary`: {
        const first = [...state.markets.values()][0];
        return ok({
          total_volume: 0,
          total_fees: 0,
          fee_tier: {pricing_tier: 'Advanced 1', usd_from: '0', usd_to: '1000', taker_fee_rate: first?.taker ?? '0.006', maker_fee_rate: first?.maker ?? '0.004', aop_from: '', aop_to: ''},
          margin_rate: null,
          goods_and_services_tax: null,
          advanced_trade_only_volume: 0,
          advanced_trade_only_fees: 0,
          coinbase_pro_volume: 0,
          coinbase_pro_fees: 0,
          total_balance: '',
          has_promo_fee: false,
        });
      }
      case `GET ${V3}/products`:
        return products(state, req, params);
      case `GET ${V3}/product_book`:
        return productBook(state, params);
      case `GET ${V3}/best_bid_ask`: {
        const wanted = many(req, 'product_ids');
        const list = [...state.markets.values()].filter((m) => wanted.length === 0 || wanted.includes(productId(m)));
        return ok({pricebooks: list.map((m) => pricebook(state, m, 1))});
      }
      case `POST ${V3}/orders`:
        return createOrder(state, account, body);
      case `POST ${V3}/orders/batch_cancel`:
        return batchCancel(state, account, body);
      case `GET ${V3}/orders/historical/batch`:
        return listOrders(state, account, req, params);
      case `GET ${V3}/orders/historical/fills`:
        return listFills(state, account, req, params);
    }
    if (req.method === 'GET' && pathTicker) {
      const m = findProduct(state, pathTicker[2]);
      return m ? ticker(state, m, params) : v3Error(404, 'NOT_FOUND', 'product not found');
    }
    if (req.method === 'GET' && pathProduct) {
      const m = findProduct(state, pathProduct[2]);
      return m ? ok(productJson(state, m)) : v3Error(404, 'NOT_FOUND', 'product not found');
    }
    const one = /^\/api\/v3\/brokerage\/orders\/historical\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && one) {
      const order = state.findOrder(account.apiKey, {id: decodeURIComponent(one[1]!)});
      if (!order) return v3Error(404, 'NOT_FOUND', 'order with this orderID was not found');
      return ok({order: orderJson(state, account, order)});
    }
    return req.path.startsWith('/v2/') ? v2Error(404, 'not_found', 'Not found') : v3Error(404, 'NOT_FOUND', 'Not Found');
  },
};
