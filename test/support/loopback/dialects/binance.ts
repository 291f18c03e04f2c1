/**
 * binance spot REST dialect (api/v3 and the sapi wallet endpoints ccxt uses).
 *
 * Signed requests: X-MBX-APIKEY header, `timestamp` within `recvWindow`
 * (default 5000 ms), `signature` = hex HMAC-SHA256(secret, query string +
 * body without the signature). Errors are binance's {code, msg} bodies with
 * its HTTP statuses, so ccxt maps them to the same classes as in life.
 * The futures exchangeInfo endpoints answer with no symbols, so an
 * unconfigured ccxt binance loads spot markets only.
 */
import {isPositive} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, MarketSpec, OrderRecord, PlaceError, TradeRecord, TransferRecord, VenueState, WithdrawError} from '../state.js';
import {fixed, header, hmacHex, parseIntParam, sameText} from './common.js';

type Params = Record<string, string>;

/** Unified network code -> binance network id. */
const NETWORK_IDS: Record<string, string> = {ERC20: 'ETH', TRC20: 'TRX', BEP20: 'BSC', BEP2: 'BNB'};
const networkId = (code: string) => NETWORK_IDS[code] ?? code;
const networkCode = (id: string) => Object.entries(NETWORK_IDS).find(([, v]) => v === id)?.[0] ?? id;

const err = (status: number, code: number, msg: string): WireReply => ({status, body: {code, msg}});

const PLACE_ERRORS: Record<PlaceError, WireReply> = {
  unknown_symbol: err(400, -1121, 'Invalid symbol.'),
  market_closed: err(400, -1013, 'Market is closed.'),
  bad_amount: err(400, -1100, "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
  bad_price: err(400, -1100, "Illegal characters found in parameter 'price'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
  lot_size: err(400, -1013, 'Filter failure: LOT_SIZE'),
  price_filter: err(400, -1013, 'Filter failure: PRICE_FILTER'),
  min_amount: err(400, -1013, 'Filter failure: LOT_SIZE'),
  min_cost: err(400, -1013, 'Filter failure: NOTIONAL'),
  insufficient_funds: err(400, -2010, 'Account has insufficient balance for requested action.'),
  duplicate_client_order_id: err(400, -2010, 'Duplicate order sent.'),
};

const WITHDRAW_ERRORS: Record<WithdrawError, WireReply> = {
  unknown_asset: err(400, -4018, "We don't have this asset."),
  unknown_network: err(400, -4019, 'Current asset is not open for withdrawal.'),
  withdraw_disabled: err(400, -4019, 'Current asset is not open for withdrawal.'),
  below_minimum: err(400, -4022, 'Not less than the minimum pick-up quantity.'),
  insufficient_funds: err(400, -4026, 'You have insufficient balance.'),
  bad_amount: err(400, -1100, "Illegal characters found in parameter 'amount'."),
};

function marketId(market: MarketSpec): string {
  return market.id ?? `${market.base}${market.quote}`;
}

function bySymbolId(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const market of state.markets.values()) if (marketId(market) === id) return market;
  return undefined;
}

function symbolsParam(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  } catch {
    return undefined;
  }
}

function orderStatus(order: OrderRecord): string {
  switch (order.status) {
    case 'open':
      return isPositive(order.filled) ? 'PARTIALLY_FILLED' : 'NEW';
    case 'filled':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
  }
}

function orderJson(state: VenueState, order: OrderRecord): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  return {
    symbol: marketId(market),
    orderId: Number(order.id),
    orderListId: -1,
    clientOrderId: order.clientOrderId ?? `web_${order.id}`,
    price: fixed(order.price ?? '0'),
    origQty: fixed(order.amount),
    executedQty: fixed(order.filled),
    cummulativeQuoteQty: fixed(order.cost),
    status: orderStatus(order),
    timeInForce: order.type === 'limit' ? 'GTC' : 'GTC',
    type: order.type.toUpperCase(),
    side: order.side.toUpperCase(),
    stopPrice: fixed('0'),
    icebergQty: fixed('0'),
    time: order.createdAt,
    updateTime: order.updatedAt,
    isWorking: true,
    workingTime: order.createdAt,
    origQuoteOrderQty: fixed('0'),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

function tradeJson(state: VenueState, trade: TradeRecord): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  return {
    symbol: marketId(market),
    id: Number(trade.id),
    orderId: Number(trade.orderId),
    orderListId: -1,
    price: fixed(trade.price),
    qty: fixed(trade.amount),
    quoteQty: fixed(trade.cost),
    commission: fixed(trade.fee),
    commissionAsset: trade.feeCurrency,
    time: trade.timestamp,
    isBuyer: trade.side === 'buy',
    isMaker: trade.maker,
    isBestMatch: true,
  };
}

