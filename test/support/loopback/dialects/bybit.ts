/**
 * bybit v5 REST dialect, spot on a unified trading account (/v5/*).
 *
 * Every answer is {retCode, retMsg, result, retExtInfo, time}; retCode 0 is
 * success and business errors come back with HTTP 200 (auth errors with 401).
 * Categories other than spot answer empty lists.
 *
 * Private calls carry X-BAPI-API-KEY, X-BAPI-TIMESTAMP (ms), X-BAPI-RECV-WINDOW
 * and X-BAPI-SIGN = hex(HMAC-SHA256(secret, timestamp + apiKey + recvWindow +
 * (the raw query string for GET | the raw body for POST))). A timestamp
 * outside the window answers 10002, an unknown key 10003, a bad sign 10004.
 *
 * Orders: our id goes in `orderLinkId` (unique among the account's open
 * orders; 170141 otherwise). Spot market buys default to `marketUnit=quoteCoin`
 * (qty is the quote amount to spend), as bybit does; `baseCoin` buys an amount.
 * Fees are charged in the asset received. order/realtime lists open orders,
 * or with orderId/orderLinkId any of the last 500 orders (openOnly=1: the
 * closed ones); order/history lists closed orders. Insufficient balance is
 * 170131, an unknown order on cancel 170213, too many requests 10006.
 */
import {add, div, isPositive, mul, sub} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, CurrencySpec, MarketSpec, OrderRecord, PlaceError, TradeRecord, VenueState} from '../state.js';
import {header, hmacHex, parseIntParam, sameText} from './common.js';
import {baseForQuote} from './market-buy.js';
import {uuidOf} from './uuid.js';

type Params = Record<string, string>;

/** Unified network code -> bybit chain id. */
const CHAINS: Record<string, string> = {BTC: 'BTC', ERC20: 'ETH', ETH: 'ETH', TRC20: 'TRX', BEP20: 'BSC', SOL: 'SOL'};
const chainOf = (network: string) => CHAINS[network] ?? network;
const symbolId = (m: MarketSpec) => m.id ?? `${m.base}${m.quote}`;

function findSymbol(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const m of state.markets.values()) if (symbolId(m) === id) return m;
  return undefined;
}

const reply = (state: VenueState, result: unknown, status = 200): WireReply => ({
  status,
  body: {retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: state.now()},
});
const fail = (state: VenueState, retCode: number, retMsg: string, status = 200): WireReply => ({
  status,
  body: {retCode, retMsg, result: {}, retExtInfo: {}, time: state.now()},
});

const PLACE_ERRORS: Record<PlaceError, [number, string]> = {
  unknown_symbol: [170121, 'Invalid symbol.'],
  market_closed: [170121, 'Invalid symbol.'],
  bad_amount: [170136, 'Order quantity lower than the minimum.'],
  bad_price: [170130, "Data sent for paramter 'price' is not valid."],
  lot_size: [170137, 'Order volume decimal too long'],
  price_filter: [170134, 'Order price decimal too long.'],
  min_amount: [170136, 'Order quantity lower than the minimum.'],
  min_cost: [170140, 'Order value exceeded lower limit.'],
  insufficient_funds: [170131, 'Insufficient balance.'],
  duplicate_client_order_id: [170141, 'Duplicate clientOrderId.'],
};

/** The market unit a spot market order was sent with (bybit echoes it). */
const marketUnits = new WeakMap<OrderRecord, {unit: 'baseCoin' | 'quoteCoin'; qty: string}>();

function orderStatus(order: OrderRecord): string {
  const some = isPositive(order.filled);
  switch (order.status) {
    case 'open':
      return some ? 'PartiallyFilled' : 'New';
    case 'filled':
      return 'Filled';
    default:
      return some ? 'PartiallyFilledCanceled' : 'Cancelled';
  }
}

