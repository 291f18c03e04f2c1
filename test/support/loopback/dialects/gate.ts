/**
 * gate v4 spot REST dialect (/api/v4/spot/*, classic spot account).
 *
 * Answers are bare JSON (objects or lists); errors are {label, message} with
 * gate's labels (BALANCE_NOT_ENOUGH, ORDER_NOT_FOUND, TOO_MANY_REQUESTS,
 * INVALID_KEY, INVALID_SIGNATURE, REQUEST_EXPIRED, ...). Private calls carry
 * KEY, Timestamp (seconds, within 60 s) and SIGN = hex(HMAC-SHA512(secret,
 * METHOD \n /api/v4/path \n decoded query \n hex(SHA512(body)) \n Timestamp)).
 *
 * Orders: `text` is the client id. It must start with "t-" and carry at most
 * 28 characters after it (letters, digits, '_', '-', '.'); it is echoed back
 * as sent, prefix included. Without one the order's text is "apiv4". An order
 * can be looked up (or cancelled) by its text instead of its id only while it
 * is open; once finished only its id works, as gate's API reference says
 * (some versions of it allow 60 s more; the stricter rule covers both). The
 * finished-orders list still carries the text.
 * A market buy's `amount` is the quote amount to spend (and `left` stays in
 * quote); market orders take time_in_force ioc or fok only. Order creation
 * answers 201.
 *
 * Wallet: deposit addresses per chain, withdrawals on a named chain (the fee
 * is taken out of the amount), deposit and withdrawal history (ids start with
 * "d" and "w", which is how ccxt tells them apart), fees per chain.
 *
 * The unified-account probe (account/detail) reports a classic account; the
 * futures, delivery and options listings answer with no data, so an
 * unconfigured ccxt gate loads spot markets only.
 */
import {createHash} from 'node:crypto';
import {cmp, div, isDecimal, isPositive, mul, sub} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, CurrencySpec, MarketSpec, OrderRecord, PlaceError, TradeRecord, TransferRecord, VenueState, WithdrawError} from '../state.js';
import {header, hmacHex, parseIntParam, sameText, stepDecimals} from './common.js';
import {baseForQuote} from './market-buy.js';
import {decodedQuery, postOnlyCrosses, quoteAmountOf, rememberQuoteAmount, topOfBook} from './spot-helpers.js';

type Params = Record<string, string>;

/** Unified network code -> gate chain name. */
const CHAINS: Record<string, string> = {BTC: 'BTC', ERC20: 'ETH', TRC20: 'TRX', BEP20: 'BSC', SOL: 'SOL'};
const chainOf = (network: string) => CHAINS[network] ?? network;

function networkOfChain(currency: CurrencySpec, chain: string | undefined): string | undefined {
  if (chain === undefined || chain === '') return undefined;
  return currency.networks.find((n) => chainOf(n.network) === chain.toUpperCase())?.network;
}

const pairId = (m: MarketSpec) => m.id ?? `${m.base}_${m.quote}`;
function findPair(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const m of state.markets.values()) if (pairId(m) === id) return m;
  return undefined;
}

const ok = (body: unknown, status = 200): WireReply => ({status, body});
const fail = (status: number, label: string, message: string): WireReply => ({status, body: {label, message}});
const badPair = () => fail(400, 'INVALID_CURRENCY_PAIR', 'Invalid currency pair');

const PLACE_ERRORS: Record<PlaceError, (m: MarketSpec, sent: string) => WireReply> = {
  unknown_symbol: () => badPair(),
  market_closed: () => fail(400, 'TRADE_RESTRICTED', 'Trading is restricted for this currency pair'),
  bad_amount: () => fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: amount'),
  bad_price: () => fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: price'),
  lot_size: () => fail(400, 'INVALID_PRECISION', 'Invalid precision'),
  price_filter: () => fail(400, 'INVALID_PRECISION', 'Invalid precision'),
  min_amount: (m, sent) => fail(400, 'INVALID_PARAM_VALUE', `Your order size ${sent} ${m.base} is too small. The minimum is ${m.minAmount ?? m.amountStep} ${m.base}`),
  min_cost: (m, sent) => fail(400, 'INVALID_PARAM_VALUE', `Your order size ${sent} ${m.quote} is too small. The minimum is ${m.minCost ?? '0'} ${m.quote}`),
  insufficient_funds: () => fail(400, 'BALANCE_NOT_ENOUGH', 'Not enough balance'),
  duplicate_client_order_id: () => fail(400, 'REPEATED_CREATION', 'Repeated creation'),
};

