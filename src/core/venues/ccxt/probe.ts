/**
 * The capability probe: what one ccxt exchange class does with our requests,
 * found offline from ccxt's own request building.
 *
 * The class is instantiated with dummy credentials and a recording transport
 * in place of its HTTP layer: every request ccxt builds is recorded and
 * answered with an empty JSON object (at most MAX_REQUESTS per call, then the
 * call is stopped), so nothing ever leaves the process. From the recorded
 * requests the probe reads whether our client id reaches the createOrder
 * request (and in which field, with which prefix), whether an order can be
 * looked up by it, which quote call works without keys, and whether a market
 * buy needs a quote amount.
 *
 * Invariants:
 * - No socket is opened: the instance's `fetch` is replaced before any call,
 *   and ccxt's own fetch implementation is replaced by one that throws.
 * - The result depends only on the installed ccxt and on the certified
 *   dialects (never on a previously computed matrix).
 */
import type {Capability, CapabilityMatrix, DeclaredCapabilities, QuoteAccess} from '../capabilities.js';
import {certifiedDialect, genericDialect, type ClientIdLookup, type Dialect, type QuoteCall} from './dialects.js';
import {ccxtVersion, hasExchangeClass, loadExchangeClass} from './load.js';

/** One request ccxt built. */
export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string | undefined;
}

/** The probe's stand-in for the network: records and answers `{}`; `reply` may answer specific requests. */
export interface RecordingTransport {
  readonly requests: RecordedRequest[];
  fetch(url: string, method?: string, headers?: Record<string, unknown>, body?: unknown): Promise<unknown>;
}

export class RequestLimitReached extends Error {
  constructor() {
    super('recording transport: request limit reached');
    this.name = 'RequestLimitReached';
  }
}

const MAX_REQUESTS = 8;

export function recordingTransport(reply: (request: RecordedRequest) => unknown = () => ({}), limit = MAX_REQUESTS): RecordingTransport {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    fetch(url, method = 'GET', headers = {}, body = undefined) {
      const request: RecordedRequest = {url, method, headers, body: body === undefined || body === null ? undefined : String(body)};
      if (requests.length >= limit) return Promise.reject(new RequestLimitReached());
      requests.push(request);
      return Promise.resolve(reply(request));
    },
  };
}

/** Where a value occurs in a request: the query or body field that carries it. */
export interface FoundField {
  readonly field: string;
  /** The whole value sent (may carry a prefix before our id). */
  readonly value: string;
}

function searchTree(node: unknown, needle: string, key: string | undefined): FoundField | undefined {
  if (typeof node === 'string' || typeof node === 'number') {
    const text = String(node);
    return key !== undefined && text.includes(needle) ? {field: key, value: text} : undefined;
  }
  if (Array.isArray(node)) {
    for (const item of node) {
      const hit = searchTree(item, needle, key);
      if (hit) return hit;
    }
    return undefined;
  }
  if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      const hit = searchTree(v, needle, k);
      if (hit) return hit;
    }
  }
  return undefined;
}

function parseBody(body: string): unknown {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(trimmed));
}

/** The query or body field of `request` whose value contains `needle`; path segments count as field `(path)`. */
export function findInRequest(request: RecordedRequest, needle: string): FoundField | undefined {
  let url: URL | undefined;
  try {
    url = new URL(request.url);
  } catch {
    url = undefined;
  }
  if (url) {
    for (const [k, v] of url.searchParams) if (v.includes(needle)) return {field: k, value: v};
    const segment = decodeURIComponent(url.pathname).split('/').find((s) => s.includes(needle));
    if (segment !== undefined) return {field: '(path)', value: segment};
  }
  if (request.body !== undefined) return searchTree(parseBody(request.body), needle, undefined);
  return undefined;
}