const DEPOSIT_STATUS = {pending: 0, ok: 1, failed: 7, canceled: 7} as const;
const WITHDRAW_STATUS = {pending: 4, ok: 6, failed: 5, canceled: 1} as const;

function utcText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function depositJson(t: TransferRecord): Record<string, unknown> {
  return {
    id: t.id,
    amount: t.amount,
    coin: t.asset,
    network: t.network === undefined ? undefined : networkId(t.network),
    status: DEPOSIT_STATUS[t.status],
    address: t.address ?? '',
    addressTag: t.tag ?? '',
    txId: t.txid,
    insertTime: t.timestamp,
    transferType: 0,
    confirmTimes: '1/1',
    unlockConfirm: 0,
    walletType: 0,
  };
}

function withdrawalJson(t: TransferRecord): Record<string, unknown> {
  return {
    id: t.id,
    amount: t.amount,
    transactionFee: t.fee,
    coin: t.asset,
    status: WITHDRAW_STATUS[t.status],
    address: t.address ?? '',
    txId: t.txid,
    applyTime: utcText(t.timestamp),
    network: t.network === undefined ? undefined : networkId(t.network),
    transferType: 0,
    info: '',
    confirmNo: 1,
    walletType: 0,
    txKey: '',
    completeTime: utcText(t.timestamp),
  };
}

function inWindow(timestamp: number, params: Params): boolean {
  const start = parseIntParam(params.startTime);
  const end = parseIntParam(params.endTime);
  return (start === undefined || timestamp >= start) && (end === undefined || timestamp <= end);
}

function limited<T>(items: T[], params: Params, fallback: number): T[] {
  const limit = parseIntParam(params.limit) ?? fallback;
  return items.slice(Math.max(0, items.length - limit));
}

