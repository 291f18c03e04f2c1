/**
 * okx v5 spot REST dialect (/api/v5/*).
 *
 * Every answer is {code, msg, data}; code "0" is success. Order endpoints
 * report per-order failures in data[].sCode/sMsg with code "1", as okx does.
 * Private calls carry OK-ACCESS-KEY, OK-ACCESS-PASSPHRASE, OK-ACCESS-TIMESTAMP
 * (ISO, within 30 s) and OK-ACCESS-SIGN = base64(HMAC-SHA256(secret,
 * timestamp + METHOD + path?query + body)).
 *
 * One balance pool serves trading and funding (okx really has two accounts
 * and withdraws from funding): asset/balances and account/balance agree.
 * Instruments other than SPOT answer with no data.
 */
import {add, div, isPositive, neg} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, CurrencySpec, MarketSpec, OrderRecord, PlaceError, TradeRecord, TransferRecord, VenueState, WithdrawError} from '../state.js';
import {header, hmacBase64, parseIntParam, sameText} from './common.js';

type Params = Record<string, string>;

/** Unified network code -> okx chain suffix ("BTC-Bitcoin", "USDT-ERC20"). */
const CHAINS: Record<string, string> = {BTC: 'Bitcoin', ETH: 'ERC20', ERC20: 'ERC20', TRC20: 'TRC20', BEP20: 'BSC', SOL: 'Solana'};
const chainOf = (asset: string, network: string) => `${asset}-${CHAINS[network] ?? network}`;
function networkOfChain(currency: CurrencySpec, chain: string | undefined): string | undefined {
  if (chain === undefined) return undefined;
  return currency.networks.find((n) => chainOf(currency.code, n.network) === chain)?.network;
}

const instId = (m: MarketSpec) => m.id ?? `${m.base}-${m.quote}`;
function findInst(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const m of state.markets.values()) if (instId(m) === id) return m;
  return undefined;
}

const ok = (data: unknown[]): WireReply => ({status: 200, body: {code: '0', msg: '', data}});
const fail = (status: number, code: string, msg: string, data: unknown[] = []): WireReply => ({status, body: {code, msg, data}});
const orderFail = (sCode: string, sMsg: string, clOrdId = ''): WireReply =>
  fail(200, '1', 'All operations failed', [{clOrdId, ordId: '', tag: '', ts: '', sCode, sMsg}]);

const PLACE_ERRORS: Record<PlaceError, [string, string]> = {
  unknown_symbol: ['51001', "Instrument ID doesn't exist."],
  market_closed: ['51001', "Instrument ID doesn't exist."],
  bad_amount: ['51000', 'Parameter sz error'],
  bad_price: ['51000', 'Parameter px error'],
  lot_size: ['51121', 'Order quantity must be a multiple of the lot size.'],
  price_filter: ['51000', 'Parameter px error'],
  min_amount: ['51020', 'Your order should meet or exceed the minimum order amount.'],
  min_cost: ['51020', 'Your order should meet or exceed the minimum order amount.'],
  insufficient_funds: ['51008', 'Order failed. Insufficient balance.'],
  duplicate_client_order_id: ['51016', 'Duplicated client order ID'],
};

const WITHDRAW_ERRORS: Record<WithdrawError, [string, string]> = {
  unknown_asset: ['58200', 'Withdrawal is unavailable for this currency'],
  unknown_network: ['58200', 'Withdrawal is unavailable for this currency'],
  withdraw_disabled: ['58204', 'Withdrawal suspended'],
  below_minimum: ['58206', 'Withdrawal amount is lower than the lower limit'],
  insufficient_funds: ['58350', 'Insufficient balance'],
  bad_amount: ['51000', 'Parameter amt error'],
};

function state_(order: OrderRecord): string {
  switch (order.status) {
    case 'open':
      return Number(order.filled) > 0 ? 'partially_filled' : 'live';
    case 'filled':
      return 'filled';
    default:
      return 'canceled';
  }
}