const WITHDRAW_ERRORS: Record<WithdrawError, WireReply> = {
  unknown_asset: fail(400, 'INVALID_CURRENCY', 'Invalid currency'),
  unknown_network: fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: chain'),
  withdraw_disabled: fail(400, 'WITHDRAWAL_DISABLED', 'Withdrawal is disabled for this currency'),
  below_minimum: fail(400, 'AMOUNT_TOO_LITTLE', 'Amount is too little'),
  insufficient_funds: fail(400, 'BALANCE_NOT_ENOUGH', 'Not enough balance'),
  bad_amount: fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: amount'),
};

const TRANSFER_STATUS = {pending: 'PEND', ok: 'DONE', failed: 'FAIL', canceled: 'CANCEL'} as const;
/** gate tells deposits from withdrawals by the first letter of the id. */
const transferId = (t: TransferRecord) => `${t.kind === 'deposit' ? 'd' : 'w'}${t.id}`;

/** wallet/deposits and wallet/withdrawals row; a withdrawal's amount includes its fee (ccxt subtracts it). */
function transferJson(t: TransferRecord): Record<string, unknown> {
  return {
    id: transferId(t),
    timestamp: String(Math.floor(t.timestamp / 1000)),
    ...(t.kind === 'withdrawal' ? {withdraw_order_id: '', fee: t.fee, block_number: '1'} : {}),
    currency: t.asset,
    address: t.address ?? '',
    txid: t.txid,
    amount: t.amount,
    memo: t.tag ?? '',
    status: TRANSFER_STATUS[t.status],
    chain: t.network === undefined ? '' : chainOf(t.network),
  };
}

/** Client text as gate takes it: "t-" then 1..28 of [0-9A-Za-z_.-]. */
const TEXT = /^t-[0-9A-Za-z_.-]{1,28}$/;
const DEFAULT_TEXT = 'apiv4';

function finishAs(order: OrderRecord): string {
  switch (order.status) {
    case 'open':
      return 'open';
    case 'filled':
      return 'filled';
    case 'canceled':
      return 'cancelled';
    case 'expired':
      return 'ioc';
  }
}

const seconds = (ms: number) => String(Math.floor(ms / 1000));

function orderJson(state: VenueState, order: OrderRecord): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  const quote = quoteAmountOf(order);
  const average = isPositive(order.filled) ? div(order.cost, order.filled) : '0';
  return {
    id: order.id,
    text: order.clientOrderId ?? DEFAULT_TEXT,
    amend_text: '-',
    create_time: seconds(order.createdAt),
    update_time: seconds(order.updatedAt),
    create_time_ms: order.createdAt,
    update_time_ms: order.updatedAt,
    status: order.status === 'open' ? 'open' : order.status === 'canceled' ? 'cancelled' : 'closed',
    currency_pair: pairId(market),
    type: order.type,
    account: 'spot',
    side: order.side,
    // a market buy is kept in quote, as it was sent
    amount: quote ?? order.amount,
    price: order.price ?? '0',
    time_in_force: order.type === 'market' ? 'ioc' : 'gtc',
    iceberg: '0',
    // what is still unspent (quote, market buy) or unfilled (base)
    left: quote !== undefined ? sub(quote, order.cost) : sub(order.amount, order.filled),
    filled_amount: order.filled,
    fill_price: order.cost,
    filled_total: order.cost,
    avg_deal_price: average,
    fee: order.fee,
    fee_currency: order.feeCurrency,
    point_fee: '0',
    gt_fee: '0',
    gt_maker_fee: '0',
    gt_taker_fee: '0',
    gt_discount: false,
    rebated_fee: '0',
    rebated_fee_currency: market.quote,
    finish_as: finishAs(order),
  };
}

