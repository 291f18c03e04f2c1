/**
 * kraken spot REST dialect (/0/public/*, /0/private/*).
 *
 * Kraken names assets the old way (XXBT, XETH, ZUSD; altnames XBT, ETH, USD)
 * and pairs by id (XXBTZUSD) or altname (XBTUSD); ccxt turns them into
 * BTC/USD through the Assets altnames. Private calls are POST forms with a
 * `nonce`; API-Sign = base64(HMAC-SHA512(base64-decoded secret, path +
 * SHA256(nonce + body))). Every answer is {error: [...], result}; a bad key
 * or signature is "EAPI:Invalid key", as on the real venue.
 *
 * Not modelled: nonce monotonicity (any nonce is accepted), margin, userref
 * lookups (userref is echoed but orders are found by txid or cl_ord_id).
 */
import {add, div, isPositive} from '../../../../src/core/money/decimal.js';
import type {Dialect, WireReply, WireRequest} from '../server.js';
import {parseBody} from '../server.js';
import type {AccountState, CurrencySpec, MarketSpec, OrderRecord, PlaceError, TradeRecord, TransferRecord, VenueState, WithdrawError} from '../state.js';
import {code, fixed, header, hmacBase64, parseIntParam, sameText, sha256, stepDecimals} from './common.js';

type Params = Record<string, string>;

/** Canonical code -> kraken asset id, for the assets kraken still names the old way. */
const ASSET_IDS: Record<string, string> = {
  BTC: 'XXBT',
  ETH: 'XETH',
  LTC: 'XLTC',
  XRP: 'XXRP',
  XLM: 'XXLM',
  DOGE: 'XXDG',
  USD: 'ZUSD',
  EUR: 'ZEUR',
  GBP: 'ZGBP',
  JPY: 'ZJPY',
  CAD: 'ZCAD',
};
const ALTNAMES: Record<string, string> = {BTC: 'XBT', DOGE: 'XDG'};

export const krakenAssetId = (c: string) => ASSET_IDS[c] ?? c;
const altname = (c: string) => ALTNAMES[c] ?? c;
const legacy = (c: string) => c in ASSET_IDS;

export function krakenPairId(market: MarketSpec): string {
  if (market.id !== undefined) return market.id;
  if (legacy(market.quote)) return krakenAssetId(market.base) + krakenAssetId(market.quote);
  return altname(market.base) + altname(market.quote);
}
const pairAltname = (m: MarketSpec) => altname(m.base) + altname(m.quote);

function findPair(state: VenueState, id: string | undefined): MarketSpec | undefined {
  if (id === undefined) return undefined;
  for (const m of state.markets.values()) if (krakenPairId(m) === id || pairAltname(m) === id || `${altname(m.base)}/${altname(m.quote)}` === id) return m;
  return undefined;
}

function findAsset(state: VenueState, id: string | undefined): CurrencySpec | undefined {
  if (id === undefined) return undefined;
  for (const c of state.currencies.values()) if (krakenAssetId(c.code) === id || altname(c.code) === id || c.code === id) return c;
  return undefined;
}

const ok = (result: unknown): WireReply => ({status: 200, body: {error: [], result}});
const fail = (...errors: string[]): WireReply => ({status: 200, body: {error: errors}});

const PLACE_ERRORS: Record<PlaceError, string> = {
  unknown_symbol: 'EQuery:Unknown asset pair',
  market_closed: 'EService:Market in cancel_only mode',
  bad_amount: 'EGeneral:Invalid arguments:volume',
  bad_price: 'EGeneral:Invalid arguments:price',
  lot_size: 'EGeneral:Invalid arguments:volume',
  price_filter: 'EGeneral:Invalid arguments:price',
  min_amount: 'EOrder:Order minimum not met',
  min_cost: 'EOrder:Cost minimum not met',
  insufficient_funds: 'EOrder:Insufficient funds',
  duplicate_client_order_id: 'EOrder:Duplicate order',
};

const WITHDRAW_ERRORS: Record<WithdrawError, string> = {
  unknown_asset: 'EFunding:Unknown asset',
  unknown_network: 'EFunding:No funding method',
  withdraw_disabled: 'EFunding:No funding method',
  below_minimum: 'EFunding:Invalid amount',
  insufficient_funds: 'EFunding:Insufficient funds',
  bad_amount: 'EFunding:Invalid amount',
};

const seconds = (ms: number) => Number((ms / 1000).toFixed(4));

function priceText(market: MarketSpec, value: string | number): string {
  return fixed(value, stepDecimals(market.priceStep)).replace(/\.$/, '');
}