function orderJson(state: VenueState, account: AccountState, order: OrderRecord): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  const last = account.trades.filter((t) => t.orderId === order.id).at(-1);
  const average = isPositive(order.filled) ? div(order.cost, order.filled) : '';
  return {
    instType: 'SPOT',
    instId: instId(market),
    tgtCcy: order.type === 'market' ? 'base_ccy' : '',
    ccy: '',
    ordId: order.id,
    clOrdId: order.clientOrderId ?? '',
    tag: '',
    px: order.price ?? '',
    pxUsd: '',
    pxVol: '',
    pxType: '',
    sz: order.amount,
    pnl: '0',
    ordType: order.type,
    side: order.side,
    posSide: 'net',
    tdMode: 'cash',
    accFillSz: order.filled,
    fillPx: last?.price ?? '',
    tradeId: last?.id ?? '',
    fillSz: last?.amount ?? '0',
    fillTime: last ? String(last.timestamp) : '',
    avgPx: average,
    state: state_(order),
    stpId: '',
    stpMode: '',
    lever: '',
    attachAlgoClOrdId: '',
    tpTriggerPx: '',
    tpTriggerPxType: '',
    tpOrdPx: '',
    slTriggerPx: '',
    slTriggerPxType: '',
    slOrdPx: '',
    attachAlgoOrds: [],
    feeCcy: order.feeCurrency,
    fee: neg(order.fee),
    rebateCcy: market.quote,
    rebate: '0',
    source: '',
    category: 'normal',
    reduceOnly: 'false',
    isTpLimit: 'false',
    cancelSource: order.status === 'canceled' ? '1' : '',
    cancelSourceReason: order.status === 'canceled' ? 'Order canceled by user' : '',
    quickMgnType: '',
    algoClOrdId: '',
    algoId: '',
    uTime: String(order.updatedAt),
    cTime: String(order.createdAt),
  };
}

function fillJson(state: VenueState, trade: TradeRecord): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  return {
    instType: 'SPOT',
    instId: instId(market),
    tradeId: trade.id,
    ordId: trade.orderId,
    clOrdId: trade.clientOrderId ?? '',
    billId: `9${trade.id}`,
    subType: trade.side === 'buy' ? '1' : '2',
    tag: '',
    fillPx: trade.price,
    fillSz: trade.amount,
    fillIdxPx: '',
    fillPnl: '0',
    fillPxVol: '',
    fillPxUsd: '',
    fillMarkVol: '',
    fillFwdPx: '',
    fillMarkPx: '',
    side: trade.side,
    posSide: 'net',
    execType: trade.maker ? 'M' : 'T',
    feeCcy: trade.feeCurrency,
    fee: neg(trade.fee),
    ts: String(trade.timestamp),
    fillTime: String(trade.timestamp),
  };
}

const DEPOSIT_STATE = {pending: '0', ok: '2', failed: '-1', canceled: '-1'} as const;
const WITHDRAW_STATE = {pending: '0', ok: '2', failed: '-1', canceled: '-2'} as const;

function transferJson(t: TransferRecord): Record<string, unknown> {
  const chain = t.network === undefined ? '' : chainOf(t.asset, t.network);
  if (t.kind === 'deposit') {
    return {actualDepBlkConfirm: '1', amt: t.amount, areaCodeFrom: '', ccy: t.asset, chain, depId: t.id, from: '', fromWdId: '', state: DEPOSIT_STATE[t.status], to: t.address ?? '', ts: String(t.timestamp), txId: t.txid};
  }
  return {chain, fee: t.fee, feeCcy: t.asset, ccy: t.asset, clientId: '', amt: t.amount, txId: t.txid, from: '', areaCodeFrom: '', to: t.address ?? '', areaCodeTo: '', state: WITHDRAW_STATE[t.status], ts: String(t.timestamp), nonTradableAsset: false, wdId: t.id};
}

function inWindow(ms: number, params: Params): boolean {
  const begin = parseIntParam(params.begin);
  const end = parseIntParam(params.end);
  return (begin === undefined || ms >= begin) && (end === undefined || ms <= end);
}

function newestFirst<T>(items: T[], params: Params): T[] {
  const limit = Math.min(parseIntParam(params.limit) ?? 100, 100);
  return items.reverse().slice(0, limit);
}

