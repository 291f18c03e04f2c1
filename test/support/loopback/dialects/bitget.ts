/**
 * bitget v2 spot REST dialect (/api/v2/spot/*, classic account).
 *
 * Every answer is {code, msg, requestTime, data}; code "00000" is success and
 * errors come with bitget's own codes (43012 insufficient balance, 43001
 * order does not exist, 429 too many requests, 40006/40009/40012 auth).
 * Private calls carry ACCESS-KEY, ACCESS-PASSPHRASE, ACCESS-TIMESTAMP (ms,
 * within 30 s) and ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp +
 * METHOD + path + ('?' + query, decoded) + body)).
 *
 * Orders: `clientOid` is our client id (at most 50 printable characters,
 * unique among open orders; bitget makes one up when it is missing). A market
 * buy's `size` is the quote amount to spend; every other order's `size` is
 * base. Open orders list the limit price as `priceAvg` and the average fill
 * price as `basePrice`, as bitget does; single orders and history carry
 * `price` and `priceAvg` and the fee as a JSON text in `feeDetail`.
 *
 * Wallet: deposit address by coin and chain, on-chain withdrawals (the fee is
 * taken out of the amount), deposit and withdrawal records.
 *
 * The unified-account probe (v3 account/settings) answers that this is a
 * classic account; futures and margin listings answer with no data, so an
 * unconfigured ccxt bitget loads spot markets only.
 */
import {cmp, div, isDecimal, isPositive, isZero, neg} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, CurrencySpec, MarketSpec, OrderRecord, PlaceError, TradeRecord, TransferRecord, VenueState, WithdrawError} from '../state.js';
import {header, hmacBase64, parseIntParam, sameText, stepDecimals} from './common.js';
import {baseForQuote} from './market-buy.js';
import {decodedQuery, postOnlyCrosses, quoteAmountOf, rememberQuoteAmount, topOfBook} from './spot-helpers.js';

type Params = Record<string, string>;

/** Unified network code -> bitget chain name. */
const CHAINS: Record<string, string> = {BTC: 'BTC', ERC20: 'ERC20', TRC20: 'TRC20', BEP20: 'BSC', SOL: 'SOL'};
const chainOf = (network: string) => CHAINS[network] ?? network;

function networkOfChain(currency: CurrencySpec, chain: string | undefined): string | undefined {
  if (chain === undefined || chain === '') return undefined;
  return currency.networks.find((n) => chainOf(n.network) === chain)?.network;
}

const symbolId = (m: MarketSpec) => m.id ?? `${m.base}${m.quote}`;
function findSymbol(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const m of state.markets.values()) if (symbolId(m) === id) return m;
  return undefined;
}

const ok = (data: unknown): WireReply => ({status: 200, body: {code: '00000', msg: 'success', requestTime: Date.now(), data}});
const fail = (status: number, code: string, msg: string): WireReply => ({status, body: {code, msg, requestTime: Date.now(), data: null}});

const PLACE_ERRORS: Record<PlaceError, (m: MarketSpec) => [string, string]> = {
  unknown_symbol: () => ['40034', 'Parameter symbol does not exist'],
  market_closed: () => ['41114', 'The current trading pair is under maintenance, please refer to the official announcement for the opening time'],
  bad_amount: () => ['40808', 'Parameter verification exception size'],
  bad_price: () => ['40808', 'Parameter verification exception price'],
  lot_size: (m) => ['40808', `Parameter verification exception size checkBDScale error checkScale=${stepDecimals(m.amountStep)}`],
  price_filter: (m) => ['41103', `param price scale error error checkScale=${stepDecimals(m.priceStep)}`],
  min_amount: (m) => ['45110', `less than the minimum amount ${m.minAmount ?? m.amountStep} ${m.base}`],
  min_cost: (m) => ['45110', `less than the minimum amount ${m.minCost ?? '0'} ${m.quote}`],
  insufficient_funds: () => ['43012', 'Insufficient balance'],
  // A repeated clientOid among open orders; code and wording are ours (ccxt maps neither: ExchangeError).
  duplicate_client_order_id: () => ['43118', 'Duplicate clientOid'],
};

