/**
 * CcxtVenue: the Venue port over one ccxt exchange class.
 *
 * Invariants:
 * - Symbols in and out are ccxt's unified symbols (BTC/USD); a symbol the
 *   venue does not list is UnknownSymbolError before any request is made.
 * - Every order carries our clientOrderId in the param the dialect names
 *   (ccxt sends it in the venue's own field); client ids the venue echoes
 *   with a prefix (gate `t-`) come back without it, so they equal the
 *   journal's. Amounts and prices are rounded with ccxt's
 *   amountToPrecision/priceToPrecision before sending; a market buy on a
 *   venue that takes a quote amount sends the request's `cost`.
 * - Quotes come from the dialect's call for best bid/ask (a public one when
 *   the venue has no keys).
 * - Every ccxt error is mapped by errors.ts; messages are scrubbed of keys.
 * - Market metadata is served from the journal (market_cache) while younger
 *   than marketsTtlSec and fetched from the same exchange setup (fingerprint
 *   of exchange id, apiBaseUrl, sandbox, options and ccxt version); then no
 *   markets request is made at all.
 * - ccxt's rate limiter stays on; the user may only tune `rateLimit`.
 * - Optional port methods exist only when ccxt's `has` says the exchange
 *   supports them (watchOrderBook, watchQuotes: when ccxt has a websocket
 *   class for it; watchQuotes uses the dialect's quoteStream call).
 */
import {performance} from 'node:perf_hooks';
import type {Exchange} from 'ccxt';
import {DEFAULT_MARKETS_TTL_SEC, DEFAULT_TIMEOUT_MS, type VenueConfig} from '../../config/schema.js';
import {InvalidOrderError, NotSupportedError, UnknownSymbolError, UsageError, VenueRejectedError, VenueUnavailableError, XarbError} from '../../errors.js';
import type {Db} from '../../journal/db.js';
import {MarketCacheRepo} from '../../journal/market-cache.js';
import {add, dec, mul} from '../../money/decimal.js';
import type {
  Balance,
  Clock,
  Currency,
  DepositAddress,
  Market,
  OrderBook,
  OrderRequest,
  Position,
  Quote,
  Trade,
  Transfer,
  VenueOrder,
  WithdrawRequest,
} from '../../types.js';
import type {OrderRef, Venue, VenueCapabilities, VenueInfo} from '../port.js';
import {dialectFor, sameClientId, unechoClientId, type Dialect, type DialectExchange, type OrderListCall, type QuoteCall, type QuoteStreamCall} from './dialects.js';
import {VenueDataError, errorClassNames, makeScrubber, mapCcxtError, parseRetryAfter} from './errors.js';
import {sha256Hex} from '../../crypto.js';
import {constructExchange} from './construct.js';
import {ccxtVersion, hasExchangeClass, loadExchangeClass} from './load.js';
import {
  mapBalances,
  mapCurrencies,
  mapDepositAddress,
  mapMarkets,
  mapOrder,
  mapOrderBook,
  mapPosition,
  mapTicker,
  mapTrade,
  mapTransfer,
  type Raw,
  type WithdrawFees,
} from './map.js';
import {nodeHttpClient, type NodeHttpClient} from './http.js';
import {shareProxyModules} from './proxy-modules.js';
import {originalUrl, rewriteUrlTree, type UrlBases} from './urls.js';

export interface CcxtCredentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
  readonly uid?: string;
}

export interface CcxtVenueDeps {
  readonly db?: Db;
  readonly clock: Clock;
  readonly credentials?: CcxtCredentials;
  /** Request timeout in ms when the venue config sets none (default 10000). */
  readonly timeoutMs?: number;
  /** Called after each successful request with its wall time (includes rate-limiter waits). */
  readonly onLatency?: (op: string, ms: number) => void;
  /**
   * Replaces ccxt's HTTP layer (its `fetch(url, method, headers, body)`):
   * the capability probe and tests record requests with it. Commands never set it.
   */
  readonly transport?: (url: string, method?: string, headers?: Record<string, unknown>, body?: unknown) => Promise<unknown>;
}

export const MARKETS_CACHE_KIND = 'ccxt-markets';

/** ccxt's Exchange with the members we use that its typings leave out or type loosely. */
type Ex = Exchange & {
  urls: Record<string, unknown> & {api: unknown};
  options: Record<string, unknown>;
  has: Record<string, boolean | 'emulated' | undefined>;
  markets: Record<string, Raw> | undefined;
  currencies: Record<string, Raw> | undefined;
  precisionMode: number;
  rateLimit: number;
  last_response_headers?: Record<string, unknown>;
  fetchDispatcher?: {close?: () => Promise<void>};
  getExceptionsByUrl?: (url: string, exactOrBroad: string) => unknown;
  parseJson?: (text: unknown) => unknown;
  loadHttpProxyAgent?: () => Promise<unknown>;
  loadTimeDifference?: () => Promise<unknown>;
  setMarketsFromExchange?: (source: Exchange) => unknown;
  unWatchOrderBook?: (symbol: string) => Promise<unknown>;
};

interface CachedMarkets {
  readonly markets: Record<string, unknown>;
  readonly currencies: Record<string, unknown> | undefined;
  readonly helpers: Record<string, unknown>;
}