/** kraken's own funding method names (ccxt's kraken hard-codes some of them as defaults). */
const METHODS: Record<string, Record<string, string>> = {
  BTC: {BTC: 'Bitcoin', LIGHTNING: 'Lightning'},
  ETH: {ERC20: 'Ether (Hex)', ETH: 'Ether (Hex)'},
  USDT: {ERC20: 'Tether USD (ERC20)', TRC20: 'Tether USD (TRC20)', SOL: 'Tether USD (SPL)'},
  USDC: {ERC20: 'USDC', SOL: 'USDC (SPL)'},
  SOL: {SOL: 'Solana'},
};
/** Unified network code -> the network name kraken reports in transfer status. */
const NETWORK_NAMES: Record<string, string> = {BTC: 'Bitcoin', ERC20: 'Ethereum', TRC20: 'Tron', SOL: 'Solana', LIGHTNING: 'Lightning'};

/** Funding method name for a network ("Bitcoin", "Tether USD (ERC20)"). */
function methodName(currency: CurrencySpec, network: string): string {
  const known = METHODS[currency.code]?.[network];
  if (known !== undefined) return known;
  return network === currency.code ? currency.name : `${currency.name} (${network})`;
}

function networkOfMethod(currency: CurrencySpec, method: string | undefined): string | undefined {
  if (method === undefined) return undefined;
  return currency.networks.find((n) => methodName(currency, n.network) === method)?.network;
}

function orderStatus(order: OrderRecord): string {
  return order.status === 'filled' ? 'closed' : order.status;
}

function description(market: MarketSpec, order: OrderRecord): string {
  const at = order.type === 'limit' ? `limit ${priceText(market, order.price!)}` : 'market';
  return `${order.side} ${fixed(order.amount)} ${pairAltname(market)} @ ${at}`;
}

function orderJson(state: VenueState, order: OrderRecord, withTrades: boolean): Record<string, unknown> {
  const market = state.markets.get(order.symbol)!;
  const average = isPositive(order.filled) ? div(order.cost, order.filled) : '0';
  const out: Record<string, unknown> = {
    refid: null,
    userref: 0,
    ...(order.clientOrderId !== undefined ? {cl_ord_id: order.clientOrderId} : {}),
    status: orderStatus(order),
    opentm: seconds(order.createdAt),
    starttm: 0,
    expiretm: 0,
    descr: {
      pair: pairAltname(market),
      type: order.side,
      ordertype: order.type,
      price: order.type === 'limit' ? priceText(market, order.price!) : '0',
      price2: '0',
      leverage: 'none',
      order: description(market, order),
      close: '',
    },
    vol: fixed(order.amount),
    vol_exec: fixed(order.filled),
    cost: fixed(order.cost, 5),
    fee: fixed(order.fee, 5),
    price: fixed(average, stepDecimals(market.priceStep)),
    stopprice: '0.00000',
    limitprice: '0.00000',
    misc: '',
    oflags: 'fciq',
  };
  if (order.status !== 'open') {
    out.closetm = seconds(order.updatedAt);
    out.reason = order.status === 'canceled' ? 'User requested' : order.status === 'expired' ? 'Insufficient liquidity' : null;
  }
  if (withTrades && order.tradeIds.length > 0) out.trades = [...order.tradeIds];
  return out;
}

function tradeJson(state: VenueState, trade: TradeRecord, seq: number): Record<string, unknown> {
  const market = state.markets.get(trade.symbol)!;
  const order = [...state.accounts.values()].flatMap((a) => a.orders).find((o) => o.id === trade.orderId);
  return {
    ordertxid: trade.orderId,
    postxid: `T${code(seq, 5, 7)}-${code(seq, 5, 8)}-${code(seq, 6, 9)}`,
    pair: krakenPairId(market),
    time: seconds(trade.timestamp),
    type: trade.side,
    ordertype: order?.type ?? 'limit',
    price: priceText(market, trade.price),
    cost: fixed(trade.cost, 5),
    fee: fixed(trade.fee, 5),
    vol: fixed(trade.amount),
    margin: '0.00000',
    leverage: '0',
    misc: '',
    trade_id: seq,
    maker: trade.maker,
  };
}

function inWindow(ms: number, params: Params): boolean {
  const start = parseIntParam(params.start);
  const end = parseIntParam(params.end);
  const s = ms / 1000;
  return (start === undefined || s > start) && (end === undefined || s <= end);
}

const TRANSFER_STATUS = {pending: 'Pending', ok: 'Success', failed: 'Failure', canceled: 'Failure'} as const;