const WITHDRAW_ERRORS: Record<WithdrawError, [string, string]> = {
  unknown_asset: ['40019', 'Parameter coin error'],
  unknown_network: ['40019', 'Parameter chain error'],
  withdraw_disabled: ['47001', 'The current currency does not support withdrawal'],
  below_minimum: ['47002', 'Cash Withdrawal Is Less Than The Minimum Value'],
  insufficient_funds: ['43012', 'Insufficient balance'],
  bad_amount: ['40019', 'Parameter size error'],
};

const TRANSFER_STATUS = {pending: 'pending', ok: 'success', failed: 'fail', canceled: 'fail'} as const;

/** deposit-records / withdrawal-records row; a withdrawal's size includes its fee (ccxt subtracts it). */
function transferJson(t: TransferRecord): Record<string, unknown> {
  return {
    orderId: t.id,
    tradeId: t.txid,
    ...(t.kind === 'withdrawal' ? {clientOid: ''} : {}),
    coin: t.asset,
    type: t.kind === 'deposit' ? 'deposit' : 'withdraw',
    size: t.amount,
    ...(t.kind === 'withdrawal' ? {fee: isZero(t.fee) ? '0' : neg(t.fee), confirm: '1'} : {}),
    status: TRANSFER_STATUS[t.status],
    toAddress: t.address ?? '',
    ...(t.tag !== undefined ? {tag: t.tag} : {}),
    dest: 'on_chain',
    chain: t.network === undefined ? '' : chainOf(t.network),
    fromAddress: null,
    cTime: String(t.timestamp),
    uTime: String(t.timestamp),
  };
}

function statusOf(order: OrderRecord): string {
  switch (order.status) {
    case 'open':
      return isPositive(order.filled) ? 'partially_filled' : 'live';
    case 'filled':
      return 'filled';
    default:
      return 'cancelled';
  }
}

/** `size` as bitget reports it: the quote amount for a market buy sent as one, base otherwise. */
const sizeOf = (order: OrderRecord) => quoteAmountOf(order) ?? order.amount;
const averageOf = (order: OrderRecord) => (isPositive(order.filled) ? div(order.cost, order.filled) : '0');

/** bitget's fee detail: a JSON text with the fee per coin, negative for a charge. */
function feeDetailText(order: OrderRecord): string {
  const total = isZero(order.fee) ? '0' : neg(order.fee);
  return `{"newFees":{"c":0,"d":0,"deduction":false,"r":${total},"t":${total},"totalDeductionFee":0},"${order.feeCurrency}":{"deduction":false,"feeCoinCode":"${order.feeCurrency}","totalDeductionFee":0,"totalFee":${total}}}`;
}

/** Fields every bitget order view has. */
function orderBase(state: VenueState, order: OrderRecord): Record<string, unknown> {
  return {
    userId: '7264631750',
    symbol: symbolId(state.markets.get(order.symbol)!),
    orderId: order.id,
    clientOid: order.clientOrderId ?? '',
    size: sizeOf(order),
    orderType: order.type,
    side: order.side,
    status: statusOf(order),
    baseVolume: order.filled,
    quoteVolume: order.cost,
    enterPointSource: 'API',
    cTime: String(order.createdAt),
    uTime: String(order.updatedAt),
  };
}

/** orderInfo and history-orders: `price` is the limit price, `priceAvg` the average fill. */
function orderInfoJson(state: VenueState, order: OrderRecord): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  return {
    ...orderBase(state, order),
    price: order.price ?? '0',
    priceAvg: averageOf(order),
    feeDetail: feeDetailText(order),
    orderSource: order.type === 'market' ? 'market' : 'normal',
    cancelReason: order.status === 'canceled' ? 'normal_cancel' : '',
    triggerPrice: null,
    tpslType: 'normal',
    quoteCoin: market.quote,
    baseCoin: market.base,
  };
}

/** unfilled-orders: `priceAvg` is the limit price and `basePrice` the average fill. */
function openOrderJson(state: VenueState, order: OrderRecord): Record<string, unknown> {
  return {
    ...orderBase(state, order),
    priceAvg: order.price ?? '0',
    basePrice: averageOf(order),
    orderSource: 'normal',
    presetTakeProfitPrice: '',
    executeTakeProfitPrice: '',
    presetStopLossPrice: '',
    executeStopLossPrice: '',
    tpslType: 'normal',
    triggerPrice: null,
  };
}