function tradeJson(state: VenueState, trade: TradeRecord, text: string): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  return {
    id: trade.id,
    create_time: seconds(trade.timestamp),
    create_time_ms: `${trade.timestamp}.000000`,
    currency_pair: pairId(market),
    side: trade.side,
    role: trade.maker ? 'maker' : 'taker',
    amount: trade.amount,
    price: trade.price,
    order_id: trade.orderId,
    fee: trade.fee,
    fee_currency: trade.feeCurrency,
    point_fee: '0',
    gt_fee: '0',
    amend_text: '-',
    sequence_id: trade.id,
    text,
  };
}

/** Newest first, created in [from, to] (seconds), at most `limit` (default 100, max 1000). */
function page<T>(items: readonly T[], params: Params, at: (item: T) => number): T[] {
  const from = parseIntParam(params.from);
  const to = parseIntParam(params.to);
  const limit = Math.min(parseIntParam(params.limit) ?? 100, 1000);
  return items
    .filter((item) => (from === undefined || at(item) >= from * 1000) && (to === undefined || at(item) < (to + 1) * 1000))
    .reverse()
    .slice(0, limit);
}

/** An order by id, or by text while it is open (gate finds finished orders by id only). */
function lookup(state: VenueState, account: AccountState, ref: string, market: MarketSpec): OrderRecord | undefined {
  if (!ref.startsWith('t-')) return state.findOrder(account.apiKey, {id: ref, symbol: market.symbol});
  const order = state.findOrder(account.apiKey, {clientOrderId: ref, symbol: market.symbol});
  return order?.status === 'open' ? order : undefined;
}