function orderJson(state: VenueState, order: OrderRecord): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  const unit = marketUnits.get(order);
  const remaining = order.status === 'open' ? sub(order.amount, order.filled) : '0';
  const price = order.price ?? '0';
  return {
    orderId: order.id,
    orderLinkId: order.clientOrderId ?? '',
    blockTradeId: '',
    symbol: symbolId(market),
    price,
    qty: unit?.qty ?? order.amount,
    side: order.side === 'buy' ? 'Buy' : 'Sell',
    isLeverage: '0',
    positionIdx: 0,
    orderStatus: orderStatus(order),
    createType: '',
    cancelType: order.status === 'canceled' ? 'CancelByUser' : 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: isPositive(order.filled) ? div(order.cost, order.filled) : '',
    leavesQty: remaining,
    leavesValue: order.price === undefined ? '0' : mul(remaining, order.price),
    cumExecQty: order.filled,
    cumExecValue: order.cost,
    cumExecFee: order.fee,
    cumFeeDetail: isPositive(order.fee) ? {[order.feeCurrency]: order.fee} : {},
    timeInForce: order.type === 'market' ? 'IOC' : 'GTC',
    orderType: order.type === 'market' ? 'Market' : 'Limit',
    stopOrderType: '',
    orderIv: '',
    marketUnit: unit?.unit ?? '',
    triggerPrice: '0.00',
    takeProfit: '0.00',
    stopLoss: '0.00',
    tpTriggerBy: '',
    slTriggerBy: '',
    tpLimitPrice: '0',
    slLimitPrice: '0',
    triggerDirection: 0,
    triggerBy: '',
    lastPriceOnCreated: '',
    reduceOnly: false,
    closeOnTrigger: false,
    placeType: '',
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    extraFees: '',
    createdTime: String(order.createdAt),
    updatedTime: String(order.updatedAt),
  };
}

function executionJson(state: VenueState, account: AccountState, trade: TradeRecord): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  const order = account.orders.find((o) => o.id === trade.orderId);
  return {
    symbol: symbolId(market),
    orderType: order?.type === 'market' ? 'Market' : 'Limit',
    underlyingPrice: '',
    orderLinkId: trade.clientOrderId ?? '',
    orderId: trade.orderId,
    stopOrderType: 'UNKNOWN',
    execTime: String(trade.timestamp),
    feeCurrency: trade.feeCurrency,
    feeRate: trade.maker ? market.maker : market.taker,
    tradeIv: '',
    blockTradeId: '',
    markPrice: '',
    execPrice: trade.price,
    markIv: '',
    orderQty: order?.amount ?? trade.amount,
    orderPrice: order?.price ?? trade.price,
    execValue: trade.cost,
    closedSize: '',
    execType: 'Trade',
    seq: trade.seq,
    side: trade.side === 'buy' ? 'Buy' : 'Sell',
    indexPrice: '',
    leavesQty: order ? (order.status === 'open' ? sub(order.amount, order.filled) : '0') : '0',
    isMaker: trade.maker,
    execFee: trade.fee,
    execId: trade.id,
    marketUnit: '',
    execQty: trade.amount,
    extraFees: '',
  };
}

function inWindow(ms: number, params: Params): boolean {
  const start = parseIntParam(params.startTime);
  const end = parseIntParam(params.endTime);
  return (start === undefined || ms >= start) && (end === undefined || ms <= end);
}

function page<T>(items: T[], params: Params, max = 50): T[] {
  const limit = Math.min(parseIntParam(params.limit) ?? 20, max);
  return items.reverse().slice(0, limit);
}

function listResult(category: string, list: unknown[]): Record<string, unknown> {
  return {category, list, nextPageCursor: ''};
}

// ---- public data --------------------------------------------------------------

function instrumentJson(m: MarketSpec): Record<string, unknown> {
  return {
    symbol: symbolId(m),
    baseCoin: m.base,
    quoteCoin: m.quote,
    innovation: '0',
    status: m.active ? 'Trading' : 'Closed',
    marginTrading: 'utaOnly',
    stTag: '0',
    lotSizeFilter: {
      basePrecision: m.amountStep,
      quotePrecision: '0.00000001',
      minOrderQty: m.minAmount ?? m.amountStep,
      maxOrderQty: '10000',
      minOrderAmt: m.minCost ?? '1',
      maxOrderAmt: '2000000',
    },
    priceFilter: {tickSize: m.priceStep},
    riskParameters: {priceLimitRatioX: '0.05', priceLimitRatioY: '0.05'},
  };
}