function fillJson(state: VenueState, trade: TradeRecord, orderType: string): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  return {
    userId: '7264631750',
    symbol: symbolId(market),
    orderId: trade.orderId,
    tradeId: trade.id,
    orderType,
    side: trade.side,
    priceAvg: trade.price,
    size: trade.amount,
    amount: trade.cost,
    feeDetail: {deduction: 'no', feeCoin: trade.feeCurrency, totalDeductionFee: '', totalFee: isZero(trade.fee) ? '0' : neg(trade.fee)},
    tradeScope: trade.maker ? 'maker' : 'taker',
    cTime: String(trade.timestamp),
    uTime: String(trade.timestamp),
  };
}

/** Newest first, inside [startTime, endTime], below idLessThan, at most `limit` (default 100). */
function page<T>(items: readonly T[], params: Params, at: (item: T) => number, id: (item: T) => string): T[] {
  const start = parseIntParam(params.startTime);
  const end = parseIntParam(params.endTime);
  const below = params.idLessThan === undefined ? undefined : BigInt(params.idLessThan);
  const limit = Math.min(parseIntParam(params.limit) ?? 100, 100);
  return items
    .filter((item) => (start === undefined || at(item) >= start) && (end === undefined || at(item) <= end) && (below === undefined || BigInt(id(item)) < below))
    .reverse()
    .slice(0, limit);
}