/** Dummy credentials that satisfy ccxt's format checks (base64 secrets, PEM-free). */
export const DUMMY_CREDENTIALS = {
  apiKey: 'probeprobeprobeprobeprobe0123456',
  secret: Buffer.from('probe-secret-probe-secret-probe!').toString('base64'),
  password: 'probepassword',
  uid: '1234567',
  walletAddress: '0x' + '1'.repeat(40),
  privateKey: '0x' + '2'.repeat(64),
  accountId: '1234567',
  login: 'probe',
  twofa: 'probe',
  token: 'probe',
} as const;

/** Our probe id: 24 hex characters, shorter than every venue's limit. */
export const PROBE_CLIENT_ID = '0f1e2d3c4b5a69788796a5b4';

type Probed = {
  id: string;
  has: Record<string, unknown>;
  precisionMode: number;
  options: Record<string, unknown>;
  fetch: unknown;
  fetchImplementation: unknown;
  setMarkets(markets: unknown, currencies?: unknown): unknown;
  parseOrder?: unknown;
  [method: string]: unknown;
};

const TICK_SIZE = 4;

/** A spot BTC/USDT market in the shape ccxt's loadMarkets produces. */
export function syntheticMarket(ex: {precisionMode: number}, id = 'BTCUSDT'): Record<string, unknown> {
  const tick = ex.precisionMode === TICK_SIZE;
  return {
    id,
    lowercaseId: id.toLowerCase(),
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    baseId: 'BTC',
    quoteId: 'USDT',
    settle: undefined,
    type: 'spot',
    spot: true,
    margin: false,
    swap: false,
    future: false,
    option: false,
    contract: false,
    linear: undefined,
    inverse: undefined,
    active: true,
    taker: 0.001,
    maker: 0.001,
    precision: {amount: tick ? 0.0001 : 4, price: tick ? 0.01 : 2, cost: tick ? 0.01 : 2, base: tick ? 0.0001 : 4, quote: tick ? 0.01 : 2},
    limits: {amount: {min: 0.0001, max: 1000}, price: {min: 0.01, max: 1_000_000}, cost: {min: 1, max: 10_000_000}},
    // binance checks the order types a market lists
    info: {orderTypes: ['LIMIT', 'MARKET', 'LIMIT_MAKER'], permissions: ['SPOT'], permissionSets: [['SPOT']]},
  };
}

export interface ProbeCalls {
  /** ccxt method names for the calls, or undefined when the exchange lacks them. */
  readonly exchange: Probed;
  readonly transport: RecordingTransport;
}

/** Creates an instance of `id` with the recording transport and a synthetic BTC/USDT market. */
export async function probeInstance(id: string, options: {keys: boolean; dialect?: Dialect; market?: Record<string, unknown>; reply?: (r: RecordedRequest) => unknown}): Promise<ProbeCalls> {
  const Cls = await loadExchangeClass(id);
  const dialect = options.dialect ?? certifiedDialect(id) ?? genericDialect;
  const config: Record<string, unknown> = {enableRateLimit: false, timeout: 1000, options: {...dialect.options}};
  if (options.keys) Object.assign(config, DUMMY_CREDENTIALS);
  const ex = new Cls(config) as unknown as Probed;
  const transport = recordingTransport(options.reply);
  ex.fetch = transport.fetch;
  ex.fetchImplementation = () => {
    throw new Error('the capability probe never sends requests');
  };
  ex.setMarkets([options.market ?? syntheticMarket(ex)]);
  return {exchange: ex, transport};
}

async function attempt(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

function call(ex: Probed, method: string, ...args: unknown[]): Promise<unknown> {
  const fn = ex[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`${method} missing`));
  return Promise.resolve((fn as (...a: unknown[]) => unknown).apply(ex, args));
}

const QUOTE_CALLS: readonly QuoteCall[] = ['fetchBidsAsks', 'fetchTickers', 'fetchTicker'];