export const okx: Dialect = {
  name: 'okx',
  policy: {
    feeCurrency: 'received',
    withdrawFeeOnTop: true,
    orderId: (seq) => String(600_000_000_000_000_000n + BigInt(seq)),
    tradeId: (seq) => String(400_000_000 + seq),
    transferId: (seq) => String(80_000_000 + seq),
    txid: (seq) => `0x${seq.toString(16).padStart(64, 'd')}`,
  },

  rateLimited: () => ({code: '50011', msg: 'Too Many Requests', data: []}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const params: Params = {};
    const body = parseBody(req);
    for (const [k, v] of Object.entries({...req.query, ...body})) if (typeof v !== 'object') params[k] = String(v);
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /api/v5/public/time':
        return ok([{ts: String(state.now())}]);
      case 'GET /api/v5/system/status':
        return ok(state.status === 'ok' ? [] : [{title: 'Maintenance', state: 'ongoing', begin: String(state.now() - 60_000), end: String(state.now() + 3_600_000), href: '', serviceType: '0', system: 'classic', scheDesc: ''}]);
      case 'GET /api/v5/public/instruments':
        return instruments(state, params);
      case 'GET /api/v5/market/tickers':
        if (params.instType !== 'SPOT') return ok([]);
        return ok([...state.markets.values()].map((m) => tickerJson(state, m)));
      case 'GET /api/v5/market/ticker': {
        const m = findInst(state, params.instId);
        if (!m) return fail(400, '51001', "Instrument ID doesn't exist.");
        return ok([tickerJson(state, m)]);
      }
      case 'GET /api/v5/market/books':
      case 'GET /api/v5/market/books-full': {
        const m = findInst(state, params.instId);
        if (!m) return fail(400, '51001', "Instrument ID doesn't exist.");
        const size = parseIntParam(params.sz) ?? 1;
        const book = state.book(m.symbol);
        const side = (levels: readonly (readonly [number, number])[]) => levels.slice(0, size).map(([p, a]) => [String(p), String(a), '0', '1']);
        return ok([{asks: side(book.asks), bids: side(book.bids), ts: String(state.now())}]);
      }
    }
    const auth = authenticate(req, state);
    if ('status' in auth) return auth;
    const account = auth.account;
    switch (route) {
      case 'GET /api/v5/account/config':
        return ok([{uid: '1', mainUid: '1', acctLv: '1', posMode: 'net_mode', autoLoan: false, greeksType: 'PA', level: 'Lv1', levelTmp: '', ctIsoMode: 'automatic', mgnIsoMode: 'automatic', label: 'loopback', perm: 'read_only,trade,withdraw'}]);
      case 'GET /api/v5/account/trade-fee': {
        const m = params.instId === undefined ? [...state.markets.values()][0] : findInst(state, params.instId);
        if (!m) return fail(200, '51001', "Instrument ID doesn't exist.");
        return ok([{category: '1', delivery: '', exercise: '', instType: 'SPOT', level: 'Lv1', maker: neg(m.maker), taker: neg(m.taker), ts: String(state.now())}]);
      }
      case 'GET /api/v5/account/balance':
        return ok([balanceJson(state, account, params.ccy)]);
      case 'GET /api/v5/asset/balances':
        return ok(
          [...account.balances.entries()]
            .filter(([asset]) => params.ccy === undefined || params.ccy.split(',').includes(asset))
            .map(([ccy, b]) => ({ccy, bal: add(b.free, b.locked), frozenBal: b.locked, availBal: b.free})),
        );
      case 'POST /api/v5/trade/order':
        return placeOrders(state, account, [body], false);
      case 'POST /api/v5/trade/batch-orders':
        return placeOrders(state, account, Array.isArray(body.batch) ? (body.batch as Record<string, unknown>[]) : [body], true);
      case 'POST /api/v5/trade/cancel-order': {
        const m = findInst(state, params.instId);
        if (!m) return orderFail('51001', "Instrument ID doesn't exist.");
        const ref = params.ordId ? {id: params.ordId} : {clientOrderId: params.clOrdId ?? ''};
        const order = state.cancelOrder(account.apiKey, {...ref, symbol: m.symbol});
        if (!order) return orderFail('51400', 'Order cancellation failed as the order has been filled, canceled or does not exist.', params.clOrdId ?? '');
        return ok([{clOrdId: order.clientOrderId ?? '', ordId: order.id, ts: String(state.now()), sCode: '0', sMsg: ''}]);
      }
      case 'GET /api/v5/trade/order': {
        const m = findInst(state, params.instId);
        if (!m) return fail(200, '51001', "Instrument ID doesn't exist.");
        const ref = params.ordId ? {id: params.ordId} : {clientOrderId: params.clOrdId ?? ''};
        const order = state.findOrder(account.apiKey, {...ref, symbol: m.symbol});
        if (!order) return fail(200, '51603', 'Order does not exist');
        return ok([orderJson(state, account, order)]);
      }
      case 'GET /api/v5/trade/orders-pending': {
        const m = params.instId === undefined ? undefined : findInst(state, params.instId);
        const orders = account.orders.filter((o) => o.status === 'open' && (!m || o.symbol === m.symbol));
        return ok(newestFirst(orders, params).map((o) => orderJson(state, account, o)));
      }
      case 'GET /api/v5/trade/orders-history':
      case 'GET /api/v5/trade/orders-history-archive': {
        if (params.instType !== undefined && params.instType !== 'SPOT') return ok([]);
        const m = params.instId === undefined ? undefined : findInst(state, params.instId);
        const orders = account.orders.filter((o) => o.status !== 'open' && (!m || o.symbol === m.symbol) && inWindow(o.createdAt, params) && (params.state === undefined || state_(o) === params.state));
        return ok(newestFirst(orders, params).map((o) => orderJson(state, account, o)));
      }
      case 'GET /api/v5/trade/fills':
      case 'GET /api/v5/trade/fills-history': {
        if (params.instType !== undefined && params.instType !== 'SPOT') return ok([]);
        const m = params.instId === undefined ? undefined : findInst(state, params.instId);
        const trades = account.trades.filter((t) => (!m || t.symbol === m.symbol) && (params.ordId === undefined || t.orderId === params.ordId) && inWindow(t.timestamp, params));
        return ok(newestFirst(trades, params).map((t) => fillJson(state, t)));
      }
      case 'GET /api/v5/asset/currencies': {
        const wanted = params.ccy?.split(',');
        const out: unknown[] = [];
        for (const c of state.currencies.values()) {
          if (wanted && !wanted.includes(c.code)) continue;
          for (const n of c.networks) {
            out.push({
              ccy: c.code,
              name: c.name,
              logoLink: '',
              chain: chainOf(c.code, n.network),
              ctAddr: '',
              canDep: n.depositEnabled ?? true,
              canWd: n.withdrawEnabled ?? true,
              canInternal: true,
              depEstOpenTime: '',
              wdEstOpenTime: '',
              minDep: '0.00000001',
              minWd: n.withdrawMin,
              maxWd: '99999999',
              wdTickSz: String(Math.min(c.decimals, 8)),
              wdQuota: '10000000',
              usedWdQuota: '0',
              fee: n.withdrawFee,
              minFee: n.withdrawFee,
              maxFee: n.withdrawFee,
              minFeeForCtAddr: n.withdrawFee,
              maxFeeForCtAddr: n.withdrawFee,
              burningFeeRate: '',
              mainNet: n.isDefault ?? c.networks[0] === n,
              needTag: false,
              minDepArrivalConfirm: '1',
              minWdUnlockConfirm: '1',
              depQuotaFixed: '',
              usedDepQuotaFixed: '',
              depQuoteDailyLayer2: '',
            });
          }
        }
        return ok(out);
      }
      case 'GET /api/v5/asset/deposit-address': {
        const currency = state.currencies.get(params.ccy ?? '');
        if (!currency) return fail(200, '51001', 'Currency does not exist');
        const list = account.depositAddresses.get(currency.code) ?? [];
        return ok(
          list.map((a) => {
            const network = a.network ?? state.defaultNetwork(currency.code)?.network ?? currency.code;
            return {chain: chainOf(currency.code, network), ctAddr: '', ccy: currency.code, to: '6', addr: a.address, verifiedName: '', selected: true, ...(a.tag ? {tag: a.tag} : {})};
          }),
        );
      }
      case 'POST /api/v5/asset/withdrawal': {
        const currency = state.currencies.get(params.ccy ?? '');
        if (!currency) return fail(200, WITHDRAW_ERRORS.unknown_asset[0], WITHDRAW_ERRORS.unknown_asset[1]);
        if (params.fee === undefined) return fail(200, '51000', 'Parameter fee error');
        const network = params.chain === undefined ? undefined : networkOfChain(currency, params.chain);
        if (params.chain !== undefined && network === undefined) return fail(200, WITHDRAW_ERRORS.unknown_network[0], WITHDRAW_ERRORS.unknown_network[1]);
        const [address, tag] = (params.toAddr ?? '').split(':');
        const result = state.withdraw(account.apiKey, {asset: currency.code, amount: params.amt ?? '', address: address ?? '', ...(tag ? {tag} : {}), ...(network ? {network} : {})});
        if (!result.ok) return fail(200, WITHDRAW_ERRORS[result.error][0], WITHDRAW_ERRORS[result.error][1]);
        return ok([{amt: result.value.amount, wdId: result.value.id, ccy: currency.code, clientId: '', chain: chainOf(currency.code, result.value.network ?? currency.code)}]);
      }
      case 'GET /api/v5/asset/deposit-history':
      case 'GET /api/v5/asset/withdrawal-history': {
        const list = route.endsWith('deposit-history') ? account.deposits : account.withdrawals;
        const after = parseIntParam(params.after);
        const before = parseIntParam(params.before);
        const rows = list.filter((t) => (params.ccy === undefined || t.asset === params.ccy) && (after === undefined || t.timestamp < after) && (before === undefined || t.timestamp > before));
        return ok(newestFirst([...rows], params).map(transferJson));
      }
      default:
        return fail(404, '50014', `Path ${req.path} not found`);
    }
  },
};

