/**
 * The certified venues' dialects, checked on the requests the unmodified ccxt
 * classes build through CcxtVenue: our client id in the venue's own field,
 * the lookup by client id, the keyless quote call and the market-buy cost.
 * ccxt's HTTP layer is replaced by the recording transport (every request is
 * recorded and answered `{}`), so nothing leaves the process; markets come
 * from the journal's market cache, as on a warm run.
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {VenueConfig} from '../../src/core/config/schema.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {MarketCacheRepo} from '../../src/core/journal/market-cache.js';
import {systemClock} from '../../src/core/types.js';
import {dialectFor, sameClientId, shapeClientId, unechoClientId} from '../../src/core/venues/ccxt/dialects.js';
import {MARKETS_CACHE_KIND, createCcxtVenue, marketsFingerprint} from '../../src/core/venues/ccxt/index.js';
import {loadExchangeClass} from '../../src/core/venues/ccxt/load.js';
import {DUMMY_CREDENTIALS, findInRequest, recordingTransport, syntheticMarket, type RecordedRequest} from '../../src/core/venues/ccxt/probe.js';
import {clientOrderIdFor} from '../../src/core/execution/ids.js';
import type {Venue} from '../../src/core/venues/port.js';

interface Case {
  readonly exchange: string;
  /** The venue's id for BTC/USDT. */
  readonly marketId: string;
  /** Where our id must appear in the createOrder request, and what precedes it. */
  readonly field: string;
  readonly prefix?: string;
  /** The first lookup request by client id: its path and where the id goes. */
  readonly lookupPath: RegExp;
  readonly lookupField?: string;
  /** The keyless quote request's path. */
  readonly quotePath: RegExp;
  /** The request field carrying a market buy's quote amount; undefined: the base amount is sent. */
  readonly costField?: string;
  /** The quote amount sent for a cost of 1234.567 (taker 0.001, quote step 0.01). */
  readonly costSent?: string;
}

const cases: readonly Case[] = [
  {exchange: 'binance', marketId: 'BTCUSDT', field: 'newClientOrderId', lookupPath: /\/api\/v3\/order$/, lookupField: 'origClientOrderId', quotePath: /\/api\/v3\/ticker\/bookTicker$/},
  {exchange: 'kraken', marketId: 'XBTUSDT', field: 'cl_ord_id', lookupPath: /\/0\/private\/OpenOrders$/, lookupField: 'cl_ord_id', quotePath: /\/0\/public\/Ticker$/},
  {exchange: 'okx', marketId: 'BTC-USDT', field: 'clOrdId', lookupPath: /\/api\/v5\/trade\/order$/, lookupField: 'clOrdId', quotePath: /\/api\/v5\/market\/tickers$/},
  // coinbase has no client-id filter: the order lists are searched (open first).
  {exchange: 'coinbase', marketId: 'BTC-USDT', field: 'client_order_id', lookupPath: /\/api\/v3\/brokerage\/orders\/historical\/batch$/, quotePath: /\/api\/v3\/brokerage\/market\/product_book$/, costField: 'quote_size', costSent: '1235.8'},
  {exchange: 'bybit', marketId: 'BTCUSDT', field: 'orderLinkId', lookupPath: /\/v5\/order\/realtime$/, lookupField: 'orderLinkId', quotePath: /\/v5\/market\/tickers$/},
  {exchange: 'bitget', marketId: 'BTCUSDT', field: 'clientOid', lookupPath: /\/api\/v2\/spot\/trade\/orderInfo$/, lookupField: 'clientOid', quotePath: /\/api\/v2\/spot\/market\/tickers$/, costField: 'size', costSent: '1234.56'},
  {exchange: 'gate', marketId: 'BTC_USDT', field: 'text', prefix: 't-', lookupPath: /\/api\/v4\/spot\/orders\/t-[0-9a-f]{28}$/, lookupField: '(path)', quotePath: /\/api\/v4\/spot\/order_book$/, costField: 'amount', costSent: '1234.56'},
];

let db: Db | undefined;
const venues: Venue[] = [];
afterEach(async () => {
  await Promise.all(venues.splice(0).map((v) => v.close()));
  db?.close();
  db = undefined;
});