export const binance: Dialect = {
  name: 'binance',
  policy: {
    feeCurrency: 'received',
    withdrawFeeOnTop: false,
    orderId: (seq) => String(1_000_000 + seq),
    tradeId: (seq) => String(500_000 + seq),
    transferId: (seq) => `b${(0x5a17 * 7919 + seq).toString(16)}${String(seq).padStart(6, '0')}`,
    txid: (seq) => `0x${seq.toString(16).padStart(64, 'b')}`,
  },

  rateLimited: () => ({code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.'}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const route = `${req.method} ${req.path}`;
    const params: Params = {};
    for (const [k, v] of Object.entries({...req.query, ...parseBody(req)})) params[k] = String(v);
    switch (route) {
      case 'GET /api/v3/ping':
        return {status: 200, body: {}};
      case 'GET /api/v3/time':
        return {status: 200, body: {serverTime: state.now()}};
      case 'GET /sapi/v1/system/status':
        return {status: 200, body: state.status === 'ok' ? {status: 0, msg: 'normal'} : {status: 1, msg: 'system_maintenance'}};
      case 'GET /api/v3/exchangeInfo':
        return {status: 200, body: exchangeInfo(state, params)};
      case 'GET /fapi/v1/exchangeInfo':
      case 'GET /dapi/v1/exchangeInfo':
        return {status: 200, body: {timezone: 'UTC', serverTime: state.now(), rateLimits: [], exchangeFilters: [], assets: [], symbols: []}};
      case 'GET /api/v3/ticker/24hr':
      case 'GET /api/v3/ticker/bookTicker':
      case 'GET /api/v3/ticker/price':
        return tickers(state, req.path.split('/').pop()!, params);
      case 'GET /api/v3/depth':
        return depth(state, params);
    }
    const auth = authenticate(req, state, params);
    if ('status' in auth) return auth;
    const account = auth.account;
    switch (route) {
      case 'GET /api/v3/account':
        return {status: 200, body: accountJson(state, account)};
      case 'POST /api/v3/order':
        return placeOrder(state, account, params, false);
      case 'POST /api/v3/order/test':
        return placeOrder(state, account, params, true);
      case 'GET /api/v3/order':
        return getOrder(state, account, params);
      case 'DELETE /api/v3/order':
        return cancelOrder(state, account, params);
      case 'GET /api/v3/openOrders': {
        const market = bySymbolId(state, params.symbol);
        if (params.symbol !== undefined && !market) return PLACE_ERRORS.unknown_symbol;
        const open = account.orders.filter((o) => o.status === 'open' && (!market || o.symbol === market.symbol));
        return {status: 200, body: open.map((o) => orderJson(state, o))};
      }
      case 'GET /api/v3/allOrders': {
        const market = bySymbolId(state, params.symbol);
        if (!market) return params.symbol === undefined ? err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.") : PLACE_ERRORS.unknown_symbol;
        const fromId = parseIntParam(params.orderId);
        const all = account.orders.filter((o) => o.symbol === market.symbol && inWindow(o.createdAt, params) && (fromId === undefined || Number(o.id) >= fromId));
        return {status: 200, body: limited(all, params, 500).map((o) => orderJson(state, o))};
      }
      case 'GET /api/v3/myTrades': {
        const market = bySymbolId(state, params.symbol);
        if (!market) return params.symbol === undefined ? err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.") : PLACE_ERRORS.unknown_symbol;
        const fromId = parseIntParam(params.fromId);
        const trades = account.trades.filter(
          (t) =>
            t.symbol === market.symbol &&
            inWindow(t.timestamp, params) &&
            (params.orderId === undefined || t.orderId === params.orderId) &&
            (fromId === undefined || Number(t.id) >= fromId),
        );
        return {status: 200, body: limited(trades, params, 500).map((t) => tradeJson(state, t))};
      }
      case 'GET /api/v3/openOrderList':
      case 'GET /sapi/v1/margin/allPairs':
      case 'GET /sapi/v1/margin/isolated/allPairs':
        return {status: 200, body: []};
      case 'GET /sapi/v1/asset/tradeFee':
        return {
          status: 200,
          body: [...state.markets.values()]
            .filter((m) => params.symbol === undefined || marketId(m) === params.symbol)
            .map((m) => ({symbol: marketId(m), makerCommission: m.maker, takerCommission: m.taker})),
        };
      case 'GET /sapi/v1/capital/config/getall':
        return {status: 200, body: coinsJson(state, account)};
      case 'GET /sapi/v1/capital/deposit/address': {
        const network = params.network === undefined ? undefined : networkCode(params.network);
        const address = state.depositAddress(account.apiKey, params.coin ?? '', network);
        if (!address) return err(400, -4018, "We don't have this asset.");
        return {status: 200, body: {address: address.address, coin: params.coin, tag: address.tag ?? '', url: ''}};
      }
      case 'POST /sapi/v1/capital/withdraw/apply': {
        const result = state.withdraw(account.apiKey, {
          asset: params.coin ?? '',
          amount: params.amount ?? '',
          address: params.address ?? '',
          ...(params.addressTag ? {tag: params.addressTag} : {}),
          ...(params.network ? {network: networkCode(params.network)} : {}),
        });
        if (!result.ok) return WITHDRAW_ERRORS[result.error];
        return {status: 200, body: {id: result.value.id}};
      }
      case 'GET /sapi/v1/capital/deposit/hisrec':
        return {
          status: 200,
          body: limited(account.deposits.filter((t) => (params.coin === undefined || t.asset === params.coin) && inWindow(t.timestamp, params)), params, 1000).map(depositJson),
        };
      case 'GET /sapi/v1/capital/withdraw/history':
        return {
          status: 200,
          body: limited(account.withdrawals.filter((t) => (params.coin === undefined || t.asset === params.coin) && inWindow(t.timestamp, params)), params, 1000).map(withdrawalJson),
        };
      default:
        return {status: 404, body: '<html><body><h2>404 Not found</h2></body></html>', headers: {'Content-Type': 'text/html'}};
    }
  },
};

function authenticate(req: WireRequest, state: VenueState, params: Params): {account: AccountState} | WireReply {
  const apiKey = header(req.headers, 'x-mbx-apikey');
  const account = apiKey === undefined ? undefined : state.accounts.get(apiKey);
  if (!account) return err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
  const strip = (text: string) => {
    const match = /(?:^|&)signature=([^&]*)/.exec(text);
    return {rest: match ? text.slice(0, match.index) + text.slice(match.index + match[0].length) : text, signature: match?.[1]};
  };
  const q = strip(req.rawQuery);
  const b = strip(req.body);
  const signature = q.signature ?? b.signature;
  if (signature === undefined) return err(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  const expected = hmacHex('sha256', account.secret, q.rest + b.rest);
  if (!sameText(signature, expected)) return err(400, -1022, 'Signature for this request is not valid.');
  const timestamp = parseIntParam(params.timestamp);
  const recvWindow = parseIntParam(params.recvWindow) ?? 5000;
  const now = state.now();
  if (timestamp === undefined) return err(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  if (timestamp > now + 1000 || now - timestamp > recvWindow) return err(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  return {account};
}

function exchangeInfo(state: VenueState, params: Params): Record<string, unknown> {
  const wanted = params.symbol !== undefined ? [params.symbol] : symbolsParam(params.symbols);
  const symbols = [...state.markets.values()]
    .filter((m) => wanted === undefined || wanted.includes(marketId(m)))
    .map((m) => ({
      symbol: marketId(m),
      status: m.active ? 'TRADING' : 'BREAK',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        {filterType: 'PRICE_FILTER', minPrice: fixed(m.priceStep), maxPrice: fixed('1000000'), tickSize: fixed(m.priceStep)},
        {filterType: 'LOT_SIZE', minQty: fixed(m.minAmount ?? m.amountStep), maxQty: fixed('9000'), stepSize: fixed(m.amountStep)},
        {filterType: 'MARKET_LOT_SIZE', minQty: fixed('0'), maxQty: fixed('9000'), stepSize: fixed('0')},
        ...(m.minCost === undefined
          ? []
          : [{filterType: 'NOTIONAL', minNotional: fixed(m.minCost), applyMinToMarket: true, maxNotional: fixed('9000000'), applyMaxToMarket: false, avgPriceMins: 5}]),
        {filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200},
      ],
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    }));
  return {
    timezone: 'UTC',
    serverTime: state.now(),
    rateLimits: [
      {rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000},
      {rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100},
    ],
    exchangeFilters: [],
    symbols,
  };
}

function tickers(state: VenueState, kind: string, params: Params): WireReply {
  const wanted = params.symbol !== undefined ? [params.symbol] : symbolsParam(params.symbols);
  const markets = [...state.markets.values()].filter((m) => wanted === undefined || wanted.includes(marketId(m)));
  if (wanted !== undefined && markets.length !== wanted.length) return PLACE_ERRORS.unknown_symbol;
  const now = state.now();
  const rows = markets.map((m) => {
    const book = state.book(m.symbol);
    const bid = book.bids[0];
    const ask = book.asks[0];
    const mid = bid && ask ? (bid[0] + ask[0]) / 2 : (bid?.[0] ?? ask?.[0] ?? 0);
    const top = {
      symbol: marketId(m),
      bidPrice: fixed(bid?.[0] ?? 0),
      bidQty: fixed(bid?.[1] ?? 0),
      askPrice: fixed(ask?.[0] ?? 0),
      askQty: fixed(ask?.[1] ?? 0),
    };
    if (kind === 'bookTicker') return top;
    if (kind === 'price') return {symbol: marketId(m), price: fixed(mid)};
    return {
      symbol: marketId(m),
      priceChange: fixed('0'),
      priceChangePercent: '0.000',
      weightedAvgPrice: fixed(mid),
      prevClosePrice: fixed(mid),
      lastPrice: fixed(mid),
      lastQty: fixed('0'),
      bidPrice: top.bidPrice,
      bidQty: top.bidQty,
      askPrice: top.askPrice,
      askQty: top.askQty,
      openPrice: fixed(mid),
      highPrice: fixed(ask?.[0] ?? mid),
      lowPrice: fixed(bid?.[0] ?? mid),
      volume: fixed('0'),
      quoteVolume: fixed('0'),
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 0,
      lastId: 0,
      count: 0,
    };
  });
  return {status: 200, body: params.symbol !== undefined ? rows[0] : rows};
}

function depth(state: VenueState, params: Params): WireReply {
  const market = bySymbolId(state, params.symbol);
  if (!market) return PLACE_ERRORS.unknown_symbol;
  const limit = parseIntParam(params.limit) ?? 100;
  const book = state.book(market.symbol);
  return {
    status: 200,
    body: {
      lastUpdateId: state.bookVersion(market.symbol),
      bids: book.bids.slice(0, limit).map(([p, a]) => [fixed(p), fixed(a)]),
      asks: book.asks.slice(0, limit).map(([p, a]) => [fixed(p), fixed(a)]),
    },
  };
}

function accountJson(state: VenueState, account: AccountState): Record<string, unknown> {
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: state.now(),
    accountType: 'SPOT',
    balances: [...account.balances.entries()].map(([asset, b]) => ({asset, free: fixed(b.free), locked: fixed(b.locked)})),
    permissions: ['SPOT'],
    uid: 1,
  };
}

function placeOrder(state: VenueState, account: AccountState, params: Params, test: boolean): WireReply {
  const market = bySymbolId(state, params.symbol);
  if (!market) return PLACE_ERRORS.unknown_symbol;
  const type = params.type;
  if (type !== 'LIMIT' && type !== 'MARKET' && type !== 'LIMIT_MAKER') return err(400, -1116, 'Invalid orderType.');
  const side = params.side === 'BUY' ? 'buy' : params.side === 'SELL' ? 'sell' : undefined;
  if (!side) return err(400, -1117, 'Invalid side.');
  if (params.quantity === undefined) {
    return err(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
  }
  if (type !== 'MARKET' && params.price === undefined) return err(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
  if (type === 'LIMIT_MAKER') {
    const book = state.book(market.symbol);
    const best = side === 'buy' ? book.asks[0]?.[0] : book.bids[0]?.[0];
    const price = Number(params.price);
    if (best !== undefined && (side === 'buy' ? price >= best : price <= best)) {
      return err(400, -2010, 'Order would immediately match and take.');
    }
  }
  if (test) return {status: 200, body: {}};
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side,
    type: type === 'MARKET' ? 'market' : 'limit',
    amount: params.quantity,
    ...(params.price !== undefined ? {price: params.price} : {}),
    ...(params.newClientOrderId !== undefined ? {clientOrderId: params.newClientOrderId} : {}),
  });
  if (!result.ok) return PLACE_ERRORS[result.error];
  const order = result.value;
  const base = orderJson(state, order);
  const ack = {symbol: base.symbol, orderId: base.orderId, orderListId: -1, clientOrderId: base.clientOrderId, transactTime: order.createdAt};
  const respType = params.newOrderRespType ?? (type === 'MARKET' ? 'FULL' : 'FULL');
  if (respType === 'ACK') return {status: 200, body: ack};
  const resultBody = {
    ...ack,
    price: base.price,
    origQty: base.origQty,
    executedQty: base.executedQty,
    origQuoteOrderQty: base.origQuoteOrderQty,
    cummulativeQuoteQty: base.cummulativeQuoteQty,
    status: base.status,
    timeInForce: base.timeInForce,
    type: base.type,
    side: base.side,
    workingTime: order.createdAt,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (respType === 'RESULT') return {status: 200, body: resultBody};
  const fills = account.trades
    .filter((t) => t.orderId === order.id)
    .map((t) => ({price: fixed(t.price), qty: fixed(t.amount), commission: fixed(t.fee), commissionAsset: t.feeCurrency, tradeId: Number(t.id)}));
  return {status: 200, body: {...resultBody, fills}};
}

function orderRef(params: Params): {id?: string; clientOrderId?: string} | undefined {
  if (params.orderId !== undefined) return {id: params.orderId};
  if (params.origClientOrderId !== undefined) return {clientOrderId: params.origClientOrderId};
  return undefined;
}

function getOrder(state: VenueState, account: AccountState, params: Params): WireReply {
  const market = bySymbolId(state, params.symbol);
  if (!market) return PLACE_ERRORS.unknown_symbol;
  const ref = orderRef(params);
  if (!ref) return err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  const order = state.findOrder(account.apiKey, {...ref, symbol: market.symbol});
  if (!order) return err(400, -2013, 'Order does not exist.');
  return {status: 200, body: orderJson(state, order)};
}

let cancelSeq = 0;

function cancelOrder(state: VenueState, account: AccountState, params: Params): WireReply {
  const market = bySymbolId(state, params.symbol);
  if (!market) return PLACE_ERRORS.unknown_symbol;
  const ref = orderRef(params);
  if (!ref) return err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
  const order = state.cancelOrder(account.apiKey, {...ref, symbol: market.symbol});
  if (!order) return err(400, -2011, 'Unknown order sent.');
  const body = orderJson(state, order);
  return {
    status: 200,
    body: {
      symbol: body.symbol,
      origClientOrderId: body.clientOrderId,
      orderId: body.orderId,
      orderListId: -1,
      clientOrderId: params.newClientOrderId ?? `cancel${++cancelSeq}`,
      transactTime: state.now(),
      price: body.price,
      origQty: body.origQty,
      executedQty: body.executedQty,
      origQuoteOrderQty: body.origQuoteOrderQty,
      cummulativeQuoteQty: body.cummulativeQuoteQty,
      status: body.status,
      timeInForce: body.timeInForce,
      type: body.type,
      side: body.side,
      selfTradePreventionMode: 'EXPIRE_MAKER',
    },
  };
}

function coinsJson(state: VenueState, account: AccountState): unknown[] {
  return [...state.currencies.values()].map((c) => {
    const balance = account.balances.get(c.code);
    const networks = c.networks.map((n, i) => ({
      network: networkId(n.network),
      coin: c.code,
      withdrawIntegerMultiple: fixed(`1e-${Math.min(c.decimals, 8)}`),
      isDefault: n.isDefault ?? (i === 0 && !c.networks.some((x) => x.isDefault)),
      depositEnable: n.depositEnabled ?? true,
      withdrawEnable: n.withdrawEnabled ?? true,
      depositDesc: '',
      withdrawDesc: '',
      specialTips: '',
      name: n.network,
      resetAddressStatus: false,
      addressRegex: '',
      memoRegex: '',
      withdrawFee: n.withdrawFee,
      withdrawMin: n.withdrawMin,
      withdrawMax: '9999999999',
      minConfirm: 1,
      unLockConfirm: 0,
      sameAddress: false,
      estimatedArrivalTime: 1,
      busy: false,
      contractAddressUrl: '',
      contractAddress: '',
    }));
    return {
      coin: c.code,
      depositAllEnable: networks.some((n) => n.depositEnable),
      withdrawAllEnable: networks.some((n) => n.withdrawEnable),
      name: c.name,
      free: balance?.free ?? '0',
      locked: balance?.locked ?? '0',
      freeze: '0',
      withdrawing: '0',
      ipoing: '0',
      ipoable: '0',
      storage: '0',
      isLegalMoney: false,
      trading: true,
      networkList: networks,
    };
  });
}

/** Used by the websocket side: the remaining quantity at a level, formatted. */
export function binanceLevel(level: readonly [number, number]): [string, string] {
  return [fixed(level[0]), fixed(level[1])];
}

export {marketId as binanceMarketId};