function authenticate(req: WireRequest, state: VenueState): {account: AccountState} | WireReply {
  const apiKey = header(req.headers, 'ok-access-key');
  const account = apiKey === undefined ? undefined : state.accounts.get(apiKey);
  if (!account) return fail(401, '50111', 'Invalid OK-ACCESS-KEY');
  const timestamp = header(req.headers, 'ok-access-timestamp');
  const at = timestamp === undefined ? NaN : Date.parse(timestamp);
  if (!Number.isFinite(at)) return fail(401, '50107', 'Invalid OK-ACCESS-TIMESTAMP');
  if (Math.abs(state.now() - at) > 30_000) return fail(401, '50102', 'Timestamp request expired');
  if (header(req.headers, 'ok-access-passphrase') !== account.passphrase) return fail(401, '50105', 'Invalid OK-ACCESS-PASSPHRASE');
  const path = req.rawQuery ? `${req.path}?${req.rawQuery}` : req.path;
  const expected = hmacBase64('sha256', account.secret, `${timestamp}${req.method}${path}${req.body}`);
  if (!sameText(header(req.headers, 'ok-access-sign'), expected)) return fail(401, '50113', 'Invalid Sign');
  return {account};
}

function instruments(state: VenueState, params: Params): WireReply {
  if (params.instType !== 'SPOT') return ok([]);
  return ok(
    [...state.markets.values()]
      .filter((m) => params.instId === undefined || instId(m) === params.instId)
      .map((m) => ({
        instType: 'SPOT',
        instId: instId(m),
        instIdCode: null,
        uly: '',
        instFamily: '',
        baseCcy: m.base,
        quoteCcy: m.quote,
        settleCcy: '',
        ctVal: '',
        ctMult: '',
        ctValCcy: '',
        optType: '',
        stk: '',
        listTime: '1606468572000',
        auctionEndTime: '',
        contTdSwTime: '',
        openType: '',
        expTime: '',
        lever: '',
        tickSz: m.priceStep,
        lotSz: m.amountStep,
        minSz: m.minAmount ?? m.amountStep,
        ctType: '',
        alias: '',
        state: m.active ? 'live' : 'suspend',
        ruleType: 'normal',
        maxLmtSz: '9999999999',
        maxMktSz: '1000000',
        maxLmtAmt: '20000000',
        maxMktAmt: '1000000',
        maxTwapSz: '9999999999',
        maxIcebergSz: '9999999999',
        maxTriggerSz: '9999999999',
        maxStopSz: '1000000',
        futureSettlement: false,
        tradeQuoteCcyList: [m.quote],
      })),
  );
}