function tickerJson(state: VenueState, m: MarketSpec): Record<string, unknown> {
  const book = state.book(m.symbol);
  const bid = book.bids[0];
  const ask = book.asks[0];
  const mid = bid && ask ? (bid[0] + ask[0]) / 2 : (bid?.[0] ?? ask?.[0] ?? 0);
  return {
    symbol: symbolId(m),
    bid1Price: bid ? String(bid[0]) : '',
    bid1Size: bid ? String(bid[1]) : '',
    ask1Price: ask ? String(ask[0]) : '',
    ask1Size: ask ? String(ask[1]) : '',
    lastPrice: String(mid),
    prevPrice24h: String(mid),
    price24hPcnt: '0',
    highPrice24h: String(ask?.[0] ?? mid),
    lowPrice24h: String(bid?.[0] ?? mid),
    turnover24h: '0',
    volume24h: '0',
    usdIndexPrice: '',
  };
}

function coinJson(c: CurrencySpec): Record<string, unknown> {
  return {
    name: c.name,
    coin: c.code,
    remainAmount: '10000000',
    chains: c.networks.map((n) => ({
      chainType: n.network,
      confirmation: '1',
      withdrawFee: n.withdrawFee,
      depositMin: '0',
      withdrawMin: n.withdrawMin,
      chain: chainOf(n.network),
      chainDeposit: n.depositEnabled === false ? '0' : '1',
      chainWithdraw: n.withdrawEnabled === false ? '0' : '1',
      minAccuracy: String(Math.min(c.decimals, 8)),
      withdrawPercentageFee: '0',
      contractAddress: '',
    })),
  };
}

// ---- private ------------------------------------------------------------------

function walletBalance(state: VenueState, account: AccountState, params: Params): WireReply {
  if (params.accountType !== 'UNIFIED') return fail(state, 10001, 'accountType only support UNIFIED.');
  const wanted = params.coin?.split(',');
  const coin = [...account.balances.entries()]
    .filter(([asset]) => wanted === undefined || wanted.includes(asset))
    .map(([asset, b]) => ({
      availableToBorrow: '',
      bonus: '0',
      accruedInterest: '0',
      availableToWithdraw: '',
      totalOrderIM: '0',
      equity: add(b.free, b.locked),
      totalPositionMM: '0',
      usdValue: '',
      spotHedgingQty: '0',
      unrealisedPnl: '0',
      collateralSwitch: true,
      borrowAmount: '0',
      totalPositionIM: '0',
      walletBalance: add(b.free, b.locked),
      cumRealisedPnl: '0',
      locked: b.locked,
      marginCollateral: true,
      coin: asset,
    }));
  return reply(state, {
    list: [
      {
        totalEquity: '',
        accountIMRate: '0',
        totalMarginBalance: '',
        totalInitialMargin: '0',
        accountType: 'UNIFIED',
        totalAvailableBalance: '',
        accountMMRate: '0',
        totalPerpUPL: '0',
        totalWalletBalance: '',
        accountLTV: '0',
        totalMaintenanceMargin: '0',
        coin,
      },
    ],
  });
}