export const bitget: Dialect = {
  name: 'bitget',
  policy: {
    feeCurrency: 'received',
    withdrawFeeOnTop: false,
    orderId: (seq) => String(1_200_000_000_000_000_000n + BigInt(seq)),
    tradeId: (seq) => String(1_300_000_000_000_000_000n + BigInt(seq)),
    transferId: (seq) => String(1_400_000_000_000_000_000n + BigInt(seq)),
    txid: (seq) => `0x${seq.toString(16).padStart(64, 'e')}`,
  },

  rateLimited: () => ({code: '429', msg: 'Too Many Requests', requestTime: Date.now(), data: null}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const body = parseBody(req);
    const params: Params = {};
    for (const [k, v] of Object.entries({...req.query, ...body})) if (v !== null && typeof v !== 'object') params[k] = String(v);
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /api/v2/public/time':
        return ok({serverTime: String(state.now())});
      case 'GET /api/v2/spot/public/symbols':
        return ok([...state.markets.values()].filter((m) => params.symbol === undefined || symbolId(m) === params.symbol).map(symbolJson));
      case 'GET /api/v2/margin/currencies':
      case 'GET /api/v2/mix/market/contracts':
        return ok([]);
      case 'GET /api/v2/spot/public/coins':
        return ok(coinsJson(state, params.coin));
      case 'GET /api/v2/spot/market/tickers': {
        if (params.symbol !== undefined && !findSymbol(state, params.symbol)) return fail(400, '40034', 'Parameter symbol does not exist');
        return ok([...state.markets.values()].filter((m) => params.symbol === undefined || symbolId(m) === params.symbol).map((m) => tickerJson(state, m)));
      }
      case 'GET /api/v2/spot/market/orderbook': {
        const m = findSymbol(state, params.symbol);
        if (!m) return fail(400, '40034', 'Parameter symbol does not exist');
        const limit = Math.min(parseIntParam(params.limit) ?? 150, 150);
        const book = state.book(m.symbol);
        const side = (levels: readonly (readonly [number, number])[]) => levels.slice(0, limit).map(([p, a]) => [String(p), String(a)]);
        return ok({asks: side(book.asks), bids: side(book.bids), ts: String(state.now())});
      }
    }
    if (!req.path.startsWith('/api/')) return fail(404, '40404', 'Request URL NOT FOUND');
    const auth = authenticate(req, state);
    if ('status' in auth) return auth;
    const account = auth.account;
    switch (route) {
      case 'GET /api/v3/account/settings':
        // A classic (non-unified) account. The code and wording are ours (bitget does not
        // document this answer); any error here makes ccxt use the v2 spot endpoints.
        return fail(400, '40084', 'You are in Classic Account mode, and this endpoint is for Unified Account mode only');
      case 'GET /api/v2/spot/account/info':
        return ok({userId: '7264631750', inviterId: '', ips: '', authorities: ['stor', 'stow'], parentId: 0, traderType: 'normal', channelCode: '', channel: '', regisTime: '1600000000000'});
      case 'GET /api/v2/spot/account/assets':
        return ok(
          [...account.balances.entries()]
            .filter(([coin]) => params.coin === undefined || coin === params.coin)
            .map(([coin, b]) => ({coin, available: b.free, frozen: b.locked, locked: '0', limitAvailable: '0', uTime: String(state.now())})),
        );
      case 'POST /api/v2/spot/trade/place-order':
        return placeOrder(state, account, body);
      case 'POST /api/v2/spot/trade/cancel-order': {
        const m = findSymbol(state, params.symbol);
        if (!m) return fail(400, '40034', 'Parameter symbol does not exist');
        if (params.orderId === undefined && params.clientOid === undefined) return fail(400, '40019', 'Parameter orderId cannot be empty');
        const ref = params.orderId !== undefined ? {id: params.orderId} : {clientOrderId: params.clientOid};
        const order = state.cancelOrder(account.apiKey, {...ref, symbol: m.symbol});
        if (!order) return fail(400, '43001', 'The order does not exist');
        return ok({orderId: order.id, clientOid: order.clientOrderId ?? ''});
      }
      case 'GET /api/v2/spot/trade/orderInfo': {
        if (params.orderId === undefined && params.clientOid === undefined) return fail(400, '40019', 'Parameter orderId cannot be empty');
        const ref = params.orderId !== undefined ? {id: params.orderId} : {clientOrderId: params.clientOid};
        const order = state.findOrder(account.apiKey, ref);
        // An unknown order is an empty list, not an error (ccxt raises OrderNotFound on it).
        return ok(order ? [orderInfoJson(state, order)] : []);
      }
      case 'GET /api/v2/spot/trade/unfilled-orders': {
        const m = params.symbol === undefined ? undefined : findSymbol(state, params.symbol);
        if (params.symbol !== undefined && !m) return fail(400, '40034', 'Parameter symbol does not exist');
        const orders = account.orders.filter((o) => o.status === 'open' && (!m || o.symbol === m.symbol) && (params.orderId === undefined || o.id === params.orderId));
        return ok(page(orders, params, (o) => o.createdAt, (o) => o.id).map((o) => openOrderJson(state, o)));
      }
      case 'GET /api/v2/spot/trade/history-orders': {
        const m = params.symbol === undefined ? undefined : findSymbol(state, params.symbol);
        if (params.symbol !== undefined && !m) return fail(400, '40034', 'Parameter symbol does not exist');
        const orders = account.orders.filter((o) => o.status !== 'open' && (!m || o.symbol === m.symbol) && (params.orderId === undefined || o.id === params.orderId));
        return ok(page(orders, params, (o) => o.createdAt, (o) => o.id).map((o) => orderInfoJson(state, o)));
      }
      case 'GET /api/v2/spot/trade/fills': {
        const m = findSymbol(state, params.symbol);
        if (!m) return fail(400, '40019', 'Parameter symbol cannot be empty');
        const types = new Map(account.orders.map((o) => [o.id, o.type]));
        const trades = account.trades.filter((t) => t.symbol === m.symbol && (params.orderId === undefined || t.orderId === params.orderId));
        return ok(page(trades, params, (t) => t.timestamp, (t) => t.id).map((t) => fillJson(state, t, types.get(t.orderId) ?? 'limit')));
      }
      case 'GET /api/v2/spot/wallet/deposit-address': {
        const currency = state.currencies.get(params.coin ?? '');
        if (!currency) return fail(400, '40019', 'Parameter coin error');
        const network = networkOfChain(currency, params.chain);
        if (params.chain !== undefined && network === undefined) return fail(400, '40019', 'Parameter chain error');
        const found = state.depositAddress(account.apiKey, currency.code, network);
        if (!found) return fail(400, '40019', 'Parameter chain error');
        const chain = chainOf(found.network ?? state.defaultNetwork(currency.code)?.network ?? currency.code);
        return ok({coin: currency.code, address: found.address, chain, tag: found.tag ?? null, url: ''});
      }
      case 'POST /api/v2/spot/wallet/withdrawal': {
        const currency = state.currencies.get(params.coin ?? '');
        if (!currency) return fail(400, ...WITHDRAW_ERRORS.unknown_asset);
        if (params.transferType !== 'on_chain') return fail(400, '40019', 'Parameter transferType error');
        const network = networkOfChain(currency, params.chain);
        if (network === undefined) return fail(400, ...WITHDRAW_ERRORS.unknown_network);
        const result = state.withdraw(account.apiKey, {asset: currency.code, amount: params.size ?? '', address: params.address ?? '', network, ...(params.tag ? {tag: params.tag} : {})});
        if (!result.ok) return fail(400, ...WITHDRAW_ERRORS[result.error]);
        return ok({orderId: result.value.id, clientOid: params.clientOid ?? ''});
      }
      case 'GET /api/v2/spot/wallet/deposit-records':
      case 'GET /api/v2/spot/wallet/withdrawal-records': {
        if (params.startTime === undefined || params.endTime === undefined) return fail(400, '40019', 'Parameter startTime cannot be empty');
        const list = route.endsWith('deposit-records') ? account.deposits : account.withdrawals;
        const rows = list.filter((t) => (params.coin === undefined || t.asset === params.coin) && (params.orderId === undefined || t.id === params.orderId));
        return ok(page(rows, params, (t) => t.timestamp, (t) => t.id).map(transferJson));
      }
      default:
        return fail(404, '40404', 'Request URL NOT FOUND');
    }
  },
};