function tickerJson(state: VenueState, m: MarketSpec): Record<string, unknown> {
  const book = state.book(m.symbol);
  const bid = book.bids[0];
  const ask = book.asks[0];
  const mid = bid && ask ? (bid[0] + ask[0]) / 2 : (bid?.[0] ?? ask?.[0] ?? 0);
  return {
    instType: 'SPOT',
    instId: instId(m),
    last: String(mid),
    lastSz: '0',
    askPx: ask ? String(ask[0]) : '',
    askSz: ask ? String(ask[1]) : '',
    bidPx: bid ? String(bid[0]) : '',
    bidSz: bid ? String(bid[1]) : '',
    open24h: String(mid),
    high24h: String(ask?.[0] ?? mid),
    low24h: String(bid?.[0] ?? mid),
    volCcy24h: '0',
    vol24h: '0',
    ts: String(state.now()),
    sodUtc0: String(mid),
    sodUtc8: String(mid),
  };
}

function balanceJson(state: VenueState, account: AccountState, ccy: string | undefined): Record<string, unknown> {
  const now = String(state.now());
  const details = [...account.balances.entries()]
    .filter(([asset]) => ccy === undefined || ccy.split(',').includes(asset))
    .map(([asset, b]) => ({
      ccy: asset,
      eq: add(b.free, b.locked),
      cashBal: add(b.free, b.locked),
      availBal: b.free,
      frozenBal: b.locked,
      ordFrozen: b.locked,
      disEq: '',
      eqUsd: '',
      uTime: now,
    }));
  return {adjEq: '', imr: '', mmr: '', notionalUsd: '', ordFroz: '', totalEq: '', uTime: now, details};
}

