/**
 * Pure mapping from ccxt's unified structures to xarb's domain types.
 *
 * Numeric policy (written down once, applied everywhere here):
 * - A required number that is missing, null or not finite throws
 *   VenueDataError. It never becomes 0.
 * - Optional numbers that are missing stay undefined; present but not finite
 *   still throws.
 * - Money (amounts, fills, balances, fees) becomes an exact decimal string via
 *   money/decimal.ts; market data used for analytics stays a number.
 * - A price of 0 in a quote or book means "no price" (binance sends 0 for an
 *   empty side) and becomes undefined / is dropped.
 *
 * Inputs are typed loosely (ccxt's own types claim fields that are often
 * absent at run time), so every field is checked here.
 */
import {abs, dec, mul, sub, isZero, add} from '../../money/decimal.js';
import type {
  Balance,
  Currency,
  DepositAddress,
  Fee,
  Level,
  Market,
  MarketType,
  Network,
  OrderBook,
  OrderType,
  Position,
  Quote,
  Side,
  Trade,
  Transfer,
  TransferStatus,
  VenueOrder,
  VenueOrderStatus,
} from '../../types.js';
import {VenueDataError} from './errors.js';

/** A ccxt structure as it arrives: any keys, any values. */
export type Raw = Readonly<Record<string, unknown>>;

/** ccxt precision modes (ccxt/js/src/base/functions/number.js). */
export const DECIMAL_PLACES = 2;
export const SIGNIFICANT_DIGITS = 3;
export const TICK_SIZE = 4;

export interface MapContext {
  readonly venue: string;
  /** Local clock (ms) when the answer arrived. */
  readonly receivedAt: number;
}

function fail(venue: string, what: string, value: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new VenueDataError(venue, `${what} is missing or not a finite number (got ${shown.length > 80 ? `${shown.slice(0, 80)}...` : shown})`);
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional number: undefined/null -> undefined; numeric strings accepted; anything else non-finite throws. */
export function optNum(venue: string, what: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) fail(venue, what, value);
  return n;
}

export function reqNum(venue: string, what: string, value: unknown): number {
  const n = optNum(venue, what, value);
  if (n === undefined) fail(venue, what, value);
  return n;
}

export function reqDec(venue: string, what: string, value: unknown): string {
  return dec(reqNum(venue, what, value));
}

export function optDec(venue: string, what: string, value: unknown): string | undefined {
  const n = optNum(venue, what, value);
  return n === undefined ? undefined : dec(n);
}

function reqStr(venue: string, what: string, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '') throw new VenueDataError(venue, `${what} is missing`);
  return value;
}