function transferJson(state: VenueState, t: TransferRecord): Record<string, unknown> {
  const currency = state.currencies.get(t.asset);
  return {
    method: currency && t.network ? methodName(currency, t.network) : t.network,
    aclass: 'currency',
    asset: krakenAssetId(t.asset),
    refid: t.id,
    txid: t.txid,
    info: t.address ?? '',
    amount: t.amount,
    fee: t.fee,
    time: Math.floor(t.timestamp / 1000),
    status: TRANSFER_STATUS[t.status],
    ...(t.network !== undefined ? {network: NETWORK_NAMES[t.network] ?? t.network} : {}),
  };
}

function base32(n: number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let i = 0; i < length; i++) {
    out = alphabet[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

export const kraken: Dialect = {
  name: 'kraken',
  policy: {
    feeCurrency: 'quote',
    withdrawFeeOnTop: false,
    orderId: (seq) => `O${code(seq, 5, 1)}-${code(seq, 5, 2)}-${base32(seq, 6)}`,
    tradeId: (seq) => `T${code(seq, 5, 3)}-${code(seq, 5, 4)}-${base32(seq, 6)}`,
    transferId: (seq) => `A${code(seq, 5, 5)}-${base32(seq, 5)}-${code(seq, 6, 6)}`,
    txid: (seq) => `${seq.toString(16).padStart(64, 'c')}`,
  },

  rateLimited: () => ({error: ['EAPI:Rate limit exceeded']}),

  handle(req: WireRequest, state: VenueState): WireReply {
    const params: Params = {};
    for (const [k, v] of Object.entries({...req.query, ...parseBody(req)})) params[k] = String(v);
    const [, version, scope, method] = req.path.split('/');
    if (version !== '0' || (scope !== 'public' && scope !== 'private') || !method) return {status: 404, body: 'Not Found', headers: {'Content-Type': 'text/plain'}};
    if (scope === 'public') return publicCall(state, method, params);
    const apiKey = header(req.headers, 'api-key');
    const account = apiKey === undefined ? undefined : state.accounts.get(apiKey);
    if (!account) return fail('EAPI:Invalid key');
    const nonce = params.nonce;
    if (nonce === undefined || nonce === '') return fail('EAPI:Invalid nonce');
    let secret: Buffer;
    try {
      secret = Buffer.from(account.secret, 'base64');
    } catch {
      return fail('EAPI:Invalid key');
    }
    const expected = hmacBase64('sha512', secret, Buffer.concat([Buffer.from(req.path), sha256(nonce + req.body)]));
    if (!sameText(header(req.headers, 'api-sign'), expected)) return fail('EAPI:Invalid key');
    return privateCall(state, account, method, params);
  },
};

function publicCall(state: VenueState, method: string, params: Params): WireReply {
  switch (method) {
    case 'Time': {
      const now = state.now();
      return ok({unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString()});
    }
    case 'SystemStatus':
      return ok({status: state.status === 'ok' ? 'online' : 'maintenance', timestamp: new Date(state.now()).toISOString()});
    case 'Assets': {
      const wanted = params.asset?.split(',');
      const result: Record<string, unknown> = {};
      for (const c of state.currencies.values()) {
        if (wanted && !wanted.some((w) => findAsset(state, w) === c)) continue;
        result[krakenAssetId(c.code)] = {aclass: 'currency', altname: altname(c.code), decimals: c.decimals + 2, display_decimals: Math.min(c.decimals, 5), status: 'enabled'};
      }
      return ok(result);
    }
    case 'AssetPairs': {
      const pairs = selectPairs(state, params.pair);
      if (!pairs) return fail('EQuery:Unknown asset pair');
      const result: Record<string, unknown> = {};
      for (const m of pairs) {
        result[krakenPairId(m)] = {
          altname: pairAltname(m),
          wsname: `${altname(m.base)}/${altname(m.quote)}`,
          aclass_base: 'currency',
          base: krakenAssetId(m.base),
          aclass_quote: 'currency',
          quote: krakenAssetId(m.quote),
          lot: 'unit',
          cost_decimals: 5,
          pair_decimals: stepDecimals(m.priceStep),
          lot_decimals: stepDecimals(m.amountStep),
          lot_multiplier: 1,
          leverage_buy: [],
          leverage_sell: [],
          fees: [[0, Number(m.taker) * 100]],
          fees_maker: [[0, Number(m.maker) * 100]],
          fee_volume_currency: 'ZUSD',
          margin_call: 80,
          margin_stop: 40,
          ordermin: m.minAmount ?? m.amountStep,
          costmin: m.minCost ?? '0',
          tick_size: m.priceStep,
          status: m.active ? 'online' : 'cancel_only',
        };
      }
      return ok(result);
    }
    case 'Ticker': {
      const pairs = selectPairs(state, params.pair);
      if (!pairs) return fail('EQuery:Unknown asset pair');
      const result: Record<string, unknown> = {};
      for (const m of pairs) {
        const book = state.book(m.symbol);
        const bid = book.bids[0];
        const ask = book.asks[0];
        const mid = bid && ask ? (bid[0] + ask[0]) / 2 : (bid?.[0] ?? ask?.[0] ?? 0);
        const lot = (level: readonly [number, number] | undefined) => [
          priceText(m, level?.[0] ?? 0),
          String(Math.floor(level?.[1] ?? 0)),
          fixed(level?.[1] ?? 0, 3),
        ];
        result[krakenPairId(m)] = {
          a: lot(ask),
          b: lot(bid),
          c: [priceText(m, mid), '0.00000000'],
          v: ['0.00000000', '0.00000000'],
          p: [priceText(m, mid), priceText(m, mid)],
          t: [0, 0],
          l: [priceText(m, bid?.[0] ?? mid), priceText(m, bid?.[0] ?? mid)],
          h: [priceText(m, ask?.[0] ?? mid), priceText(m, ask?.[0] ?? mid)],
          o: priceText(m, mid),
        };
      }
      return ok(result);
    }
    case 'Depth': {
      const m = findPair(state, params.pair);
      if (!m) return fail('EQuery:Unknown asset pair');
      const count = parseIntParam(params.count) ?? 100;
      const book = state.book(m.symbol);
      const ts = Math.floor(state.now() / 1000);
      const side = (levels: readonly (readonly [number, number])[]) => levels.slice(0, count).map(([p, a]) => [priceText(m, p), fixed(a, 3), ts]);
      return ok({[krakenPairId(m)]: {asks: side(book.asks), bids: side(book.bids)}});
    }
    default:
      return fail('EGeneral:Unknown method');
  }
}

function selectPairs(state: VenueState, list: string | undefined): MarketSpec[] | undefined {
  if (list === undefined || list === '') return [...state.markets.values()];
  const out: MarketSpec[] = [];
  for (const id of list.split(',')) {
    const m = findPair(state, id);
    if (!m) return undefined;
    out.push(m);
  }
  return out;
}

function privateCall(state: VenueState, account: AccountState, method: string, params: Params): WireReply {
  switch (method) {
    case 'Balance':
    case 'BalanceEx': {
      const result: Record<string, unknown> = {};
      for (const [asset, b] of account.balances) {
        const decimals = state.currencies.get(asset)?.decimals ?? 8;
        const total = fixed(add(b.free, b.locked), decimals + 2);
        result[krakenAssetId(asset)] = method === 'Balance' ? total : {balance: total, hold_trade: fixed(b.locked, decimals + 2)};
      }
      return ok(result);
    }
    case 'AddOrder':
      return addOrder(state, account, params);
    case 'CancelOrder': {
      const ref = params.cl_ord_id !== undefined ? {clientOrderId: params.cl_ord_id} : {id: params.txid ?? ''};
      const order = state.cancelOrder(account.apiKey, ref);
      if (!order) return fail('EOrder:Unknown order');
      return ok({count: 1});
    }
    case 'QueryOrders': {
      const withTrades = params.trades === 'true';
      const result: Record<string, unknown> = {};
      for (const id of (params.txid ?? '').split(',')) {
        const order = state.findOrder(account.apiKey, {id});
        if (order) result[order.id] = orderJson(state, order, withTrades);
      }
      return ok(result);
    }
    case 'OpenOrders': {
      const open: Record<string, unknown> = {};
      for (const order of [...account.orders].reverse()) {
        if (order.status !== 'open') continue;
        if (params.cl_ord_id !== undefined && order.clientOrderId !== params.cl_ord_id) continue;
        open[order.id] = orderJson(state, order, params.trades === 'true');
      }
      return ok({open});
    }
    case 'ClosedOrders': {
      const closed: Record<string, unknown> = {};
      let count = 0;
      for (const order of [...account.orders].reverse()) {
        if (order.status === 'open') continue;
        if (params.cl_ord_id !== undefined && order.clientOrderId !== params.cl_ord_id) continue;
        if (!inWindow(order.updatedAt, params)) continue;
        count++;
        if (count <= 50) closed[order.id] = orderJson(state, order, params.trades === 'true');
      }
      return ok({closed, count});
    }
    case 'TradesHistory': {
      const trades: Record<string, unknown> = {};
      let count = 0;
      for (const trade of [...account.trades].reverse()) {
        if (!inWindow(trade.timestamp, params)) continue;
        count++;
        if (count <= 50) trades[trade.id] = tradeJson(state, trade, trade.seq);
      }
      return ok({trades, count});
    }
    case 'QueryTrades': {
      const result: Record<string, unknown> = {};
      for (const id of (params.txid ?? '').split(',')) {
        const trade = account.trades.find((t) => t.id === id);
        if (trade) result[trade.id] = tradeJson(state, trade, trade.seq);
      }
      return ok(result);
    }
    case 'DepositMethods': {
      const currency = findAsset(state, params.asset);
      if (!currency) return fail('EFunding:Unknown asset');
      return ok(
        currency.networks
          .filter((n) => n.depositEnabled !== false)
          .map((n) => ({method: methodName(currency, n.network), limit: false, fee: '0.0000000000', 'gen-address': true, minimum: n.withdrawMin})),
      );
    }
    case 'DepositAddresses': {
      const currency = findAsset(state, params.asset);
      if (!currency) return fail('EFunding:Unknown asset');
      const network = networkOfMethod(currency, params.method);
      if (params.method !== undefined && network === undefined) return fail('EFunding:No funding method');
      const address = state.depositAddress(account.apiKey, currency.code, network);
      return ok(address ? [{address: address.address, expiretm: '0', new: false, ...(address.tag ? {tag: address.tag} : {})}] : []);
    }
    case 'DepositStatus':
    case 'WithdrawStatus': {
      const currency = params.asset === undefined ? undefined : findAsset(state, params.asset);
      if (params.asset !== undefined && !currency) return fail('EFunding:Unknown asset');
      const list = method === 'DepositStatus' ? account.deposits : account.withdrawals;
      return ok(
        list
          .filter((t) => (!currency || t.asset === currency.code) && inWindow(t.timestamp, params))
          .reverse()
          .map((t) => transferJson(state, t)),
      );
    }
    case 'WithdrawInfo':
    case 'Withdraw': {
      const currency = findAsset(state, params.asset);
      if (!currency) return fail('EFunding:Unknown asset');
      const key = params.key;
      const address = key === undefined ? undefined : account.withdrawKeys.get(key);
      if (address === undefined) return fail('EFunding:Unknown withdraw key');
      if (params.address !== undefined && params.address !== address) return fail('EFunding:Invalid address');
      const network = state.defaultNetwork(currency.code);
      if (method === 'WithdrawInfo') {
        if (!network) return fail('EFunding:No funding method');
        return ok({method: methodName(currency, network.network), limit: account.balances.get(currency.code)?.free ?? '0', amount: params.amount, fee: network.withdrawFee});
      }
      const result = state.withdraw(account.apiKey, {asset: currency.code, amount: params.amount ?? '', address});
      if (!result.ok) return fail(WITHDRAW_ERRORS[result.error]);
      return ok({refid: result.value.id});
    }
    default:
      return fail('EGeneral:Unknown method');
  }
}

function addOrder(state: VenueState, account: AccountState, params: Params): WireReply {
  const market = findPair(state, params.pair);
  if (!market) return fail('EQuery:Unknown asset pair');
  const side = params.type;
  if (side !== 'buy' && side !== 'sell') return fail('EGeneral:Invalid arguments:type');
  const type = params.ordertype;
  if (type !== 'market' && type !== 'limit') return fail('EGeneral:Invalid arguments:ordertype');
  if ((params.oflags ?? '').includes('viqc')) return fail('EGeneral:Invalid arguments:viqc');
  if (params.volume === undefined) return fail('EGeneral:Invalid arguments:volume');
  if (type === 'limit' && params.price === undefined) return fail('EGeneral:Invalid arguments:price');
  if (type === 'limit' && (params.oflags ?? '').includes('post')) {
    const book = state.book(market.symbol);
    const best = side === 'buy' ? book.asks[0]?.[0] : book.bids[0]?.[0];
    const price = Number(params.price);
    if (best !== undefined && (side === 'buy' ? price >= best : price <= best)) return fail('EOrder:Post only order');
  }
  if (params.validate === 'true') {
    return ok({descr: {order: `${side} ${fixed(params.volume)} ${pairAltname(market)} @ ${type === 'limit' ? `limit ${params.price}` : 'market'}`}});
  }
  const result = state.placeOrder(account.apiKey, {
    symbol: market.symbol,
    side,
    type,
    amount: params.volume,
    ...(params.price !== undefined ? {price: params.price} : {}),
    ...(params.cl_ord_id !== undefined ? {clientOrderId: params.cl_ord_id} : {}),
  });
  if (!result.ok) return fail(PLACE_ERRORS[result.error]);
  return ok({descr: {order: description(market, result.value)}, txid: [result.value.id]});
}