/**
 * A venue over the real ccxt class with BTC/USDT in the market cache, and the
 * recording transport (or, with `apiBaseUrl`, real HTTP to a local server).
 */
async function open(c: Pick<Case, 'exchange' | 'marketId'>, keys: boolean, apiBaseUrl?: string) {
  db ??= openDb(':memory:');
  // ccxt's limiter stays on; a 1 ms interval keeps kraken's ~1 request/s throttle out of the test's time.
  const config: VenueConfig = {exchange: c.exchange, mode: 'live', options: {rateLimit: 1}, ...(apiBaseUrl === undefined ? {} : {apiBaseUrl})};
  const market = {...syntheticMarket({precisionMode: 4}, c.marketId), taker: 0.001, maker: 0.001};
  const payload = JSON.stringify({markets: {'BTC/USDT': market}, currencies: {}, helpers: {}});
  new MarketCacheRepo(db).put({venue: c.exchange, kind: MARKETS_CACHE_KIND, fingerprint: marketsFingerprint(config), fetchedAt: systemClock.now(), payload});
  const transport = recordingTransport();
  const credentials = keys ? {apiKey: DUMMY_CREDENTIALS.apiKey, secret: DUMMY_CREDENTIALS.secret, password: DUMMY_CREDENTIALS.password} : undefined;
  const venue = await createCcxtVenue(c.exchange, config, {db, clock: systemClock, ...(apiBaseUrl === undefined ? {transport: transport.fetch} : {}), ...(credentials ? {credentials} : {})});
  venues.push(venue);
  return {venue, requests: transport.requests};
}

const idFor = (exchange: string) => clientOrderIdFor('order-0123456789abcdef0123', 0, dialectFor(exchange).clientId.maxLength);

function carrying(requests: readonly RecordedRequest[], needle: string) {
  for (const r of requests) {
    const hit = findInRequest(r, needle);
    if (hit) return {request: r, hit};
  }
  return undefined;
}

function path(r: RecordedRequest): string {
  return new URL(r.url).pathname;
}

describe.each(cases)('$exchange', (c) => {
  it('sends our client id in the venue field, shaped to its rules', async () => {
    const {venue, requests} = await open(c, true);
    const id = idFor(c.exchange);
    await venue.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.01', price: '20000', clientOrderId: id}).catch(() => undefined);
    const found = carrying(requests, id);
    expect(found, 'no request carries our id').toBeDefined();
    expect(found!.request.method).toBe('POST');
    expect(found!.hit).toEqual({field: c.field, value: `${c.prefix ?? ''}${id}`});
    expect(id.length).toBeLessThanOrEqual(dialectFor(c.exchange).clientId.maxLength);
    // Never ccxt's own id: exactly one id-carrying field in the create request.
    expect(JSON.stringify(requests)).not.toMatch(/ccxt-[0-9a-f-]{36}/);
  });

  it('looks an order up by our client id without extra arguments', async () => {
    const {venue, requests} = await open(c, true);
    const id = idFor(c.exchange);
    // The transport answers {}: not an order (a data error) or an empty list (unknown); what matters is what was asked.
    const error = await venue.fetchOrder({clientOrderId: id}, 'BTC/USDT').then(() => undefined, (e: unknown) => e);
    if (error !== undefined) expect((error as Error).name).toBe('VenueDataError');
    const lookup = requests.find((r) => c.lookupPath.test(path(r)));
    expect(lookup, `no request to ${c.lookupPath} in ${requests.map(path).join(', ')}`).toBeDefined();
    if (c.lookupField === undefined) {
      expect(findInRequest(lookup!, id)).toBeUndefined();
    } else {
      expect(findInRequest(lookup!, id)?.field).toBe(c.lookupField);
    }
  });

  it('asks for quotes with a public call when it has no keys', async () => {
    const {venue, requests} = await open(c, false);
    await venue.fetchQuotes(['BTC/USDT']).catch(() => undefined);
    expect(requests.length).toBeGreaterThan(0);
    expect(path(requests[0]!)).toMatch(c.quotePath);
    for (const r of requests) {
      expect(Object.keys(r.headers).filter((h) => /^authorization$|sign|key|passphrase/i.test(h))).toEqual([]);
    }
  });

  it('streams quotes with a call its ccxt.pro class has', async () => {
    const call = dialectFor(c.exchange).quoteStream;
    expect(call).toBeDefined();
    expect(call).not.toBe('none');
    const Pro = await loadExchangeClass(c.exchange, true);
    expect((new Pro() as unknown as {has: Record<string, unknown>}).has[call!]).toBe(true);
  });

  it(c.costField ? 'sends a market buy as its quote amount (the cost)' : 'sends a market buy as its base amount', async () => {
    const {venue, requests} = await open(c, true);
    const id = idFor(c.exchange);
    await venue.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.05', clientOrderId: id, cost: '1234.567'}).catch(() => undefined);
    const found = carrying(requests, id);
    expect(found, 'the market buy was not sent').toBeDefined();
    const body = JSON.stringify(found!.request.body ?? '') + found!.request.url;
    if (c.costField) {
      expect(findInRequest(found!.request, c.costSent!)).toEqual({field: c.costField, value: c.costSent});
      expect(body).not.toContain('0.05');
    } else {
      expect(findInRequest(found!.request, '1234.5')).toBeUndefined();
      expect(body).toContain('0.05');
    }
  });
});