function authenticate(req: WireRequest, state: VenueState): {account: AccountState} | WireReply {
  const apiKey = header(req.headers, 'access-key');
  if (apiKey === undefined || apiKey === '') return fail(401, '40001', 'ACCESS_KEY cannot be empty');
  const account = state.accounts.get(apiKey);
  if (!account) return fail(401, '40006', 'Invalid ACCESS_KEY');
  const timestamp = header(req.headers, 'access-timestamp');
  const at = timestamp === undefined ? NaN : Number(timestamp);
  if (!Number.isFinite(at)) return fail(401, '40005', 'Invalid ACCESS_TIMESTAMP');
  if (Math.abs(state.now() - at) > 30_000) return fail(401, '40008', 'Request timestamp expired');
  const passphrase = header(req.headers, 'access-passphrase');
  if (passphrase === undefined || passphrase === '') return fail(401, '40011', 'ACCESS_PASSPHRASE cannot be empty');
  if (passphrase !== account.passphrase) return fail(401, '40012', 'apikey/password is incorrect');
  const query = decodedQuery(req.rawQuery);
  const payload = `${timestamp}${req.method}${req.path}${query ? `?${query}` : ''}${req.body}`;
  if (!sameText(header(req.headers, 'access-sign'), hmacBase64('sha256', account.secret, payload))) return fail(401, '40009', 'sign signature error');
  return {account};
}

function symbolJson(m: MarketSpec): Record<string, unknown> {
  return {
    symbol: symbolId(m),
    baseCoin: m.base,
    quoteCoin: m.quote,
    minTradeAmount: m.minAmount ?? '0',
    maxTradeAmount: '10000000000',
    takerFeeRate: m.taker,
    makerFeeRate: m.maker,
    pricePrecision: String(stepDecimals(m.priceStep)),
    quantityPrecision: String(stepDecimals(m.amountStep)),
    quotePrecision: String(stepDecimals(m.priceStep) + stepDecimals(m.amountStep)),
    status: m.active ? 'online' : 'halt',
    minTradeUSDT: m.minCost ?? '1',
    buyLimitPriceRatio: '0.05',
    sellLimitPriceRatio: '0.05',
    areaSymbol: 'no',
    orderQuantity: '200',
    openTime: '1532454360000',
    offTime: '',
  };
}

function coinsJson(state: VenueState, only: string | undefined): unknown[] {
  return [...state.currencies.values()]
    .filter((c) => only === undefined || c.code === only)
    .map((c, i) => ({
      coinId: String(i + 1),
      coin: c.code,
      transfer: 'true',
      chains: c.networks.map((n) => ({
        chain: chainOf(n.network),
        needTag: 'false',
        withdrawable: String(n.withdrawEnabled ?? true),
        rechargeable: String(n.depositEnabled ?? true),
        withdrawFee: n.withdrawFee,
        extraWithdrawFee: '0',
        depositConfirm: '1',
        withdrawConfirm: '1',
        minDepositAmount: '0.00000001',
        minWithdrawAmount: n.withdrawMin,
        browserUrl: '',
        contractAddress: '',
        withdrawStep: '0',
        withdrawMinScale: String(Math.min(c.decimals, 8)),
        congestion: 'normal',
      })),
      areaCoin: 'no',
    }));
}