function placeOrder(state: VenueState, account: AccountState, body: Record<string, unknown>): WireReply {
  const p = (k: string) => (body[k] === undefined || body[k] === null ? undefined : String(body[k]));
  if (p('category') !== 'spot') return fail(state, 10001, 'category only support spot here.');
  const market = findSymbol(state, p('symbol'));
  if (!market) return fail(state, 170121, 'Invalid symbol.');
  const side = p('side');
  if (side !== 'Buy' && side !== 'Sell') return fail(state, 10001, 'Side invalid.');
  const orderType = p('orderType');
  if (orderType !== 'Market' && orderType !== 'Limit') return fail(state, 10001, 'OrderType invalid.');
  const qty = p('qty');
  if (qty === undefined) return fail(state, 10001, 'params error: qty is required');
  const price = p('price');
  if (orderType === 'Limit' && price === undefined) return fail(state, 10001, 'params error: price is required for limit orders');
  const orderLinkId = p('orderLinkId');
  if (orderLinkId !== undefined && orderLinkId.length > 36) return fail(state, 170130, "Data sent for paramter 'orderLinkId' is not valid.");
  if (p('timeInForce') === 'PostOnly' && price !== undefined) {
    const book = state.book(market.symbol);
    const best = side === 'Buy' ? book.asks[0]?.[0] : book.bids[0]?.[0];
    if (best !== undefined && (side === 'Buy' ? Number(price) >= best : Number(price) <= best)) return fail(state, 170218, 'The LIMIT-MAKER order is rejected due to invalid price.');
  }
  let amount = qty;
  let unit: {unit: 'baseCoin' | 'quoteCoin'; qty: string} | undefined;
  if (orderType === 'Market') {
    const marketUnit = p('marketUnit') ?? (side === 'Buy' ? 'quoteCoin' : 'baseCoin');
    if (marketUnit !== 'baseCoin' && marketUnit !== 'quoteCoin') return fail(state, 170130, "Data sent for paramter 'marketUnit' is not valid.");
    if (marketUnit === 'quoteCoin') {
      if (side === 'Sell') return fail(state, 170130, "Data sent for paramter 'marketUnit' is not valid.");
      try {
        amount = baseForQuote(state, market.symbol, qty, market.amountStep);
      } catch {
        return fail(state, 170130, "Data sent for paramter 'qty' is not valid.");
      }
    }
    unit = {unit: marketUnit, qty};
  }
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side: side === 'Buy' ? 'buy' : 'sell',
    type: orderType === 'Market' ? 'market' : 'limit',
    amount,
    ...(orderType === 'Limit' && price !== undefined ? {price} : {}),
    ...(orderLinkId !== undefined && orderLinkId !== '' ? {clientOrderId: orderLinkId} : {}),
  });
  if (!result.ok) return fail(state, ...PLACE_ERRORS[result.error]);
  if (unit) marketUnits.set(result.value, unit);
  return reply(state, {orderId: result.value.id, orderLinkId: result.value.clientOrderId ?? ''});
}

function cancelOrder(state: VenueState, account: AccountState, body: Record<string, unknown>): WireReply {
  const p = (k: string) => (body[k] === undefined || body[k] === null ? undefined : String(body[k]));
  if (p('category') !== 'spot') return fail(state, 10001, 'category only support spot here.');
  const market = findSymbol(state, p('symbol'));
  if (!market) return fail(state, 170121, 'Invalid symbol.');
  const orderId = p('orderId');
  const orderLinkId = p('orderLinkId');
  if (orderId === undefined && orderLinkId === undefined) return fail(state, 10001, 'orderId or orderLinkId is required');
  const ref = orderId !== undefined ? {id: orderId} : {clientOrderId: orderLinkId!};
  const order = state.cancelOrder(account.apiKey, {...ref, symbol: market.symbol});
  if (!order) return fail(state, 170213, 'Order does not exist.');
  return reply(state, {orderId: order.id, orderLinkId: order.clientOrderId ?? ''});
}

function orderFilter(state: VenueState, params: Params): ((o: OrderRecord) => boolean) | undefined {
  const market = params.symbol === undefined ? undefined : findSymbol(state, params.symbol);
  if (params.symbol !== undefined && !market) return undefined;
  return (o) =>
    (!market || o.symbol === market.symbol) &&
    (params.orderId === undefined || o.id === params.orderId) &&
    (params.orderLinkId === undefined || o.clientOrderId === params.orderLinkId);
}

function realtimeOrders(state: VenueState, account: AccountState, params: Params): WireReply {
  if (params.category !== 'spot') return reply(state, listResult(params.category ?? '', []));
  const match = orderFilter(state, params);
  if (!match) return fail(state, 10001, 'Not supported symbols');
  const byId = params.orderId !== undefined || params.orderLinkId !== undefined;
  const recent = account.orders.slice(-500);
  const rows = recent.filter((o) => match(o) && (byId || (params.openOnly === '1' ? o.status !== 'open' : o.status === 'open')));
  return reply(state, listResult('spot', page(rows, params).map((o) => orderJson(state, o))));
}