export const gate: Dialect = {
  name: 'gate',
  policy: {
    feeCurrency: 'received',
    withdrawFeeOnTop: false,
    orderId: (seq) => String(700_000_000_000 + seq),
    tradeId: (seq) => String(9_100_000_000 + seq),
    transferId: (seq) => String(90_000_000 + seq),
    txid: (seq) => `0x${seq.toString(16).padStart(64, 'a')}`,
  },

  rateLimited: () => ({label: 'TOO_MANY_REQUESTS', message: 'Request Rate limit Exceeded'}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const body = parseBody(req);
    const params: Params = {};
    for (const [k, v] of Object.entries({...req.query, ...body})) if (v !== null && typeof v !== 'object') params[k] = String(v);
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /api/v4/spot/time':
        return ok({server_time: state.now()});
      case 'GET /api/v4/spot/currency_pairs':
        return ok([...state.markets.values()].map(pairJson));
      case 'GET /api/v4/margin/currency_pairs':
      case 'GET /api/v4/options/underlyings':
        return ok([]);
      case 'GET /api/v4/spot/currencies':
        return ok(currenciesJson(state));
      case 'GET /api/v4/spot/tickers': {
        if (params.currency_pair !== undefined && !findPair(state, params.currency_pair)) return badPair();
        return ok([...state.markets.values()].filter((m) => params.currency_pair === undefined || pairId(m) === params.currency_pair).map((m) => tickerJson(state, m)));
      }
      case 'GET /api/v4/spot/order_book': {
        const m = findPair(state, params.currency_pair);
        if (!m) return badPair();
        const limit = Math.min(parseIntParam(params.limit) ?? 10, 1000);
        const book = state.book(m.symbol);
        const side = (levels: readonly (readonly [number, number])[]) => levels.slice(0, limit).map(([p, a]) => [String(p), String(a)]);
        const now = state.now();
        return ok({...(params.with_id === 'true' ? {id: state.bookVersion(m.symbol)} : {}), current: now, update: now, asks: side(book.asks), bids: side(book.bids)});
      }
    }
    if (req.method === 'GET' && /^\/api\/v4\/(futures|delivery)\/[a-z]+\/contracts$/.test(req.path)) return ok([]);
    if (!req.path.startsWith('/api/v4/')) return fail(404, 'NOT_FOUND', 'Not Found');
    const auth = authenticate(req, state);
    if ('status' in auth) return auth;
    const account = auth.account;
    switch (route) {
      case 'GET /api/v4/account/detail':
        return ok({user_id: 10406147, ip_whitelist: [], currency_pairs: [], key: {mode: 1}, tier: 0, tier_expire_time: '0001-01-01T00:00:00Z', copy_trading_role: 0});
      case 'GET /api/v4/spot/accounts':
        return ok(
          [...account.balances.entries()]
            .filter(([currency]) => params.currency === undefined || currency === params.currency)
            .map(([currency, b], i) => ({currency, available: b.free, locked: b.locked, update_id: i + 1})),
        );
      case 'GET /api/v4/wallet/deposit_address': {
        const currency = state.currencies.get(params.currency ?? '');
        if (!currency) return fail(400, 'INVALID_CURRENCY', 'Invalid currency');
        const list = account.depositAddresses.get(currency.code) ?? [];
        const chains = list.map((a) => ({chain: chainOf(a.network ?? state.defaultNetwork(currency.code)?.network ?? currency.code), address: a.address, payment_id: a.tag ?? '', payment_name: '', obtain_failed: 0}));
        return ok({currency: currency.code, address: chains[0]?.address ?? '', multichain_addresses: chains});
      }
      case 'POST /api/v4/withdrawals': {
        const currency = state.currencies.get(params.currency ?? '');
        if (!currency) return WITHDRAW_ERRORS.unknown_asset;
        if (params.chain === undefined) return fail(400, 'MISSING_REQUIRED_PARAM', 'chain is required');
        const network = networkOfChain(currency, params.chain);
        if (network === undefined) return WITHDRAW_ERRORS.unknown_network;
        const result = state.withdraw(account.apiKey, {asset: currency.code, amount: params.amount ?? '', address: params.address ?? '', network, ...(params.memo ? {tag: params.memo} : {})});
        if (!result.ok) return WITHDRAW_ERRORS[result.error];
        const t = result.value;
        return ok({id: transferId(t), currency: t.asset, amount: t.amount, address: t.address, memo: t.tag ?? null, status: t.status === 'ok' ? 'DONE' : 'REQUEST', chain: chainOf(network), withdraw_order_id: '', fee_amount: t.fee});
      }
      case 'GET /api/v4/wallet/deposits':
      case 'GET /api/v4/wallet/withdrawals': {
        const list = route.endsWith('deposits') ? account.deposits : account.withdrawals;
        const rows = list.filter((t) => params.currency === undefined || t.asset === params.currency);
        return ok(page(rows, params, (t) => t.timestamp).map(transferJson));
      }
      case 'GET /api/v4/wallet/withdraw_status':
        return ok(withdrawStatusJson(state, params.currency));
      case 'POST /api/v4/spot/orders':
        return placeOrder(state, account, body);
      case 'GET /api/v4/spot/open_orders': {
        const byPair = new Map<string, OrderRecord[]>();
        for (const o of account.orders) {
          if (o.status !== 'open') continue;
          const id = pairId(state.markets.get(o.symbol)!);
          byPair.set(id, [...(byPair.get(id) ?? []), o]);
        }
        return ok([...byPair.entries()].map(([id, orders]) => ({currency_pair: id, total: orders.length, orders: orders.reverse().map((o) => orderJson(state, o))})));
      }
      case 'GET /api/v4/spot/orders': {
        const status = params.status;
        if (status !== 'open' && status !== 'finished') return fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: status');
        const m = params.currency_pair === undefined ? undefined : findPair(state, params.currency_pair);
        if (params.currency_pair !== undefined && !m) return badPair();
        if (status === 'open' && !m) return fail(400, 'MISSING_REQUIRED_PARAM', 'currency_pair is required');
        const orders = account.orders.filter((o) => (status === 'open' ? o.status === 'open' : o.status !== 'open') && (!m || o.symbol === m.symbol) && (params.side === undefined || o.side === params.side));
        return ok(page(orders, params, (o) => o.createdAt).map((o) => orderJson(state, o)));
      }
      case 'GET /api/v4/spot/my_trades': {
        const m = params.currency_pair === undefined ? undefined : findPair(state, params.currency_pair);
        if (params.currency_pair !== undefined && !m) return badPair();
        const texts = new Map(account.orders.map((o) => [o.id, o.clientOrderId ?? DEFAULT_TEXT]));
        const trades = account.trades.filter((t) => (!m || t.symbol === m.symbol) && (params.order_id === undefined || t.orderId === params.order_id));
        return ok(page(trades, params, (t) => t.timestamp).map((t) => tradeJson(state, t, texts.get(t.orderId) ?? DEFAULT_TEXT)));
      }
    }
    const one = /^\/api\/v4\/spot\/orders\/([^/]+)$/.exec(req.path);
    if (one && (req.method === 'GET' || req.method === 'DELETE')) {
      const ref = decodeURIComponent(one[1]!);
      const m = findPair(state, params.currency_pair);
      if (!m) return fail(400, 'MISSING_REQUIRED_PARAM', 'currency_pair is required');
      const order = lookup(state, account, ref, m);
      if (!order) return fail(404, 'ORDER_NOT_FOUND', 'Order not found');
      if (req.method === 'GET') return ok(orderJson(state, order));
      if (order.status === 'filled') return fail(400, 'ORDER_CLOSED', 'Order closed');
      if (order.status !== 'open') return fail(400, 'ORDER_CANCELLED', 'Order cancelled');
      state.cancelOrder(account.apiKey, {id: order.id});
      return ok(orderJson(state, order));
    }
    return fail(404, 'NOT_FOUND', 'Not Found');
  },
};