/** Fingerprint of what a markets payload was fetched from. */
export function marketsFingerprint(config: VenueConfig): string {
  const parts = {
    exchange: config.exchange,
    apiBaseUrl: config.apiBaseUrl ?? null,
    sandbox: config.sandbox === true,
    options: config.options ?? null,
    ccxt: ccxtVersion(),
  };
  return sha256Hex(JSON.stringify(parts)).slice(0, 32);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds the ccxt constructor config: the user's options, our dialect defaults under them, and our required settings on top. */
export function constructorConfig(config: VenueConfig, dialect: Dialect, timeoutMs: number, credentials?: CcxtCredentials): Record<string, unknown> {
  const user = config.options ?? {};
  const userOptions = isRecord(user.options) ? user.options : {};
  const out: Record<string, unknown> = {
    ...user,
    options: {...dialect.options, ...userOptions},
    enableRateLimit: true,
    timeout: timeoutMs,
  };
  if (credentials) {
    out.apiKey = credentials.apiKey;
    out.secret = credentials.secret;
    if (credentials.password !== undefined) out.password = credentials.password;
    if (credentials.uid !== undefined) out.uid = credentials.uid;
  }
  return out;
}

/**
 * ccxt reads a truncated JSON body as "no body" and may then parse it into an
 * empty result (an empty book). Make an unreadable JSON answer an error, so it
 * maps to VenueUnavailableError like any other lost answer.
 */
function strictJson(ex: Ex): void {
  const parse = ex.parseJson?.bind(ex);
  if (!parse) return;
  ex.parseJson = (text: unknown) => {
    const parsed = parse(text);
    if (parsed === undefined && typeof text === 'string' && /^\s*[[{]/.test(text)) {
      throw new Error(`${ex.id} answered with malformed JSON (${text.length} bytes)`);
    }
    return parsed;
  };
}

/** ccxt constructor options that route requests through a proxy (they need ccxt's undici agents). */
const PROXY_OPTIONS = ['proxy', 'proxyUrl', 'proxy_url', 'httpProxy', 'http_proxy', 'httpsProxy', 'https_proxy', 'socksProxy', 'socks_proxy', 'agent', 'httpAgent', 'httpsAgent'];

/**
 * REST requests go through node:http (http.ts) instead of the undici package
 * ccxt would import on the first request (or Node's global fetch, which loads
 * its own undici): both cost about as much as an exchange class import.
 * Unless the user's options set a proxy: ccxt's proxy support needs its own
 * undici agents. Returns the client to close with the venue.
 */
function useNodeHttp(ex: Ex, config: VenueConfig): NodeHttpClient | undefined {
  const options = config.options ?? {};
  if (PROXY_OPTIONS.some((key) => options[key] !== undefined)) return undefined;
  const client = nodeHttpClient();
  (ex as unknown as {fetchImplementation: NodeHttpClient['fetch']}).fetchImplementation = client.fetch;
  return client;
}

/** Applies sandbox mode and apiBaseUrl/wsBaseUrl to a fresh exchange instance. */
function configureUrls(ex: Ex, name: string, config: VenueConfig): void {
  if (config.sandbox === true) {
    if (!('test' in ex.urls) || ex.urls.test === undefined) {
      throw new UsageError(
        `${name}: ${config.exchange} has no sandbox in ccxt`,
        `remove it with \`xarb exchanges set ${name} sandbox=false\``,
      );
    }
    ex.setSandboxMode(true);
  }
  const bases: UrlBases = {
    ...(config.apiBaseUrl === undefined ? {} : {http: config.apiBaseUrl}),
    ...(config.wsBaseUrl === undefined ? {} : {ws: config.wsBaseUrl}),
  };
  if (bases.http === undefined && bases.ws === undefined) return;
  const {value, pairs} = rewriteUrlTree(ex.urls.api, bases);
  ex.urls.api = value;
  // Exchanges that choose their error table by URL (binance) must keep seeing the real host,
  // or specific errors (insufficient balance) degrade to a generic ExchangeError.
  const lookup = ex.getExceptionsByUrl;
  if (typeof lookup === 'function' && pairs.length > 0) {
    const bound = lookup.bind(ex);
    ex.getExceptionsByUrl = (url: string, exactOrBroad: string) => bound(typeof url === 'string' ? originalUrl(url, pairs) : url, exactOrBroad);
  }
}

/** Best bid/ask (with sizes) of a book. */
function topOfBook(book: OrderBook): Quote {
  const [bid, bidSize] = book.bids[0] ?? [];
  const [ask, askSize] = book.asks[0] ?? [];
  return {venue: book.venue, symbol: book.symbol, bid, bidSize, ask, askSize, timestamp: book.timestamp, receivedAt: book.receivedAt};
}

function symbolOrder(a: {symbol: string; timestamp: number}, b: {symbol: string; timestamp: number}): number {
  return a.timestamp - b.timestamp || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
}

class CcxtVenue implements Venue {
  readonly info: VenueInfo;
  fetchPositions?: (symbols?: readonly string[]) => Promise<readonly Position[]>;
  fetchDepositAddress?: (asset: string, network?: string) => Promise<DepositAddress>;
  withdraw?: (request: WithdrawRequest) => Promise<Transfer>;
  fetchDeposits?: (asset?: string, since?: number) => Promise<readonly Transfer[]>;
  fetchWithdrawals?: (asset?: string, since?: number) => Promise<readonly Transfer[]>;
  watchOrderBook?: (symbol: string, depth?: number, signal?: AbortSignal) => AsyncIterable<OrderBook>;
  watchQuotes?: (symbols: readonly string[], signal?: AbortSignal) => AsyncIterable<readonly Quote[]>;

  private readonly scrub: (text: string) => string;
  private readonly cache: MarketCacheRepo | undefined;
  private readonly fingerprint: string;
  private marketsLoading: Promise<readonly Market[]> | undefined;
  private bySymbol = new Map<string, Market>();
  private pro: Promise<Ex> | undefined;
  private closed = false;
  /** HTTP clients of the REST and websocket instances (closed with the venue). */
  readonly http: NodeHttpClient[] = [];

  constructor(
    private readonly name: string,
    private readonly config: VenueConfig,
    private readonly ex: Ex,
    private readonly dialect: Dialect,
    private readonly ctorConfig: Record<string, unknown>,
    private readonly deps: CcxtVenueDeps,
  ) {
    const has = ex.has;
    const creds = deps.credentials;
    this.scrub = makeScrubber([creds?.apiKey, creds?.secret, creds?.password, creds?.uid]);
    this.cache = deps.db ? new MarketCacheRepo(deps.db) : undefined;
    this.fingerprint = marketsFingerprint(config);
    // Behind a REST gateway without a websocket one, streaming would bypass the gateway: poll instead.
    const streams = hasExchangeClass(config.exchange, true) && (config.apiBaseUrl === undefined || config.wsBaseUrl !== undefined);
    const capabilities: VenueCapabilities = {
      bidsAsks: has.fetchBidsAsks === true,
      orderBookStream: streams,
      quoteStream: streams && dialect.quoteStream !== 'none',
      positions: has.fetchPositions === true,
      currencies: has.fetchCurrencies === true,
      withdraw: has.withdraw === true,
      depositAddress: Boolean(has.fetchDepositAddress),
      transfers: Boolean(has.fetchDeposits) && Boolean(has.fetchWithdrawals),
    };
    this.info = {
      id: name,
      exchange: config.exchange,
      simulated: false,
      sandbox: config.sandbox === true,
      mode: config.mode,
      hasKeys: creds !== undefined,
      rateLimitMs: typeof ex.rateLimit === 'number' && Number.isFinite(ex.rateLimit) ? ex.rateLimit : 0,
      capabilities,
      clientIds: {
        maxLength: dialect.clientId.maxLength,
        ...(dialect.roundTrip ? {} : {unsafe: dialect.roundTripGap ?? `${config.exchange} cannot find an order again by our client id`}),
        ...(config.allowLiveWithoutIdempotency === true ? {optOut: true} : {}),
      },
    };
    if (capabilities.positions) this.fetchPositions = (symbols) => this.positions(symbols);
    if (capabilities.depositAddress) this.fetchDepositAddress = (asset, network) => this.depositAddress(asset, network);
    if (capabilities.withdraw) this.withdraw = (request) => this.sendWithdrawal(request);
    if (has.fetchDeposits) this.fetchDeposits = (asset, since) => this.transfers('deposit', asset, since);
    if (has.fetchWithdrawals) this.fetchWithdrawals = (asset, since) => this.transfers('withdrawal', asset, since);
    if (streams) this.watchOrderBook = (symbol, depth, signal) => this.streamBook(symbol, depth, signal);
    if (capabilities.quoteStream === true) this.watchQuotes = (symbols, signal) => this.streamQuotes(symbols, signal);
  }

  // ---- plumbing -------------------------------------------------------------

  /** Runs one ccxt call: measures it, maps its errors. */
  private async call<T>(op: string, fn: () => Promise<T>, symbol?: string): Promise<T> {
    if (this.closed) throw new UsageError(`${this.name}: venue is closed`);
    const started = performance.now();
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      throw this.mapError(error, op, symbol);
    }
    this.deps.onLatency?.(op, performance.now() - started);
    return result;
  }

  private mapError(error: unknown, op: string, symbol?: string): XarbError {
    const names = errorClassNames(error);
    let retryAfterMs: number | undefined;
    if (names.includes('RateLimitExceeded') || names.includes('DDoSProtection')) {
      const headers = this.ex.last_response_headers;
      retryAfterMs = parseRetryAfter(headers?.['Retry-After'] ?? headers?.['retry-after'], this.deps.clock.now());
    }
    const placing = op.startsWith('createOrder');
    const mapped = mapCcxtError(this.name, error, this.scrub, {op, symbol, retryAfterMs, placing});
    // What ccxt leaves unclassified but the venue's answer says was refused (dialect): nothing was done.
    const refusal = this.dialect.refusal;
    if (refusal && mapped instanceof VenueUnavailableError && names.includes('ExchangeError') && error instanceof Error && refusal.test(error.message)) {
      return placing ? new InvalidOrderError(this.name, mapped.message, error) : new VenueRejectedError(this.name, mapped.message, error);
    }
    return mapped;
  }

  private market(symbol: string): Market {
    const market = this.bySymbol.get(symbol);
    if (!market) throw new UnknownSymbolError(symbol, [this.name]);
    return market;
  }

  private ctx() {
    return {venue: this.name, receivedAt: this.deps.clock.now()};
  }

  /** Maps with VenueDataError; lets other errors through. */
  private mapList<T>(items: unknown, map: (raw: Raw) => T | undefined): T[] {
    if (!Array.isArray(items)) throw new VenueDataError(this.name, 'expected a list in the answer');
    const out: T[] = [];
    for (const item of items) {
      const mapped = map(item as Raw);
      if (mapped !== undefined) out.push(mapped);
    }
    return out;
  }

  // ---- markets --------------------------------------------------------------

  loadMarkets(): Promise<readonly Market[]> {
    if (!this.marketsLoading) {
      this.marketsLoading = this.loadMarketsOnce().catch((error: unknown) => {
        this.marketsLoading = undefined;
        throw error;
      });
    }
    return this.marketsLoading;
  }

  private async loadMarketsOnce(): Promise<readonly Market[]> {
    const ttlMs = (this.config.marketsTtlSec ?? DEFAULT_MARKETS_TTL_SEC) * 1000;
    let restored = false;
    if (this.cache && ttlMs > 0) {
      let payload: string | undefined;
      try {
        payload = this.cache.getFresh(this.name, MARKETS_CACHE_KIND, this.fingerprint, this.deps.clock.now(), ttlMs);
      } catch {
        payload = undefined; // an unreadable cache is a cache miss
      }
      if (payload !== undefined) restored = this.restoreMarkets(payload);
      if (restored && this.ex.options.adjustForTimeDifference === true && this.ex.loadTimeDifference) {
        await this.call('loadTimeDifference', () => this.ex.loadTimeDifference!());
      }
    }
    if (!restored) {
      await this.call('loadMarkets', () => this.ex.loadMarkets(true));
      this.storeMarkets();
    }
    return this.indexMarkets();
  }

  /** Sets ccxt's markets from a cached payload; false when the payload cannot be used. */
  private restoreMarkets(payload: string): boolean {
    try {
      const cached = JSON.parse(payload) as CachedMarkets;
      if (!isRecord(cached.markets) || Object.keys(cached.markets).length === 0) return false;
      this.ex.setMarkets(cached.markets as never, cached.currencies as never);
      for (const [key, value] of Object.entries(cached.helpers ?? {})) this.ex.options[key] = value;
      return true;
    } catch {
      return false;
    }
  }

  private storeMarkets(): void {
    if (!this.cache || !this.ex.markets) return;
    const helperNames = Array.isArray(this.ex.options.marketHelperProps) ? (this.ex.options.marketHelperProps as string[]) : [];
    const helpers: Record<string, unknown> = {};
    for (const key of helperNames) if (this.ex.options[key] !== undefined) helpers[key] = this.ex.options[key];
    const payload: CachedMarkets = {markets: this.ex.markets, currencies: this.ex.currencies, helpers};
    try {
      this.cache.put({venue: this.name, kind: MARKETS_CACHE_KIND, fingerprint: this.fingerprint, fetchedAt: this.deps.clock.now(), payload: JSON.stringify(payload)});
    } catch {
      // The cache is an optimisation: failing to write it (journal busy, read-only) must not fail market data.
    }
  }

  private indexMarkets(): readonly Market[] {
    const raw = Object.values(this.ex.markets ?? {});
    const {markets} = mapMarkets(this.name, raw, this.ex.precisionMode);
    const fees = this.config.fees;
    const out = fees
      ? markets.map((m) => ({...m, taker: fees.taker ?? m.taker, maker: fees.maker ?? m.maker}))
      : markets;
    this.bySymbol = new Map(out.map((m) => [m.symbol, m]));
    return out;
  }

  // ---- market data ----------------------------------------------------------

  async fetchServerTime(): Promise<number | undefined> {
    if (this.ex.has.fetchTime !== true) return undefined;
    const time = await this.call('fetchTime', () => this.ex.fetchTime());
    return typeof time === 'number' && Number.isFinite(time) ? time : undefined;
  }

  async fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]> {
    await this.loadMarkets();
    const wanted = symbols === undefined ? undefined : [...new Set(symbols)];
    wanted?.forEach((s) => this.market(s));
    if (wanted !== undefined && wanted.length === 0) return [];
    const method = this.quoteCall(wanted === undefined);
    let tickers: Record<string, Raw>;
    if (method === 'fetchBidsAsks') {
      tickers = (await this.call('fetchBidsAsks', () => this.ex.fetchBidsAsks(wanted as string[] | undefined))) as unknown as Record<string, Raw>;
    } else if (method === 'fetchTickers') {
      tickers = (await this.call('fetchTickers', () => this.ex.fetchTickers(wanted as string[] | undefined))) as unknown as Record<string, Raw>;
    } else if (method === 'fetchTicker' && wanted !== undefined) {
      const list = await Promise.all(wanted.map((s) => this.call('fetchTicker', () => this.ex.fetchTicker(s), s)));
      tickers = Object.fromEntries(list.map((t, i) => [wanted[i]!, t as unknown as Raw]));
    } else if (method === 'fetchOrderBook' && wanted !== undefined) {
      return Promise.all(wanted.map(async (s) => topOfBook(await this.fetchOrderBook(s, 1))));
    } else {
      throw new NotSupportedError(this.name, 'quotes for every market at once (name the symbols)');
    }
    const ctx = this.ctx();
    const out: Quote[] = [];
    for (const symbol of wanted ?? Object.keys(tickers)) {
      const ticker = tickers[symbol];
      if (!isRecord(ticker) || !this.bySymbol.has(symbol)) continue;
      out.push(mapTicker(ctx, ticker, symbol));
    }
    return out;
  }

  /** The call for best bid/ask: the dialect's (with or without keys, for some or all markets), else the best one ccxt has. */
  private quoteCall(all: boolean): QuoteCall | undefined {
    const quotes = this.dialect.quotes;
    const chosen = (this.info.hasKeys ? quotes?.withKeys : undefined) ?? (all ? quotes?.all : undefined) ?? quotes?.keyless;
    if (chosen !== undefined) return chosen;
    const has = this.ex.has;
    if (has.fetchBidsAsks === true) return 'fetchBidsAsks';
    if (has.fetchTickers) return 'fetchTickers';
    return has.fetchTicker ? 'fetchTicker' : undefined;
  }

  async fetchOrderBook(symbol: string, depth?: number): Promise<OrderBook> {
    await this.loadMarkets();
    this.market(symbol);
    const book = await this.call('fetchOrderBook', () => this.ex.fetchOrderBook(symbol, depth), symbol);
    return mapOrderBook(this.ctx(), book as unknown as Raw, symbol, depth);
  }

  async fetchCurrencies(): Promise<readonly Currency[]> {
    await this.loadMarkets();
    const has = this.ex.has;
    let currencies: Record<string, unknown> = {};
    if (has.fetchCurrencies === true) {
      const fetched = await this.withOptions(this.dialect.currencyOptions, () => this.call('fetchCurrencies', () => this.ex.fetchCurrencies()));
      if (isRecord(fetched)) currencies = fetched;
    }
    if (Object.keys(currencies).length === 0) currencies = (this.ex.currencies ?? {}) as Record<string, unknown>;
    let fees: WithdrawFees | undefined;
    const lacksFees = Object.values(currencies).some((c) => !isRecord(c) || !isRecord(c.networks) || Object.keys(c.networks).length === 0);
    if (this.dialect.withdrawFees === 'fetchDepositWithdrawFees' && has.fetchDepositWithdrawFees === true && lacksFees && this.info.hasKeys) {
      fees = (await this.call('fetchDepositWithdrawFees', () => this.ex.fetchDepositWithdrawFees())) as unknown as WithdrawFees;
    }
    return mapCurrencies(this.name, currencies, fees);
  }

  private async withOptions<T>(options: Readonly<Record<string, unknown>> | undefined, fn: () => Promise<T>): Promise<T> {
    if (!options) return fn();
    const userOptions = isRecord(this.config.options?.options) ? this.config.options.options : {};
    const saved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options)) {
      if (key in userOptions) continue; // the user's explicit choice wins
      saved[key] = this.ex.options[key];
      this.ex.options[key] = value;
    }
    try {
      return await fn();
    } finally {
      for (const [key, value] of Object.entries(saved)) this.ex.options[key] = value;
    }
  }

  // ---- account --------------------------------------------------------------

  async fetchBalances(): Promise<readonly Balance[]> {
    await this.loadMarkets();
    const balance = await this.call('fetchBalance', () => this.ex.fetchBalance());
    return mapBalances(this.name, balance as unknown as Raw);
  }

  async createOrder(request: OrderRequest): Promise<VenueOrder> {
    await this.loadMarkets();
    const symbol = request.symbol;
    this.market(symbol);
    if (request.type === 'limit' && request.price === undefined) throw new UsageError('a limit order needs a price');
    let amount: number;
    let price: number | undefined;
    try {
      amount = Number(this.ex.amountToPrecision(symbol, request.amount as unknown as number));
      price = request.type === 'limit' ? Number(this.ex.priceToPrecision(symbol, request.price as unknown as number)) : undefined;
    } catch (error) {
      throw this.mapError(error, `createOrder ${symbol}`, symbol);
    }
    const params: Record<string, unknown> = {[this.dialect.clientId.param]: request.clientOrderId};
    if (request.type === 'market' && request.side === 'buy' && this.dialect.marketBuy === 'cost') {
      // The venue takes the quote amount to spend: the cost the risk check and the journal used
      // (order execution always passes it); a caller without one spends amount x the best ask.
      const market = this.market(symbol);
      const cost = request.cost ?? (await this.costAtAsk(symbol, request.amount));
      // ccxt cuts it down to the quote step: never more than the journal reserved.
      params.cost = this.dialect.marketBuyCostIncludesFee === true ? mul(cost, add('1', dec(market.taker))) : cost;
    }
    const raw = await this.call('createOrder', () => this.ex.createOrder(symbol, request.type, request.side, amount, price, params), symbol);
    const reply = raw as unknown as Raw;
    const withClientId = {...reply, clientOrderId: reply.clientOrderId ?? request.clientOrderId};
    try {
      return this.mapOrder(withClientId);
    } catch (error) {
      if (!(error instanceof VenueDataError)) throw error;
    }
    // The reply lacks details (kraken answers with a txid only): read the order back.
    const id = typeof reply.id === 'string' && reply.id !== '' ? reply.id : undefined;
    let order: VenueOrder | undefined;
    try {
      order = await this.fetchOrder(id ? {id, clientOrderId: request.clientOrderId} : {clientOrderId: request.clientOrderId}, symbol);
    } catch (error) {
      throw new VenueUnavailableError(this.name, `order ${id ?? request.clientOrderId} was accepted but its state could not be read; look it up by client id ${request.clientOrderId}`, {cause: error});
    }
    if (!order) {
      throw new VenueUnavailableError(this.name, `order ${id ?? request.clientOrderId} was accepted but the venue does not return it yet; look it up by client id ${request.clientOrderId}`);
    }
    return order.clientOrderId === undefined ? {...order, clientOrderId: request.clientOrderId} : order;
  }

  private async costAtAsk(symbol: string, amount: string): Promise<string> {
    const [quote] = await this.fetchQuotes([symbol]);
    if (quote?.ask === undefined) throw new VenueUnavailableError(this.name, `no ask for ${symbol}: cannot size a market buy in quote`);
    return mul(amount, dec(quote.ask));
  }

  async cancelOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.loadMarkets();
    this.market(symbol);
    let id = ref.id;
    let clientOrderId = ref.clientOrderId;
    if (id === undefined) {
      const found = await this.fetchOrder(ref, symbol);
      if (!found) return undefined;
      if (found.status !== 'open') return found;
      id = found.id;
      clientOrderId = found.clientOrderId ?? clientOrderId;
    }
    const orderId = id;
    let raw: Raw;
    try {
      raw = (await this.call('cancelOrder', () => this.ex.cancelOrder(orderId, symbol), symbol)) as unknown as Raw;
    } catch (error) {
      // Already gone (filled or canceled): report what the venue says about it now.
      if (this.isOrderNotFound(error)) {
        return this.fetchOrder({id: orderId, clientOrderId}, symbol);
      }
      throw error;
    }
    try {
      const order = this.mapOrder(raw);
      if (order.status !== 'open') {
        if (clientOrderId !== undefined) return {...order, clientOrderId};
        if (this.dialect.cancelReplyClientId !== false) return order;
      }
    } catch (error) {
      if (!(error instanceof VenueDataError)) throw error;
    }
    // The reply is partial (kraken: a count), still says open, or names another client id: read the order back.
    return this.fetchOrder({id: orderId, clientOrderId}, symbol);
  }

  async fetchOrder(ref: OrderRef, symbol: string): Promise<VenueOrder | undefined> {
    await this.loadMarkets();
    this.market(symbol);
    if (ref.id !== undefined) {
      const id = ref.id;
      let raw: unknown;
      for (const how of this.dialect.orderById ?? ['fetchOrder']) {
        if (typeof how === 'string') {
          const fetch = this.ex[how] as (id: string, symbol: string) => Promise<unknown>;
          raw = await this.orNotFound(() => this.call(how, () => fetch.call(this.ex, id, symbol), symbol));
        } else {
          const list = await this.listOrders(how.list, symbol, {[how.param]: id});
          raw = Array.isArray(list) ? (list as Raw[]).find((o) => o.id === id) : undefined;
        }
        if (raw !== undefined) break;
      }
      if (raw === undefined) return undefined;
      const r = raw as unknown as Raw;
      return this.mapOrder({...r, clientOrderId: r.clientOrderId ?? ref.clientOrderId});
    }
    const clientOrderId = ref.clientOrderId;
    if (clientOrderId === undefined) throw new UsageError('looking an order up needs its id or its client order id');
    const lookup = this.dialect.clientIdLookup;
    const rules = this.dialect.clientId;
    if (lookup.kind === 'none') throw new NotSupportedError(this.name, 'looking an order up by client id');
    if (lookup.kind === 'fetchOrder') {
      const params = {...lookup.params, [lookup.param]: clientOrderId};
      const raw = await this.orNotFound(() => this.call('fetchOrder', () => this.ex.fetchOrder(undefined as unknown as string, symbol, params), symbol));
      if (raw === undefined) return lookup.fallback ? this.searchByClientId(clientOrderId, symbol, lookup.fallback) : undefined;
      const echoed = (raw as unknown as Raw).clientOrderId;
      const order = this.mapOrder(raw as unknown as Raw);
      return echoed === undefined || echoed === null || sameClientId(String(echoed), clientOrderId, rules) ? {...order, clientOrderId} : undefined;
    }
    return this.searchByClientId(clientOrderId, symbol, lookup.calls ?? ['fetchOpenOrders', 'fetchClosedOrders'], lookup.param);
  }

  /** Searches order lists (the first always, the others where ccxt has them) for our client id, passed as a filter in `param` when given. */
  private async searchByClientId(clientOrderId: string, symbol: string, calls: readonly OrderListCall[], param?: string): Promise<VenueOrder | undefined> {
    const rules = this.dialect.clientId;
    const params = param ? {[param]: clientOrderId} : {};
    const match = (list: unknown) =>
      this.mapList(list, (o) => (typeof o.clientOrderId === 'string' && sameClientId(o.clientOrderId, clientOrderId, rules) ? {...this.mapOrder(o), clientOrderId} : undefined))[0];
    for (const [i, method] of calls.entries()) {
      if (i > 0 && !this.ex.has[method]) continue;
      const found = match(await this.listOrders(method, symbol, params));
      if (found) return found;
    }
    return undefined;
  }

  /** Fees without a currency get the market's quote (dialect feesInQuote). */
  private withQuoteFees(raw: Raw): Raw {
    const quote = typeof raw.symbol === 'string' ? this.bySymbol.get(raw.symbol)?.quote : undefined;
    if (quote === undefined) return raw;
    const fix = (f: unknown) => (isRecord(f) && f.currency === undefined && f.cost !== undefined ? {...f, currency: quote} : f);
    return {...raw, fee: fix(raw.fee), fees: Array.isArray(raw.fees) ? raw.fees.map(fix) : raw.fees};
  }

  private listOrders(method: OrderListCall, symbol: string, params: Record<string, unknown>): Promise<unknown> {
    const fetch = this.ex[method] as (s: string, since?: number, limit?: number, p?: object) => Promise<unknown>;
    return this.call(method, () => fetch.call(this.ex, symbol, undefined, undefined, params), symbol);
  }

  /** Maps an order, with a client id the venue echoes prefixed (gate `t-`) brought back to ours. */
  private mapOrder(raw: Raw): VenueOrder {
    const order = mapOrder(this.name, this.dialect.feesInQuote === true ? this.withQuoteFees(raw) : raw);
    const bare = unechoClientId(order.clientOrderId, this.dialect.clientId);
    return bare === order.clientOrderId ? order : {...order, clientOrderId: bare};
  }

  /** ccxt's OrderNotFound, or an error the dialect knows means "no such order" (coinbase's 404 NOT_FOUND). */
  private isOrderNotFound(error: unknown): boolean {
    if (!(error instanceof XarbError)) return false;
    const cause = (error as {cause?: unknown}).cause;
    if (errorClassNames(cause).includes('OrderNotFound')) return true;
    const pattern = this.dialect.orderNotFound;
    return pattern !== undefined && cause instanceof Error && pattern.test(cause.message);
  }

  /** OrderNotFound -> undefined; other errors rethrown. */
  private async orNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (this.isOrderNotFound(error)) return undefined;
      throw error;
    }
  }

  private async listCall<T>(op: string, symbol: string | undefined, fn: () => Promise<unknown>, map: (raw: Raw) => T | undefined): Promise<T[]> {
    await this.loadMarkets();
    if (symbol !== undefined) this.market(symbol);
    let raw: unknown;
    try {
      raw = await this.call(op, fn, symbol);
    } catch (error) {
      if (symbol === undefined && errorClassNames((error as {cause?: unknown}).cause).includes('ArgumentsRequired')) {
        throw new NotSupportedError(this.name, `${op} without a symbol`);
      }
      throw error;
    }
    return this.mapList(raw, map);
  }

  async fetchOpenOrders(symbol?: string): Promise<readonly VenueOrder[]> {
    const list = await this.listCall('fetchOpenOrders', symbol, () => this.ex.fetchOpenOrders(symbol), (o) => this.mapOrder(o));
    return list.sort(symbolOrder);
  }

  async fetchClosedOrders(symbol?: string, since?: number): Promise<readonly VenueOrder[]> {
    const list = await this.listCall('fetchClosedOrders', symbol, () => this.ex.fetchClosedOrders(symbol, since), (o) => this.mapOrder(o));
    return list.sort(symbolOrder);
  }

  async fetchMyTrades(symbol?: string, since?: number): Promise<readonly Trade[]> {
    const list = await this.listCall('fetchMyTrades', symbol, () => this.ex.fetchMyTrades(symbol, since), (t) => {
      const trade = mapTrade(this.name, this.dialect.feesInQuote === true ? this.withQuoteFees(t) : t);
      const bare = unechoClientId(trade.clientOrderId, this.dialect.clientId);
      return bare === trade.clientOrderId ? trade : {...trade, clientOrderId: bare};
    });
    return list.sort(symbolOrder);
  }

  // ---- optional -------------------------------------------------------------

  private async positions(symbols?: readonly string[]): Promise<readonly Position[]> {
    await this.loadMarkets();
    symbols?.forEach((s) => this.market(s));
    const derivatives = [...this.bySymbol.values()].some((m) => m.type !== 'spot');
    if (!derivatives) return []; // a spot-only venue holds balances, not positions
    const raw = await this.call('fetchPositions', () => this.ex.fetchPositions(symbols ? [...symbols] : undefined));
    return this.mapList(raw, (p) => mapPosition(this.name, p, this.bySymbol.get(String(p.symbol))?.contractSize));
  }

  private async depositAddress(asset: string, network?: string): Promise<DepositAddress> {
    await this.loadMarkets();
    const raw = await this.call('fetchDepositAddress', () => this.ex.fetchDepositAddress(asset, network ? {network} : {}));
    return mapDepositAddress(this.name, raw as unknown as Raw, asset, network);
  }

  private async sendWithdrawal(request: WithdrawRequest): Promise<Transfer> {
    await this.loadMarkets();
    if (this.dialect.withdrawNeedsNetwork === true && request.network === undefined) {
      throw new UsageError(`${this.name}: ${this.config.exchange} withdrawals must name a network`, 'name the network of the transfer');
    }
    const hook = this.dialect.withdrawParams;
    const extra = hook ? await this.call('withdrawParams', () => hook(this.ex as unknown as DialectExchange, request)) : {};
    const params = {...extra, ...(request.network ? {network: request.network} : {})};
    const now = this.deps.clock.now();
    const raw = await this.call('withdraw', () => this.ex.withdraw(request.asset, Number(request.amount), request.address, request.tag, params));
    return mapTransfer(this.name, raw as unknown as Raw, {
      kind: 'withdrawal',
      asset: request.asset,
      amount: request.amount,
      address: request.address,
      timestamp: now,
      ...(request.network === undefined ? {} : {network: request.network}),
    });
  }

  private async transfers(kind: 'deposit' | 'withdrawal', asset?: string, since?: number): Promise<readonly Transfer[]> {
    await this.loadMarkets();
    const op = kind === 'deposit' ? 'fetchDeposits' : 'fetchWithdrawals';
    const raw = await this.call(op, () => (kind === 'deposit' ? this.ex.fetchDeposits(asset, since) : this.ex.fetchWithdrawals(asset, since)));
    return this.mapList(raw, (t) => mapTransfer(this.name, t, {kind})).sort((a, b) => a.timestamp - b.timestamp);
  }

  // ---- websockets -----------------------------------------------------------

  private proInstance(): Promise<Ex> {
    if (!this.pro) {
      this.pro = (async () => {
        const pro = constructExchange(await loadExchangeClass(this.config.exchange, true), this.ctorConfig) as Ex;
        configureUrls(pro, this.name, this.config);
        const http = useNodeHttp(pro, this.config);
        if (http) this.http.push(http);
        shareProxyModules(pro);
        strictJson(pro);
        if (JSON.stringify(pro.urls.api).includes('"ws://') && pro.loadHttpProxyAgent) await pro.loadHttpProxyAgent();
        if (pro.setMarketsFromExchange) pro.setMarketsFromExchange(this.ex);
        else pro.setMarkets(this.ex.markets as never, this.ex.currencies as never);
        return pro;
      })().catch((error: unknown) => {
        this.pro = undefined;
        throw error;
      });
    }
    return this.pro;
  }

  /** The ccxt.pro call that streams best bid/ask here: the dialect's, else the best one ccxt.pro has. */
  private quoteStreamCall(pro: Ex): Exclude<QuoteStreamCall, 'none'> | undefined {
    const chosen = this.dialect.quoteStream;
    if (chosen === 'none') return undefined;
    if (chosen !== undefined) return pro.has[chosen] ? chosen : undefined;
    if (pro.has.watchBidsAsks) return 'watchBidsAsks';
    if (pro.has.watchTickers) return 'watchTickers';
    return pro.has.watchTicker ? 'watchTicker' : undefined;
  }

  /**
   * Streams best bid/ask with the dialect's ccxt.pro call: one subscription
   * for all symbols (watchBidsAsks, watchTickers), or one per symbol
   * (watchTicker, the top of watchOrderBook) merged as they arrive. Each
   * update yields the quotes it changed. A failure (socket closed, venue
   * error) ends the stream with the mapped error: the caller reconnects.
   */
  private async *streamQuotes(symbols: readonly string[], signal?: AbortSignal): AsyncGenerator<readonly Quote[]> {
    await this.loadMarkets();
    const wanted = [...new Set(symbols)];
    wanted.forEach((s) => this.market(s));
    if (wanted.length === 0) return;
    const pro = await this.proInstance();
    const method = this.quoteStreamCall(pro);
    if (method === undefined) throw new NotSupportedError(this.name, 'streaming quotes');
    if (signal?.aborted) return;
    const aborted = new Promise<undefined>((resolve) => signal?.addEventListener('abort', () => resolve(undefined), {once: true}));
    const watch = (pro as unknown as Record<string, (arg: unknown) => Promise<unknown>>)[method]!.bind(pro);
    const perSymbol = method === 'watchTicker' || method === 'watchOrderBook';
    const arm = (symbol: string | undefined) => {
      const next = watch(symbol ?? wanted).then((value) => ({symbol, value}));
      next.catch(() => undefined); // a watch left pending at abort/close rejects later; nobody awaits it then
      return next;
    };
    const pending = new Map((perSymbol ? wanted : [undefined]).map((symbol) => [symbol, arm(symbol)]));
    while (!signal?.aborted && !this.closed) {
      let update: {symbol: string | undefined; value: unknown} | undefined;
      try {
        update = await Promise.race([...pending.values(), aborted]);
      } catch (error) {
        if (this.closed || signal?.aborted) return;
        throw this.mapError(error, method);
      }
      if (update === undefined) return;
      pending.set(update.symbol, arm(update.symbol));
      const ctx = this.ctx();
      let quotes: Quote[];
      if (method === 'watchOrderBook') quotes = [topOfBook(mapOrderBook(ctx, update.value as Raw, update.symbol!, 1))];
      else {
        const tickers: Raw[] = method === 'watchTicker' ? [update.value as Raw] : Object.values(update.value as Record<string, Raw>);
        quotes = tickers.filter((t) => isRecord(t) && typeof t.symbol === 'string' && wanted.includes(t.symbol)).map((t) => mapTicker(ctx, t, t.symbol as string));
      }
      if (quotes.length > 0) yield quotes;
    }
  }

  private async *streamBook(symbol: string, depth?: number, signal?: AbortSignal): AsyncGenerator<OrderBook> {
    await this.loadMarkets();
    this.market(symbol);
    const pro = await this.proInstance();
    if (!pro.has.watchOrderBook) throw new NotSupportedError(this.name, 'streaming order books');
    if (signal?.aborted) return;
    const aborted = new Promise<undefined>((resolve) => signal?.addEventListener('abort', () => resolve(undefined), {once: true}));
    try {
      while (!signal?.aborted && !this.closed) {
        const next = pro.watchOrderBook(symbol);
        next.catch(() => undefined); // a watch left pending at abort/close rejects later; nobody awaits it then
        let book: unknown;
        try {
          book = await Promise.race([next, aborted]);
        } catch (error) {
          if (this.closed) return;
          throw this.mapError(error, 'watchOrderBook', symbol);
        }
        if (book === undefined) return;
        yield mapOrderBook(this.ctx(), book as Raw, symbol, depth);
      }
    } finally {
      if (!this.closed && pro.has.unWatchOrderBook && pro.unWatchOrderBook) {
        await pro.unWatchOrderBook(symbol).catch(() => undefined);
      }
    }
  }

  // ---- lifecycle ------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing: Promise<unknown>[] = [this.ex.close().catch(() => undefined)];
    if (this.pro) closing.push(this.pro.then((pro) => pro.close()).catch(() => undefined));
    await Promise.all(closing);
    const instances: Ex[] = [this.ex];
    if (this.pro) instances.push(await this.pro.catch(() => this.ex));
    for (const ex of instances) await ex.fetchDispatcher?.close?.().catch(() => undefined);
    for (const client of this.http) client.close();
  }
}

/** Creates a Venue over the ccxt class for `config.exchange`. Throws UnknownExchangeError (exit 2) for an unknown id. */
export async function createCcxtVenue(name: string, config: VenueConfig, deps: CcxtVenueDeps): Promise<Venue> {
  const Exchange = await loadExchangeClass(config.exchange);
  const dialect = dialectFor(config.exchange);
  const timeoutMs = config.timeoutMs ?? deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctorConfig = constructorConfig(config, dialect, timeoutMs, deps.credentials);
  const ex = constructExchange(Exchange, ctorConfig) as Ex;
  configureUrls(ex, name, config);
  const http = useNodeHttp(ex, config);
  shareProxyModules(ex);
  strictJson(ex);
  if (deps.transport) (ex as unknown as {fetch: CcxtVenueDeps['transport']}).fetch = deps.transport;
  const venue = new CcxtVenue(name, config, ex, dialect, ctorConfig, deps);
  if (http) venue.http.push(http);
  return venue;
}