function optStr(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function child(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/** Tick size from a ccxt precision value in the exchange's precision mode; undefined when it has no fixed step. */
export function precisionToStep(venue: string, what: string, value: unknown, mode: number): number | undefined {
  const p = optNum(venue, what, value);
  if (p === undefined) return undefined;
  if (mode === TICK_SIZE) {
    if (p <= 0) fail(venue, what, value);
    return p;
  }
  if (mode === DECIMAL_PLACES) {
    if (!Number.isInteger(p)) fail(venue, what, value);
    return Number(`1e${-p}`);
  }
  // SIGNIFICANT_DIGITS: the step depends on the value itself; there is no fixed tick.
  return undefined;
}

const MARKET_TYPES = new Set<MarketType>(['spot', 'swap', 'future', 'option']);

export function mapMarket(venue: string, m: Raw, precisionMode: number = TICK_SIZE): Market {
  const symbol = reqStr(venue, 'market symbol', m.symbol);
  const what = (field: string) => `${symbol} ${field}`;
  const rawType = m.type === 'margin' ? 'spot' : m.type;
  if (typeof rawType !== 'string' || !MARKET_TYPES.has(rawType as MarketType)) {
    throw new VenueDataError(venue, `${symbol} has an unsupported market type ${JSON.stringify(m.type)}`);
  }
  const type = rawType as MarketType;
  const limits = m.limits;
  const contract = type !== 'spot';
  const settle = optStr(m.settle);
  const contractSize = contract ? optNum(venue, what('contractSize'), m.contractSize) : undefined;
  return {
    symbol,
    id: reqStr(venue, what('id'), m.id),
    base: reqStr(venue, what('base'), m.base),
    quote: reqStr(venue, what('quote'), m.quote),
    baseId: reqStr(venue, what('baseId'), m.baseId ?? m.base),
    quoteId: reqStr(venue, what('quoteId'), m.quoteId ?? m.quote),
    ...(settle === undefined ? {} : {settle}),
    type,
    // ccxt uses undefined for "not stated"; only an explicit false marks a market inactive.
    active: m.active !== false,
    taker: reqNum(venue, what('taker fee'), m.taker),
    maker: reqNum(venue, what('maker fee'), m.maker),
    amountStep: precisionToStep(venue, what('amount precision'), child(m.precision, 'amount'), precisionMode),
    priceStep: precisionToStep(venue, what('price precision'), child(m.precision, 'price'), precisionMode),
    minAmount: optNum(venue, what('min amount'), child(child(limits, 'amount'), 'min')),
    maxAmount: optNum(venue, what('max amount'), child(child(limits, 'amount'), 'max')),
    minCost: optNum(venue, what('min cost'), child(child(limits, 'cost'), 'min')),
    ...(contractSize === undefined ? {} : {contractSize}),
  };
}

export interface MappedMarkets {
  readonly markets: readonly Market[];
  /** Markets left out because a required field was missing, with the reason. */
  readonly skipped: readonly {readonly symbol: string; readonly reason: string}[];
}

/**
 * Maps every market; one malformed market (no fee, odd type) is left out and
 * reported rather than failing the whole venue.
 */
export function mapMarkets(venue: string, markets: Iterable<Raw>, precisionMode: number = TICK_SIZE): MappedMarkets {
  const out: Market[] = [];
  const skipped: {symbol: string; reason: string}[] = [];
  for (const m of markets) {
    try {
      out.push(mapMarket(venue, m, precisionMode));
    } catch (error) {
      if (!(error instanceof VenueDataError)) throw error;
      skipped.push({symbol: String(m.symbol), reason: error.message});
    }
  }
  out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return {markets: out, skipped};
}

function positivePrice(venue: string, what: string, value: unknown): number | undefined {
  const n = optNum(venue, what, value);
  return n === undefined || n <= 0 ? undefined : n;
}

function venueTimestamp(venue: string, value: unknown, receivedAt: number): number {
  const ts = optNum(venue, 'timestamp', value);
  return ts === undefined || ts <= 0 ? receivedAt : ts;
}

/** ccxt ticker (fetchTicker/fetchTickers/fetchBidsAsks) -> Quote. */
export function mapTicker(ctx: MapContext, t: Raw, symbol?: string): Quote {
  const sym = symbol ?? reqStr(ctx.venue, 'ticker symbol', t.symbol);
  const bid = positivePrice(ctx.venue, `${sym} bid`, t.bid);
  const ask = positivePrice(ctx.venue, `${sym} ask`, t.ask);
  return {
    venue: ctx.venue,
    symbol: sym,
    bid,
    bidSize: bid === undefined ? undefined : optNum(ctx.venue, `${sym} bid size`, t.bidVolume),
    ask,
    askSize: ask === undefined ? undefined : optNum(ctx.venue, `${sym} ask size`, t.askVolume),
    timestamp: venueTimestamp(ctx.venue, t.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt,
  };
}

function mapLevels(venue: string, what: string, levels: unknown, depth: number | undefined): Level[] {
  if (!Array.isArray(levels)) throw new VenueDataError(venue, `${what} are missing`);
  const out: Level[] = [];
  for (const level of levels) {
    if (depth !== undefined && out.length >= depth) break;
    if (!Array.isArray(level)) throw new VenueDataError(venue, `${what} contain a level that is not [price, amount]`);
    const price = reqNum(venue, `${what} price`, level[0]);
    const amount = reqNum(venue, `${what} amount`, level[1]);
    if (price <= 0 || amount <= 0) continue;
    out.push([price, amount]);
  }
  return out;
}

/** ccxt order book -> OrderBook, best first, at most `depth` levels per side. */
export function mapOrderBook(ctx: MapContext, b: Raw, symbol: string, depth?: number): OrderBook {
  const bids = mapLevels(ctx.venue, `${symbol} bids`, b.bids, depth);
  const asks = mapLevels(ctx.venue, `${symbol} asks`, b.asks, depth);
  // ccxt sorts books; keep the invariant explicit because the matching engine relies on it.
  bids.sort((x, y) => y[0] - x[0]);
  asks.sort((x, y) => x[0] - y[0]);
  return {
    venue: ctx.venue,
    symbol,
    bids,
    asks,
    timestamp: venueTimestamp(ctx.venue, b.timestamp, ctx.receivedAt),
    receivedAt: ctx.receivedAt,
  };
}

function mapSide(venue: string, what: string, value: unknown): Side {
  if (value === 'buy' || value === 'sell') return value;
  throw new VenueDataError(venue, `${what} side ${JSON.stringify(value)} is neither buy nor sell`);
}

const ORDER_STATUSES = new Set<VenueOrderStatus>(['open', 'closed', 'canceled', 'rejected', 'expired']);

function mapOrderType(venue: string, what: string, value: unknown): OrderType {
  if (value === 'market' || value === 'limit') return value;
  if (value === 'limit_maker' || value === 'LIMIT_MAKER' || value === 'post_only') return 'limit';
  throw new VenueDataError(venue, `${what} has type ${JSON.stringify(value)}, which xarb does not handle (only market and limit)`);
}

/** One ccxt fee {cost, currency}; undefined when the venue states no cost. */
export function mapFee(venue: string, what: string, f: unknown): Fee | undefined {
  if (!isRecord(f)) return undefined;
  const cost = optDec(venue, `${what} fee`, f.cost);
  if (cost === undefined) return undefined;
  const currency = optStr(f.currency);
  if (currency === undefined) {
    if (isZero(cost)) return undefined;
    throw new VenueDataError(venue, `${what} fee of ${cost} has no currency`);
  }
  return {cost, currency};
}

function mapFees(venue: string, what: string, o: Raw): Fee[] {
  const list = Array.isArray(o.fees) && o.fees.length > 0 ? o.fees : o.fee === undefined ? [] : [o.fee];
  const out: Fee[] = [];
  for (const f of list) {
    const fee = mapFee(venue, what, f);
    if (fee) out.push(fee);
  }
  return out;
}

/** ccxt order -> VenueOrder. Throws VenueDataError when the venue's answer lacks a required field. */
export function mapOrder(venue: string, o: Raw): VenueOrder {
  const id = reqStr(venue, 'order id', o.id);
  const what = `order ${id}`;
  const status = o.status;
  if (typeof status !== 'string' || !ORDER_STATUSES.has(status as VenueOrderStatus)) {
    throw new VenueDataError(venue, `${what} has status ${JSON.stringify(status)}`);
  }
  const amountNum = optNum(venue, `${what} amount`, o.amount);
  const filledNum = optNum(venue, `${what} filled`, o.filled);
  const remainingNum = optNum(venue, `${what} remaining`, o.remaining);
  let amount: string;
  let filled: string;
  if (amountNum !== undefined) amount = dec(amountNum);
  else if (filledNum !== undefined && remainingNum !== undefined) amount = add(filledNum, remainingNum);
  else fail(venue, `${what} amount`, o.amount);
  if (filledNum !== undefined) filled = dec(filledNum);
  else if (remainingNum !== undefined) filled = sub(amount, remainingNum);
  else fail(venue, `${what} filled`, o.filled);
  const timestamp = optNum(venue, `${what} timestamp`, o.timestamp) ?? optNum(venue, `${what} lastTradeTimestamp`, o.lastTradeTimestamp);
  if (timestamp === undefined) fail(venue, `${what} timestamp`, o.timestamp);
  const price = optNum(venue, `${what} price`, o.price);
  const average = optNum(venue, `${what} average`, o.average);
  return {
    id,
    clientOrderId: optStr(o.clientOrderId),
    symbol: reqStr(venue, `${what} symbol`, o.symbol),
    side: mapSide(venue, what, o.side),
    type: mapOrderType(venue, what, o.type),
    status: status as VenueOrderStatus,
    amount,
    filled,
    price: price === undefined || price <= 0 ? undefined : dec(price),
    average: average === undefined || average <= 0 ? undefined : dec(average),
    fees: mapFees(venue, what, o),
    timestamp,
  };
}

/** ccxt trade (fetchMyTrades) -> Trade. */
export function mapTrade(venue: string, t: Raw): Trade {
  const id = reqStr(venue, 'trade id', t.id);
  const what = `trade ${id}`;
  const takerOrMaker = t.takerOrMaker === 'taker' || t.takerOrMaker === 'maker' ? t.takerOrMaker : undefined;
  return {
    id,
    orderId: reqStr(venue, `${what} order id`, t.order),
    clientOrderId: optStr(t.clientOrderId),
    symbol: reqStr(venue, `${what} symbol`, t.symbol),
    side: mapSide(venue, what, t.side),
    price: reqDec(venue, `${what} price`, t.price),
    amount: reqDec(venue, `${what} amount`, t.amount),
    fee: mapFee(venue, what, t.fee),
    takerOrMaker,
    timestamp: reqNum(venue, `${what} timestamp`, t.timestamp),
  };
}

const BALANCE_META = new Set(['info', 'free', 'used', 'total', 'debt', 'timestamp', 'datetime']);

/**
 * ccxt balances -> Balance[] sorted by asset. Each asset needs at least two of
 * free/used/total (the third is derived exactly); assets whose total is zero
 * are left out.
 */
export function mapBalances(venue: string, b: Raw): Balance[] {
  const out: Balance[] = [];
  for (const [asset, entry] of Object.entries(b)) {
    if (BALANCE_META.has(asset) || !isRecord(entry)) continue;
    const free = optDec(venue, `${asset} free balance`, entry.free);
    const used = optDec(venue, `${asset} used balance`, entry.used);
    const total = optDec(venue, `${asset} total balance`, entry.total);
    let balance: Balance;
    if (free !== undefined && used !== undefined) balance = {asset, free, used, total: total ?? add(free, used)};
    else if (total !== undefined && free !== undefined) balance = {asset, free, used: sub(total, free), total};
    else if (total !== undefined && used !== undefined) balance = {asset, free: sub(total, used), used, total};
    else if (total !== undefined && isZero(total)) continue;
    else throw new VenueDataError(venue, `${asset} balance needs two of free, used and total`);
    if (isZero(balance.total) && isZero(balance.free) && isZero(balance.used)) continue;
    out.push(balance);
  }
  out.sort((x, y) => (x.asset < y.asset ? -1 : x.asset > y.asset ? 1 : 0));
  return out;
}

/**
 * ccxt position -> Position; undefined for a flat position. Size is
 * |contracts| x contractSize (from the position, else the market).
 */
export function mapPosition(venue: string, p: Raw, marketContractSize?: number): Position | undefined {
  const symbol = reqStr(venue, 'position symbol', p.symbol);
  const what = `${symbol} position`;
  const contracts = reqNum(venue, `${what} contracts`, p.contracts);
  if (contracts === 0) return undefined;
  const contractSize = optNum(venue, `${what} contractSize`, p.contractSize) ?? marketContractSize;
  if (contractSize === undefined) fail(venue, `${what} contractSize`, p.contractSize);
  let side: 'long' | 'short';
  if (p.side === 'long' || p.side === 'short') side = p.side;
  else side = contracts > 0 ? 'long' : 'short';
  return {
    venue,
    symbol,
    side,
    size: abs(mul(contracts, contractSize)),
    entryPrice: optNum(venue, `${what} entryPrice`, p.entryPrice),
    markPrice: optNum(venue, `${what} markPrice`, p.markPrice),
    unrealizedPnl: optNum(venue, `${what} unrealizedPnl`, p.unrealizedPnl),
    leverage: optNum(venue, `${what} leverage`, p.leverage),
    liquidationPrice: optNum(venue, `${what} liquidationPrice`, p.liquidationPrice),
  };
}

const TRANSFER_STATUSES = new Set<TransferStatus>(['pending', 'ok', 'failed', 'canceled']);

/** What we asked for, used when a withdraw reply carries only an id. */
export interface TransferFallback {
  readonly kind: 'deposit' | 'withdrawal';
  readonly asset?: string;
  readonly amount?: string;
  readonly network?: string;
  readonly address?: string;
  readonly timestamp?: number;
}

/**
 * ccxt transaction (deposit/withdrawal) -> Transfer. A missing status means the
 * venue has not finalised it and maps to `pending`; an unknown status throws.
 */
export function mapTransfer(venue: string, t: Raw, fallback?: TransferFallback): Transfer {
  const id = reqStr(venue, 'transfer id', t.id);
  const what = `transfer ${id}`;
  const type = t.type ?? fallback?.kind;
  if (type !== 'deposit' && type !== 'withdrawal') throw new VenueDataError(venue, `${what} has type ${JSON.stringify(t.type)}`);
  let status: TransferStatus = 'pending';
  if (t.status !== undefined && t.status !== null) {
    if (typeof t.status !== 'string' || !TRANSFER_STATUSES.has(t.status as TransferStatus)) {
      throw new VenueDataError(venue, `${what} has status ${JSON.stringify(t.status)}`);
    }
    status = t.status as TransferStatus;
  }
  const amount = optDec(venue, `${what} amount`, t.amount) ?? fallback?.amount;
  if (amount === undefined) fail(venue, `${what} amount`, t.amount);
  const timestamp = optNum(venue, `${what} timestamp`, t.timestamp) ?? fallback?.timestamp;
  if (timestamp === undefined) fail(venue, `${what} timestamp`, t.timestamp);
  return {
    id,
    kind: type,
    asset: optStr(t.currency) ?? fallback?.asset ?? reqStr(venue, `${what} currency`, t.currency),
    amount,
    network: optStr(t.network) ?? fallback?.network,
    address: optStr(t.address) ?? fallback?.address,
    txid: optStr(t.txid),
    status,
    fee: mapFee(venue, what, t.fee),
    timestamp,
  };
}

/** ccxt deposit address -> DepositAddress; the network asked for stands when the answer does not name one. */
export function mapDepositAddress(venue: string, a: Raw, asset: string, network?: string): DepositAddress {
  return {
    asset: optStr(a.currency) ?? asset,
    network: optStr(a.network) ?? network,
    address: reqStr(venue, `${asset} deposit address`, a.address),
    tag: optStr(a.tag),
  };
}

/** Per-network withdraw fees from ccxt's fetchDepositWithdrawFees, keyed by currency code. */
export type WithdrawFees = Readonly<Record<string, Raw>>;

function feeFor(venue: string, fees: Raw | undefined, network: string | undefined): number | undefined {
  if (!fees) return undefined;
  if (network !== undefined) {
    const net = child(child(fees, 'networks'), network);
    const fee = optNum(venue, `${network} withdraw fee`, child(child(net, 'withdraw'), 'fee'));
    if (fee !== undefined) return fee;
  }
  return optNum(venue, 'withdraw fee', child(child(fees, 'withdraw'), 'fee'));
}

/**
 * ccxt currency (plus optional fetchDepositWithdrawFees entry) -> Currency.
 * A network's deposit/withdraw flag that the venue does not state counts as
 * disabled, so nothing is planned over a network we know nothing about.
 */
export function mapCurrency(venue: string, c: Raw, fees?: Raw): Currency {
  const code = reqStr(venue, 'currency code', c.code);
  const networks: Network[] = [];
  const rawNetworks = isRecord(c.networks) ? c.networks : {};
  for (const [key, n] of Object.entries(rawNetworks)) {
    if (!isRecord(n)) continue;
    const network = optStr(n.network) ?? key;
    const what = `${code} ${network}`;
    networks.push({
      network,
      withdrawEnabled: n.withdraw === true,
      depositEnabled: n.deposit === true,
      withdrawFee: optNum(venue, `${what} withdraw fee`, n.fee) ?? feeFor(venue, fees, network),
      withdrawMin: optNum(venue, `${what} withdraw min`, child(child(n.limits, 'withdraw'), 'min')),
    });
  }
  if (networks.length === 0 && fees && isRecord(fees.networks)) {
    for (const network of Object.keys(fees.networks)) {
      networks.push({
        network,
        withdrawEnabled: c.withdraw === true,
        depositEnabled: c.deposit === true,
        withdrawFee: feeFor(venue, fees, network),
        withdrawMin: optNum(venue, `${code} withdraw min`, child(child(c.limits, 'withdraw'), 'min')),
      });
    }
  }
  networks.sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
  return {
    code,
    id: reqStr(venue, `${code} id`, c.id ?? code),
    name: optStr(c.name),
    networks,
  };
}

export function mapCurrencies(venue: string, currencies: Readonly<Record<string, unknown>>, fees?: WithdrawFees): Currency[] {
  const out: Currency[] = [];
  for (const [code, c] of Object.entries(currencies)) {
    if (!isRecord(c)) continue;
    out.push(mapCurrency(venue, {code, ...c}, fees?.[optStr(c.code) ?? code]));
  }
  out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return out;
}