describe('bybit: an order by its venue id', () => {
  it('is looked up in the open, then the closed order lists, never through fetchOrder (which needs acknowledged)', async () => {
    const {venue, requests} = await open({exchange: 'bybit', marketId: 'BTCUSDT'}, true);
    // The transport answers {}: no such order in either list.
    await expect(venue.fetchOrder({id: '1790000000000000001'}, 'BTC/USDT')).resolves.toBeUndefined();
    const asked = requests.filter((r) => findInRequest(r, '1790000000000000001'));
    expect(asked.map((r) => [path(r), findInRequest(r, '1790000000000000001')!.field])).toEqual([
      ['/v5/order/realtime', 'orderId'],
      ['/v5/order/history', 'orderId'],
    ]);
  });
});

describe('coinbase: an unknown order', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    // What Advanced Trade answers for an order id it does not know.
    server = createServer((_req, res) => {
      res.writeHead(404, {'content-type': 'application/json'});
      res.end(JSON.stringify({error: 'NOT_FOUND', error_details: 'order with this orderID was not found', message: 'order with this orderID was not found'}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is "not known" (undefined), not a refusal, though ccxt raises a plain ExchangeError', async () => {
    const {venue} = await open({exchange: 'coinbase', marketId: 'BTC-USDT'}, true, baseUrl);
    await expect(venue.fetchOrder({id: '0b6b3e4e-0000-4000-8000-000000000000'}, 'BTC/USDT')).resolves.toBeUndefined();
  });
});

describe('client ids', () => {
  const gate = dialectFor('gate').clientId;
  const okx = dialectFor('okx').clientId;

  it('are one derivation, cut to the venue length', () => {
    const full = clientOrderIdFor('order-x', 0);
    expect(clientOrderIdFor('order-x', 0, gate.maxLength)).toBe(full.slice(0, 28));
    expect(shapeClientId(full, gate)).toBe(full.slice(0, 28));
    expect(shapeClientId(full, okx)).toBe(full);
  });

  it('match back however the venue echoes them', () => {
    const ours = clientOrderIdFor('order-x', 0, 28);
    expect(unechoClientId(`t-${ours}`, gate)).toBe(ours);
    expect(sameClientId(`t-${ours}`, ours, gate)).toBe(true);
    expect(sameClientId(ours, ours, gate)).toBe(true);
    expect(sameClientId(`t-${ours.slice(0, 20)}`, ours, gate)).toBe(true); // truncated echo
    expect(sameClientId(`t-${ours.slice(0, 8)}`, ours, gate)).toBe(false); // too short to be sure
    expect(sameClientId(`t-${'0'.repeat(28)}`, ours, gate)).toBe(false);
    expect(sameClientId(undefined, ours, okx)).toBe(false);
  });
});