/** The exchange's order parsers (parseOrder and the parse*Order helpers it delegates to) assign clientOrderId a value. */
function echoesClientId(ex: Probed): boolean {
  const sources: string[] = [];
  for (let proto = Object.getPrototypeOf(ex) as object | null; proto && proto.constructor.name !== 'Exchange'; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!/^parse\w*Order$/.test(name) || /Status|TimeInForce|Type|Side|Book/.test(name)) continue;
      const fn = (proto as Record<string, unknown>)[name];
      if (typeof fn === 'function') sources.push(fn.toString());
    }
  }
  return sources.some((source) => {
    const assigned = /['"]clientOrderId['"]\s*:\s*([^,\n]+)/g;
    for (let m = assigned.exec(source); m; m = assigned.exec(source)) if (!/^undefined\b/.test(m[1]!.trim())) return true;
    return false;
  });
}

/** Error text for a note: class and message, without file paths (they differ between machines). */
function noteText(error: unknown): string {
  return errorText(error).replace(/(file:\/\/)?(\/[\w.@+-]+){2,}\/?/g, '<path>').slice(0, 160);
}

/** Is the request signed: our dummy key, an Authorization header or a signature field anywhere in it? */
function signed(request: RecordedRequest): boolean {
  const key = DUMMY_CREDENTIALS.apiKey;
  const text = `${request.url}\n${request.body ?? ''}`;
  if (text.includes(key) || /[?&"]sign(ature)?["=]/i.test(text)) return true;
  return Object.entries(request.headers).some(([name, value]) => String(value).includes(key) || /^authorization$|sign|api-?key|access-key|passphrase/i.test(name));
}

/**
 * A quote call is public when, without keys, ccxt sends it, and with keys
 * it does not sign it (our dummy key appears in no header, query or body).
 */
async function probeQuoteCall(id: string, method: QuoteCall): Promise<QuoteAccess> {
  const run = async (keys: boolean) => {
    const {exchange: ex, transport} = await probeInstance(id, {keys});
    if (!ex.has[method]) return undefined;
    await attempt(() => (method === 'fetchTicker' ? call(ex, method, 'BTC/USDT') : call(ex, method, ['BTC/USDT'])));
    return transport.requests;
  };
  const keyless = await run(false);
  if (keyless === undefined) return 'absent';
  if (keyless.length === 0 || keyless.some(signed)) return 'private';
  // With keys, the same endpoints must still go out unsigned (other requests, e.g. account checks, may be signed).
  const paths = new Set(keyless.map((r) => r.url.split('?')[0]));
  const keyed = (await run(true)) ?? [];
  return keyed.some((r) => paths.has(r.url.split('?')[0]) && signed(r)) ? 'private' : 'public';
}

/** ccxt's spot createOrder features (undefined when the class has none). */
function spotCreateOrderFeatures(ex: Probed): Record<string, unknown> | undefined {
  const features = (ex as unknown as {features?: Record<string, unknown>}).features;
  const spot = features?.spot;
  const create = typeof spot === 'object' && spot !== null ? (spot as Record<string, unknown>).createOrder : undefined;
  return typeof create === 'object' && create !== null ? (create as Record<string, unknown>) : undefined;
}

/** What the class declares about itself: `has` flags and spot `features`, read without calling anything. */
export function declaredCapabilities(ex: Probed): DeclaredCapabilities {
  const has = ex.has;
  const create = spotCreateOrderFeatures(ex);
  const flag = (value: unknown) => value === true || value === 'emulated';
  return {
    createOrder: flag(has.createOrder),
    fetchOrderByClientId: flag(has.fetchOrderWithClientOrderId),
    marketBuyByCost: flag(has.createMarketBuyOrderWithCost) || flag(create?.marketBuyByCost),
    marketBuyRequiresPrice: flag(create?.marketBuyRequiresPrice),
  };
}