function authenticate(req: WireRequest, state: VenueState): {account: AccountState} | WireReply {
  const apiKey = header(req.headers, 'key');
  const timestamp = header(req.headers, 'timestamp');
  const sign = header(req.headers, 'sign');
  if (!apiKey || !timestamp || !sign) return fail(401, 'MISSING_REQUIRED_HEADER', 'Missing required header: KEY, Timestamp or SIGN');
  const account = state.accounts.get(apiKey);
  if (!account) return fail(401, 'INVALID_KEY', 'Invalid key provided');
  const at = Number(timestamp);
  if (!Number.isFinite(at) || Math.abs(state.now() / 1000 - at) > 60) return fail(401, 'REQUEST_EXPIRED', 'gap between request Timestamp and server time exceeds 60');
  const bodyHash = createHash('sha512').update(req.body).digest('hex');
  const payload = [req.method, req.path, decodedQuery(req.rawQuery), bodyHash, timestamp].join('\n');
  if (!sameText(sign, hmacHex('sha512', account.secret, payload))) return fail(401, 'INVALID_SIGNATURE', 'Signature mismatch');
  return {account};
}

function pairJson(m: MarketSpec): Record<string, unknown> {
  return {
    id: pairId(m),
    base: m.base,
    base_name: m.base,
    quote: m.quote,
    quote_name: m.quote,
    // percent, as gate publishes it
    fee: mul(m.taker, '100'),
    min_base_amount: m.minAmount ?? m.amountStep,
    min_quote_amount: m.minCost ?? '0',
    max_base_amount: '',
    max_quote_amount: '5000000',
    amount_precision: stepDecimals(m.amountStep),
    precision: stepDecimals(m.priceStep),
    trade_status: m.active ? 'tradable' : 'untradable',
    sell_start: 1607313600,
    buy_start: 1607313600,
    delisting_time: 0,
    type: 'normal',
    trade_url: '',
  };
}

function currenciesJson(state: VenueState): unknown[] {
  return [...state.currencies.values()].map((c) => {
    const first = c.networks.find((n) => n.isDefault) ?? c.networks[0];
    return {
      currency: c.code,
      name: c.name,
      delisted: false,
      withdraw_disabled: c.networks.length > 0 && c.networks.every((n) => n.withdrawEnabled === false),
      withdraw_delayed: false,
      deposit_disabled: c.networks.length > 0 && c.networks.every((n) => n.depositEnabled === false),
      trade_disabled: false,
      fixed_rate: '',
      chain: first ? chainOf(first.network) : '',
      chains: c.networks.map((n) => ({
        name: chainOf(n.network),
        addr: '',
        withdraw_disabled: n.withdrawEnabled === false,
        withdraw_delayed: false,
        deposit_disabled: n.depositEnabled === false,
      })),
    };
  });
}

/** Withdrawal fees and minimums per currency, the default network's in the flat fields. */
function withdrawStatusJson(state: VenueState, only: string | undefined): unknown[] {
  return [...state.currencies.values()]
    .filter((c) => only === undefined || c.code === only)
    .map((c) => {
      const first = c.networks.find((n) => n.isDefault) ?? c.networks[0];
      return {
        currency: c.code,
        name: c.name,
        name_cn: c.name,
        deposit: '0',
        withdraw_percent: '0%',
        withdraw_fix: first?.withdrawFee ?? '0',
        withdraw_day_limit: '500000',
        withdraw_day_limit_remain: '500000',
        withdraw_amount_mini: first?.withdrawMin ?? '0',
        withdraw_eachtime_limit: '90000000000',
        withdraw_fix_on_chains: Object.fromEntries(c.networks.map((n) => [chainOf(n.network), n.withdrawFee])),
        withdraw_percent_on_chains: Object.fromEntries(c.networks.map((n) => [chainOf(n.network), '0%'])),
      };
    });
}