function tickerJson(state: VenueState, m: MarketSpec): Record<string, unknown> {
  const {bid, ask, mid} = topOfBook(state, m.symbol);
  return {
    open: String(mid),
    symbol: symbolId(m),
    high24h: String(ask?.[0] ?? mid),
    low24h: String(bid?.[0] ?? mid),
    lastPr: String(mid),
    quoteVolume: '0',
    baseVolume: '0',
    usdtVolume: '0',
    ts: String(state.now()),
    bidPr: bid ? String(bid[0]) : '',
    askPr: ask ? String(ask[0]) : '',
    bidSz: bid ? String(bid[1]) : '',
    askSz: ask ? String(ask[1]) : '',
    openUtc: String(mid),
    changeUtc24h: '0',
    change24h: '0',
  };
}

const CLIENT_OID = /^[\x21-\x7e]{1,50}$/;

function placeOrder(state: VenueState, account: AccountState, raw: Record<string, unknown>): WireReply {
  const p = (k: string) => (raw[k] === undefined || raw[k] === null ? undefined : String(raw[k]));
  const market = findSymbol(state, p('symbol'));
  if (!market) return fail(400, '40034', 'Parameter symbol does not exist');
  const side = p('side');
  if (side !== 'buy' && side !== 'sell') return fail(400, '40017', 'Parameter verification failed side');
  const orderType = p('orderType');
  if (orderType !== 'limit' && orderType !== 'market') return fail(400, '40017', 'Parameter verification failed orderType');
  const force = p('force')?.toLowerCase();
  if (force !== undefined && !['gtc', 'post_only', 'fok', 'ioc'].includes(force)) return fail(400, '40017', 'Parameter verification failed force');
  const size = p('size');
  if (size === undefined || size === '') return fail(400, '40019', 'Parameter size cannot be empty');
  const price = p('price');
  if (orderType === 'limit' && (price === undefined || price === '')) return fail(400, '40019', 'Parameter price cannot be empty');
  const clientOid = p('clientOid');
  if (clientOid !== undefined && !CLIENT_OID.test(clientOid)) return fail(400, '40305', 'Client_oid length is not greater than 50, and cannot be Martian characters');
  // A post-only order that would take is refused (code ours; ccxt: ExchangeError).
  if (force === 'post_only' && price !== undefined && postOnlyCrosses(state, market.symbol, side, price)) return fail(400, '43008', 'The post-only order would be filled immediately');
  let amount = size;
  const quoteBuy = orderType === 'market' && side === 'buy';
  if (quoteBuy) {
    // size is what to spend in quote: refuse what the balance cannot pay, then buy what it buys now.
    if (!isDecimal(size) || !isPositive(size)) return fail(400, ...PLACE_ERRORS.bad_amount(market));
    if (cmp(state.balance(account, market.quote).free, size) < 0) return fail(400, ...PLACE_ERRORS.insufficient_funds(market));
    if (market.minCost !== undefined && cmp(size, market.minCost) < 0) return fail(400, ...PLACE_ERRORS.min_cost(market));
    amount = baseForQuote(state, market.symbol, size, market.amountStep);
    if (!isPositive(amount)) return fail(400, '45110', `less than the minimum amount ${market.amountStep} ${market.base}`);
  }
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side,
    type: orderType,
    amount,
    ...(orderType === 'limit' ? {price: price!} : {}),
    // bitget makes up a clientOid when none is sent.
    clientOrderId: clientOid ?? String(1_500_000_000_000_000_000n + BigInt(account.orders.length + 1)),
  });
  if (!result.ok) return fail(400, ...PLACE_ERRORS[result.error](market));
  if (quoteBuy) rememberQuoteAmount(result.value, size);
  if (force === 'ioc' || force === 'fok') {
    if (result.value.status === 'open') state.cancelOrder(account.apiKey, {id: result.value.id});
  }
  return ok({orderId: result.value.id, clientOid: result.value.clientOrderId ?? ''});
}