function historyOrders(state: VenueState, account: AccountState, params: Params): WireReply {
  if (params.category !== 'spot') return reply(state, listResult(params.category ?? '', []));
  const match = orderFilter(state, params);
  if (!match) return fail(state, 10001, 'Not supported symbols');
  const wanted = params.orderStatus?.split(',');
  const rows = account.orders.filter(
    (o) => match(o) && o.status !== 'open' && (wanted === undefined || wanted.includes(orderStatus(o))) && inWindow(o.createdAt, params),
  );
  return reply(state, listResult('spot', page(rows, params).map((o) => orderJson(state, o))));
}

function executions(state: VenueState, account: AccountState, params: Params): WireReply {
  if (params.category !== 'spot') return reply(state, listResult(params.category ?? '', []));
  if (params.execType !== undefined && params.execType !== 'Trade') return reply(state, listResult('spot', []));
  const market = params.symbol === undefined ? undefined : findSymbol(state, params.symbol);
  if (params.symbol !== undefined && !market) return fail(state, 10001, 'Not supported symbols');
  const rows = account.trades.filter(
    (t) =>
      (!market || t.symbol === market.symbol) &&
      (params.orderId === undefined || t.orderId === params.orderId) &&
      (params.orderLinkId === undefined || t.clientOrderId === params.orderLinkId) &&
      inWindow(t.timestamp, params),
  );
  return reply(state, listResult('spot', page(rows, params, 100).map((t) => executionJson(state, account, t))));
}

function authenticate(req: WireRequest, state: VenueState): {account: AccountState} | WireReply {
  const apiKey = header(req.headers, 'x-bapi-api-key');
  const account = apiKey === undefined ? undefined : state.accounts.get(apiKey);
  if (!account) return fail(state, 10003, 'API key is invalid.', 401);
  const timestamp = header(req.headers, 'x-bapi-timestamp') ?? '';
  const recvWindow = header(req.headers, 'x-bapi-recv-window') ?? '5000';
  const at = Number(timestamp);
  const now = state.now();
  if (!/^\d+$/.test(timestamp) || at < now - Number(recvWindow) || at >= now + 1000) {
    return fail(state, 10002, `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${recvWindow}]`);
  }
  const payload = req.method === 'POST' ? req.body : req.rawQuery;
  const expected = hmacHex('sha256', account.secret, `${timestamp}${apiKey}${recvWindow}${payload}`);
  if (!sameText(header(req.headers, 'x-bapi-sign'), expected)) return fail(state, 10004, 'error sign! origin_string[...]', 401);
  return {account};
}