/** Computes the capability of one exchange. Never sends a request. */
export async function probeExchange(id: string): Promise<Capability> {
  const certified = certifiedDialect(id);
  const dialect = certified ?? genericDialect;
  const notes: string[] = [];
  const param = dialect.clientId.param;

  // createOrder: does our id reach the request, in which field?
  const create = await probeInstance(id, {keys: true});
  const ex = create.exchange;
  const has = ex.has;
  let found: ReturnType<typeof findInRequest>;
  if (has.createOrder) {
    const error = await attempt(() => call(ex, 'createOrder', 'BTC/USDT', 'limit', 'buy', 0.01, 20000, {[param]: PROBE_CLIENT_ID}));
    for (const r of create.transport.requests) found ??= findInRequest(r, PROBE_CLIENT_ID);
    if (!found && error !== undefined) notes.push(`createOrder: ${noteText(error)}`);
  }
  const prefix = found ? found.value.slice(0, Math.max(0, found.value.indexOf(PROBE_CLIENT_ID))) : undefined;

  // Market buy: refused for want of a price means the venue takes a quote amount.
  let marketBuyCost = false;
  if (has.createOrder) {
    const buy = await probeInstance(id, {keys: true});
    const error = await attempt(() => call(buy.exchange, 'createOrder', 'BTC/USDT', 'market', 'buy', 0.01, undefined, {[param]: PROBE_CLIENT_ID}));
    marketBuyCost = error instanceof Error && /price/i.test(error.message) && /market buy/i.test(error.message);
  }

  // Lookup by client id: natively through fetchOrder, else by searching order lists.
  let lookup: ClientIdLookup['kind'] = 'none';
  if (certified) {
    lookup = certified.clientIdLookup.kind;
  } else {
    if (has.fetchOrder) {
      const probe = await probeInstance(id, {keys: true});
      await attempt(() => call(probe.exchange, 'fetchOrder', undefined, 'BTC/USDT', {clientOrderId: PROBE_CLIENT_ID}));
      if (probe.transport.requests.some((r) => findInRequest(r, PROBE_CLIENT_ID))) lookup = 'fetchOrder';
    }
    if (lookup === 'none' && has.fetchOpenOrders && (has.fetchClosedOrders || has.fetchOrders)) lookup = 'search';
  }
  const echoed = echoesClientId(ex);
  const clientIdSent = found !== undefined;
  const roundTrip = clientIdSent && (lookup === 'fetchOrder' || (lookup === 'search' && echoed));

  const quoteCalls = {} as Record<QuoteCall, QuoteAccess>;
  for (const method of QUOTE_CALLS) quoteCalls[method] = await probeQuoteCall(id, method);
  const keylessQuote = certified?.quotes?.keyless ?? QUOTE_CALLS.find((m) => quoteCalls[m] === 'public');

  return {
    id,
    certified: certified !== undefined,
    clientIdSent,
    ...(found ? {clientIdField: found.field} : {}),
    ...(prefix ? {clientIdPrefix: prefix} : {}),
    clientIdLookup: lookup,
    clientIdEchoed: echoed,
    clientIdRoundTrip: roundTrip,
    ...(keylessQuote === undefined ? {} : {keylessQuote}),
    quoteCalls,
    marketBuyCost,
    balances: Boolean(has.fetchBalance),
    myTrades: Boolean(has.fetchMyTrades),
    withdraw: Boolean(has.withdraw),
    depositWithdrawFees: Boolean(has.fetchDepositWithdrawFees),
    websocket: hasExchangeClass(id, true),
    declared: declaredCapabilities(ex),
    ...(notes.length > 0 ? {note: notes[0]} : {}),
  };
}

/** Computes the matrix for the given exchange ids (sorted in the result). */
export async function probeExchanges(ids: readonly string[], onEach?: (id: string) => void): Promise<CapabilityMatrix> {
  const exchanges: Record<string, Capability> = {};
  for (const id of [...ids].sort()) {
    onEach?.(id);
    exchanges[id] = await probeExchange(id);
  }
  return {ccxtVersion: ccxtVersion(), exchanges};
}