function tickerJson(state: VenueState, m: MarketSpec): Record<string, unknown> {
  const {bid, ask, mid} = topOfBook(state, m.symbol);
  return {
    currency_pair: pairId(m),
    last: String(mid),
    lowest_ask: ask ? String(ask[0]) : '',
    lowest_size: ask ? String(ask[1]) : '',
    highest_bid: bid ? String(bid[0]) : '',
    highest_size: bid ? String(bid[1]) : '',
    change_percentage: '0',
    change_utc0: '0',
    change_utc8: '0',
    base_volume: '0',
    quote_volume: '0',
    high_24h: String(ask?.[0] ?? mid),
    low_24h: String(bid?.[0] ?? mid),
  };
}

function placeOrder(state: VenueState, account: AccountState, raw: Record<string, unknown>): WireReply {
  const p = (k: string) => (raw[k] === undefined || raw[k] === null ? undefined : String(raw[k]));
  const market = findPair(state, p('currency_pair'));
  if (!market) return badPair();
  const side = p('side');
  if (side !== 'buy' && side !== 'sell') return fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: side');
  const type = p('type') ?? 'limit';
  if (type !== 'limit' && type !== 'market') return fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: type');
  const account_ = p('account') ?? 'spot';
  if (account_ !== 'spot') return fail(400, 'INVALID_PARAM_VALUE', `invalid argument: account ${account_}`);
  const tif = p('time_in_force') ?? 'gtc';
  if (!['gtc', 'ioc', 'poc', 'fok'].includes(tif)) return fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: time_in_force');
  if (type === 'market' && tif !== 'ioc' && tif !== 'fok') return fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: market order time_in_force must be ioc or fok');
  const text = p('text');
  if (text !== undefined && !TEXT.test(text)) return fail(400, 'INVALID_PARAM_VALUE', 'invalid argument: text must start with "t-" and be at most 28 characters after it');
  const amount = p('amount');
  if (amount === undefined || amount === '') return fail(400, 'MISSING_REQUIRED_PARAM', 'amount is required');
  const price = p('price');
  if (type === 'limit' && (price === undefined || price === '')) return fail(400, 'MISSING_REQUIRED_PARAM', 'price is required');
  if (tif === 'poc' && price !== undefined && postOnlyCrosses(state, market.symbol, side, price)) return fail(400, 'POC_FILL_IMMEDIATELY', 'Order would match and take immediately so its cancelled');
  let base = amount;
  const quoteBuy = type === 'market' && side === 'buy';
  if (quoteBuy) {
    // amount is what to spend in quote: refuse what the balance cannot pay, then buy what it buys now.
    if (!isDecimal(amount) || !isPositive(amount)) return PLACE_ERRORS.bad_amount(market, amount);
    if (market.minCost !== undefined && cmp(amount, market.minCost) < 0) return PLACE_ERRORS.min_cost(market, amount);
    if (cmp(state.balance(account, market.quote).free, amount) < 0) return PLACE_ERRORS.insufficient_funds(market, amount);
    base = baseForQuote(state, market.symbol, amount, market.amountStep);
    if (!isPositive(base)) return PLACE_ERRORS.min_amount(market, '0');
  }
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side,
    type,
    amount: base,
    ...(type === 'limit' ? {price: price!} : {}),
    ...(text !== undefined ? {clientOrderId: text} : {}),
  });
  if (!result.ok) return PLACE_ERRORS[result.error](market, result.error === 'min_cost' && price !== undefined ? mul(amount, price) : amount);
  const order = result.value;
  if (quoteBuy) rememberQuoteAmount(order, amount);
  if ((tif === 'ioc' || tif === 'fok') && order.status === 'open') state.cancelOrder(account.apiKey, {id: order.id});
  return ok(orderJson(state, order), 201);
}