function placeOrders(state: VenueState, account: AccountState, requests: Record<string, unknown>[], batch: boolean): WireReply {
  const results = requests.map((raw) => placeOne(state, account, raw));
  const failures = results.filter((r) => r.sCode !== '0').length;
  if (failures === 0) return ok(results);
  if (!batch || failures === results.length) return fail(200, '1', 'All operations failed', results);
  return fail(200, '2', 'Bulk operation partially succeeded', results);
}

function placeOne(state: VenueState, account: AccountState, raw: Record<string, unknown>): Record<string, string> {
  const p = (k: string) => (raw[k] === undefined || raw[k] === null ? undefined : String(raw[k]));
  const clOrdId = p('clOrdId') ?? '';
  const reject = ([sCode, sMsg]: [string, string]) => ({clOrdId, ordId: '', tag: p('tag') ?? '', ts: String(state.now()), sCode, sMsg});
  const market = findInst(state, p('instId'));
  if (!market) return reject(PLACE_ERRORS.unknown_symbol);
  const side = p('side');
  if (side !== 'buy' && side !== 'sell') return reject(['51000', 'Parameter side error']);
  const ordType = p('ordType');
  if (ordType !== 'market' && ordType !== 'limit' && ordType !== 'post_only') return reject(['51000', 'Parameter ordType error']);
  if (p('tdMode') !== 'cash') return reject(['51000', 'Parameter tdMode error']);
  if (ordType === 'market' && side === 'buy' && p('tgtCcy') === 'quote_ccy') return reject(['51000', 'Parameter tgtCcy error']);
  const sz = p('sz');
  const px = p('px');
  if (sz === undefined) return reject(['51000', 'Parameter sz error']);
  if (ordType !== 'market' && px === undefined) return reject(['51000', 'Parameter px error']);
  if (ordType === 'post_only') {
    const book = state.book(market.symbol);
    const best = side === 'buy' ? book.asks[0]?.[0] : book.bids[0]?.[0];
    if (best !== undefined && (side === 'buy' ? Number(px) >= best : Number(px) <= best)) return reject(['51006', 'Order price is not within the price limit for post only order.']);
  }
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side,
    type: ordType === 'market' ? 'market' : 'limit',
    amount: sz,
    ...(px !== undefined && ordType !== 'market' ? {price: px} : {}),
    ...(clOrdId ? {clientOrderId: clOrdId} : {}),
  });
  if (!result.ok) return reject(PLACE_ERRORS[result.error]);
  return {clOrdId, ordId: result.value.id, tag: p('tag') ?? '', ts: String(result.value.createdAt), sCode: '0', sMsg: 'Order placed'};
}