export const bybit: Dialect = {
  name: 'bybit',
  policy: {
    feeCurrency: 'received',
    withdrawFeeOnTop: false,
    orderId: (seq) => String(1_970_000_000_000_000_000n + BigInt(seq)),
    tradeId: (seq) => uuidOf('execution', seq),
    transferId: (seq) => String(50_000_000 + seq),
    txid: (seq) => `0x${seq.toString(16).padStart(64, 'b')}`,
  },

  rateLimited: () => ({retCode: 10006, retMsg: 'Too many visits!', result: {}, retExtInfo: {}, time: Date.now()}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const params: Params = {};
    const body = parseBody(req);
    for (const [k, v] of Object.entries({...req.query, ...body})) if (typeof v !== 'object') params[k] = String(v);
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /v5/market/time': {
        const now = state.now();
        return reply(state, {timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000`});
      }
      case 'GET /v5/system/status':
        return reply(state, {list: state.status === 'ok' ? [] : [{id: 'loopback', title: 'Maintenance', state: 'ongoing', begin: String(state.now() - 60_000), end: String(state.now() + 3_600_000), href: '', serviceTypes: [1], product: [1], uidSuffix: [], maintainType: 1, env: 1}]});
      case 'GET /v5/market/instruments-info': {
        if (params.category !== 'spot') return reply(state, listResult(params.category ?? '', []));
        const list = [...state.markets.values()].filter((m) => params.symbol === undefined || symbolId(m) === params.symbol).map(instrumentJson);
        return reply(state, listResult('spot', list));
      }
      case 'GET /v5/market/tickers': {
        if (params.category !== 'spot') return reply(state, listResult(params.category ?? '', []));
        if (params.symbol !== undefined && !findSymbol(state, params.symbol)) return fail(state, 10001, 'Not supported symbols');
        const list = [...state.markets.values()].filter((m) => params.symbol === undefined || symbolId(m) === params.symbol).map((m) => tickerJson(state, m));
        return reply(state, listResult('spot', list));
      }
      case 'GET /v5/market/orderbook': {
        const m = findSymbol(state, params.symbol);
        if (params.category !== 'spot' || !m) return fail(state, 10001, 'Not supported symbols');
        const limit = Math.min(parseIntParam(params.limit) ?? 1, 200);
        const book = state.book(m.symbol);
        const side = (levels: readonly (readonly [number, number])[]) => levels.slice(0, limit).map(([price, size]) => [String(price), String(size)]);
        const now = state.now();
        return reply(state, {s: symbolId(m), a: side(book.asks), b: side(book.bids), ts: now, u: state.bookVersion(m.symbol), seq: state.bookVersion(m.symbol), cts: now});
      }
    }
    if (!req.path.startsWith('/v5/')) return fail(state, 10001, `Path ${req.path} not found`, 404);
    const auth = authenticate(req, state);
    if ('status' in auth) return auth;
    const account = auth.account;
    switch (route) {
      case 'GET /v5/user/query-api':
        return reply(state, {
          id: '1',
          note: 'loopback',
          apiKey: account.apiKey,
          readOnly: 0,
          secret: '',
          permissions: {ContractTrade: [], Spot: ['SpotTrade'], Wallet: ['AccountTransfer', 'SubMemberTransfer', 'Withdraw'], Options: [], Derivatives: [], CopyTrading: [], BlockTrade: [], Exchange: [], NFT: [], Affiliate: []},
          ips: ['*'],
          type: 1,
          deadlineDay: 90,
          expiredAt: new Date(state.now() + 90 * 86_400_000).toISOString(),
          createdAt: new Date(state.now() - 86_400_000).toISOString(),
          unified: 0,
          uta: 1,
          userID: 1,
          inviterID: 0,
          vipLevel: 'No VIP',
          mktMakerLevel: '0',
          affiliateID: 0,
          rsaPublicKey: '',
          isMaster: true,
          parentUid: '0',
        });
      case 'GET /v5/account/info':
        return reply(state, {marginMode: 'REGULAR_MARGIN', updatedTime: String(state.now()), unifiedMarginStatus: 6, dcpStatus: 'OFF', timeWindow: 10, smpGroup: 0, isMasterTrader: false, spotHedgingStatus: 'OFF'});
      case 'GET /v5/account/wallet-balance':
        return walletBalance(state, account, params);
      case 'GET /v5/account/fee-rate': {
        const list = [...state.markets.values()].filter((m) => params.symbol === undefined || symbolId(m) === params.symbol).map((m) => ({symbol: symbolId(m), baseCoin: m.base, takerFeeRate: m.taker, makerFeeRate: m.maker}));
        return reply(state, {list});
      }
      case 'GET /v5/asset/coin/query-info': {
        const list = [...state.currencies.values()].filter((c) => params.coin === undefined || c.code === params.coin).map(coinJson);
        return reply(state, {rows: list});
      }
      case 'POST /v5/order/create':
        return placeOrder(state, account, body);
      case 'POST /v5/order/cancel':
        return cancelOrder(state, account, body);
      case 'GET /v5/order/realtime':
        return realtimeOrders(state, account, params);
      case 'GET /v5/order/history':
        return historyOrders(state, account, params);
      case 'GET /v5/execution/list':
        return executions(state, account, params);
      default:
        return fail(state, 10001, `Path ${req.path} not found`, 404);
    }
  },
};
