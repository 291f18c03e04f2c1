/**
 * CcxtVenue against the loopback servers: the real ccxt binance, kraken and
 * okx classes pointed at 127.0.0.1 through apiBaseUrl, with signed requests.
 * Runs the shared Venue contract (public and private halves) for each, plus
 * adapter-specific checks: the markets cache, XBT naming, error mapping
 * through a gateway URL, client ids on the wire, lost answers, websockets.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {VenueConfig} from '../../src/core/config/schema.js';
import {
  ExitCode,
  InsufficientFundsError,
  NotSupportedError,
  UsageError,
  VenueAuthError,
  VenueUnavailableError,
} from '../../src/core/errors.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {systemClock} from '../../src/core/types.js';
import {createCcxtVenue, type CcxtCredentials} from '../../src/core/venues/ccxt/index.js';
import type {Venue} from '../../src/core/venues/port.js';
import {TEST_ACCOUNTS, startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {venueContract} from './venue-contract.js';

let loopback: Promise<LoopbackHandle> | undefined;
const loop = () => (loopback ??= startLoopback());

afterAll(async () => {
  if (loopback) await (await loopback).close();
});

type Dialect = 'binance' | 'kraken' | 'okx';

const credentials: Record<Dialect, CcxtCredentials> = {
  binance: {apiKey: TEST_ACCOUNTS.binance.apiKey, secret: TEST_ACCOUNTS.binance.secret},
  kraken: {apiKey: TEST_ACCOUNTS.kraken.apiKey, secret: TEST_ACCOUNTS.kraken.secret},
  okx: {apiKey: TEST_ACCOUNTS.okx.apiKey, secret: TEST_ACCOUNTS.okx.secret, password: TEST_ACCOUNTS.okx.passphrase},
};

/** Top of book in the default scenario (ladder(mid, tick, ...) -> mid -/+ tick). */
const subjects: Record<Dialect, {symbol: string; bid: number; ask: number}> = {
  binance: {symbol: 'BTC/USDT', bid: 59_999.5, ask: 60_000.5},
  kraken: {symbol: 'BTC/USD', bid: 60_009.5, ask: 60_010.5},
  okx: {symbol: 'BTC/USDT', bid: 59_994.5, ask: 59_995.5},
};

function config(handle: LoopbackHandle, exchange: Dialect, extra: Partial<VenueConfig> = {}): VenueConfig {
  return {
    exchange,
    mode: 'live',
    apiBaseUrl: handle.baseUrl(exchange),
    // ccxt's limiter stays on; its interval is shortened for a local server.
    options: {rateLimit: 1},
    ...extra,
  };
}

async function venueOn(exchange: Dialect, options: {keys?: CcxtCredentials | false; db?: Db; extra?: Partial<VenueConfig>; name?: string; timeoutMs?: number} = {}): Promise<Venue> {
  const handle = await loop();
  const keys = options.keys === false ? undefined : (options.keys ?? credentials[exchange]);
  return createCcxtVenue(options.name ?? exchange, config(handle, exchange, options.extra), {
    clock: systemClock,
    ...(keys ? {credentials: keys} : {}),
    ...(options.db ? {db: options.db} : {}),
    ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
  });
}

for (const exchange of ['binance', 'kraken', 'okx'] as const) {
  const {symbol, bid, ask} = subjects[exchange];
  venueContract(`ccxt ${exchange} on loopback (public)`, async () => {
    const venue = await venueOn(exchange, {keys: false, name: `${exchange}-public`});
    return {venue, symbol, canTrade: false, expectations: {bid, ask}, cleanup: () => venue.close()};
  });
  venueContract(`ccxt ${exchange} on loopback (private)`, async () => {
    const venue = await venueOn(exchange);
    // ccxt does not classify kraken's "EOrder:Duplicate order", so the adapter treats it as an unknown outcome.
    const expectations = exchange === 'kraken' ? ({duplicateClientOrderId: 'outcome-unknown'} as const) : {};
    return {venue, symbol, canTrade: true, expectations, cleanup: () => venue.close()};
  });
}

describe('CcxtVenue specifics on loopback', () => {
  let handle: LoopbackHandle;
  const open: Venue[] = [];
  const track = <T extends Venue>(venue: T): T => {
    open.push(venue);
    return venue;
  };

  beforeAll(async () => {
    handle = await loop();
  });

  afterAll(async () => {
    await Promise.all(open.map((v) => v.close()));
  });

  it('serves markets from the journal cache: a second instance makes no markets request', async () => {
    const db = openDb(':memory:');
    try {
      for (const [exchange, path] of [
        ['binance', '/api/v3/exchangeInfo'],
        ['kraken', '/0/public/AssetPairs'],
        ['okx', '/api/v5/public/instruments'],
      ] as const) {
        handle.clearRequests(exchange);
        const first = track(await venueOn(exchange, {keys: false, db, name: `${exchange}-cache`}));
        const markets = await first.loadMarkets();
        expect(handle.requests(exchange).filter((r) => r.path === path).length).toBeGreaterThan(0);
        handle.clearRequests(exchange);
        const second = track(await venueOn(exchange, {keys: false, db, name: `${exchange}-cache`}));
        expect(await second.loadMarkets()).toEqual(markets);
        await second.fetchOrderBook(subjects[exchange].symbol, 5);
        const seen = handle.requests(exchange).map((r) => r.path);
        expect(seen).not.toContain(path);
        expect(seen.length).toBeGreaterThan(0);
        // Another exchange setup (here: a different base URL) does not reuse the payload.
        handle.clearRequests(exchange);
        const moved = track(
          await createCcxtVenue(`${exchange}-cache`, config(handle, exchange, {apiBaseUrl: `${handle.baseUrl(exchange)}/`}), {clock: systemClock, db}),
        );
        await moved.loadMarkets();
        expect(handle.requests(exchange).map((r) => r.path)).toContain(path);
      }
    } finally {
      db.close();
    }
  });

  it('refetches markets once the TTL has passed', async () => {
    const db = openDb(':memory:');
    try {
      let now = Date.now();
      const clock = {now: () => now};
      const make = () => createCcxtVenue('binance-ttl', config(handle, 'binance', {marketsTtlSec: 60}), {clock, db});
      await track(await make()).loadMarkets();
      handle.clearRequests('binance');
      now += 59_000;
      await track(await make()).loadMarkets();
      expect(handle.requests('binance').map((r) => r.path)).not.toContain('/api/v3/exchangeInfo');
      now += 2_000;
      await track(await make()).loadMarkets();
      expect(handle.requests('binance').map((r) => r.path)).toContain('/api/v3/exchangeInfo');
    } finally {
      db.close();
    }
  });

  it('kraken XBT pairs come out as BTC/USD with the native id kept', async () => {
    const kraken = track(await venueOn('kraken', {keys: false, name: 'kraken-xbt'}));
    const markets = await kraken.loadMarkets();
    const btc = markets.find((m) => m.symbol === 'BTC/USD');
    expect(btc?.id).toMatch(/XBT/);
    expect(markets.some((m) => m.symbol.includes('XBT'))).toBe(false);
    const balances = await track(await venueOn('kraken', {name: 'kraken-xbt-keys'})).fetchBalances();
    expect(balances.map((b) => b.asset)).toContain('BTC');
  });

  it('a wrong secret gives VenueAuthError, and the secret is not in the message', async () => {
    const wrong: Record<Dialect, CcxtCredentials> = {
      binance: {apiKey: credentials.binance.apiKey, secret: 'not-the-binance-secret'},
      kraken: {apiKey: credentials.kraken.apiKey, secret: Buffer.from('not-the-kraken-secret').toString('base64')},
      okx: {apiKey: credentials.okx.apiKey, secret: 'not-the-okx-secret', password: credentials.okx.password!},
    };
    for (const exchange of ['binance', 'kraken', 'okx'] as const) {
      const venue = track(await venueOn(exchange, {keys: wrong[exchange], name: `${exchange}-wrong`}));
      const error = await venue.fetchBalances().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, exchange).toBeInstanceOf(VenueAuthError);
      expect((error as VenueAuthError).exitCode).toBe(ExitCode.venueFailed);
      expect((error as Error).message).not.toContain(wrong[exchange].secret);
      expect((error as Error).message).not.toContain(wrong[exchange].apiKey);
    }
  });

  it('a 5xx, a 429 and a timeout give VenueUnavailableError', async () => {
    const venue = track(await venueOn('binance', {name: 'binance-faults', timeoutMs: 300}));
    await venue.loadMarkets();
    handle.fault('binance', 'GET /api/v3/depth', {kind: 'serverError', status: 503});
    await expect(venue.fetchOrderBook('BTC/USDT')).rejects.toBeInstanceOf(VenueUnavailableError);
    handle.fault('binance', 'GET /api/v3/depth', {kind: 'rateLimit', retryAfterSeconds: 2});
    const limited = await venue.fetchOrderBook('BTC/USDT').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(VenueUnavailableError);
    expect((limited as VenueUnavailableError).retryAfterMs).toBe(2000);
    handle.fault('binance', 'GET /api/v3/account', {kind: 'timeout'});
    await expect(venue.fetchBalances()).rejects.toBeInstanceOf(VenueUnavailableError);
    handle.fault('kraken', '/0/public/Depth', {kind: 'malformed'});
    const kraken = track(await venueOn('kraken', {keys: false, name: 'kraken-faults'}));
    await expect(kraken.fetchOrderBook('BTC/USD')).rejects.toBeInstanceOf(VenueUnavailableError);
    handle.clearFaults();
  });

  it('binance insufficient balance through apiBaseUrl gives InsufficientFundsError', async () => {
    const venue = track(await venueOn('binance', {name: 'binance-funds'}));
    await venue.loadMarkets();
    const error = await venue
      .createOrder({symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '50', price: '70000', clientOrderId: 'xfunds1'})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientFundsError);
  });

  it("sends our clientOrderId in each venue's own field", async () => {
    // ccxt's okx class places single orders through batch-orders (a JSON array body).
    const sent: Record<Dialect, [path: string, field: (params: Readonly<Record<string, unknown>>) => unknown]> = {
      binance: ['/api/v3/order', (p) => p.newClientOrderId],
      kraken: ['/0/private/AddOrder', (p) => p.cl_ord_id],
      okx: ['/api/v5/trade/batch-orders', (p) => (p.batch as Record<string, unknown>[] | undefined)?.[0]?.clOrdId],
    };
    for (const exchange of ['binance', 'kraken', 'okx'] as const) {
      const venue = track(await venueOn(exchange, {name: `${exchange}-cid`}));
      const symbol = subjects[exchange].symbol;
      handle.clearRequests(exchange);
      const clientOrderId = `xcid${exchange.slice(0, 3)}1`;
      const order = await venue.createOrder({symbol, side: 'buy', type: 'limit', amount: '0.001', price: '30000', clientOrderId});
      expect(order.clientOrderId).toBe(clientOrderId);
      expect(order.status).toBe('open');
      const [path, field] = sent[exchange];
      const creates = handle.requests(exchange).filter((r) => r.method === 'POST' && r.path === path);
      expect(creates).toHaveLength(1);
      expect(field(creates[0]!.params)).toBe(clientOrderId);
      expect(await venue.cancelOrder({clientOrderId}, symbol)).toMatchObject({status: 'canceled', clientOrderId});
      expect(await venue.cancelOrder({clientOrderId: `${clientOrderId}nope`}, symbol)).toBeUndefined();
    }
  });

  it('a lost create answer is outcome-unknown; the order is then found by clientOrderId, sent once', async () => {
    for (const [exchange, pattern] of [
      ['binance', 'POST /api/v3/order'],
      ['kraken', 'POST /0/private/AddOrder'],
      ['okx', 'POST /api/v5/trade/batch-orders'],
    ] as const) {
      const venue = track(await venueOn(exchange, {name: `${exchange}-lost`}));
      const symbol = subjects[exchange].symbol;
      await venue.loadMarkets();
      handle.clearRequests(exchange);
      handle.fault(exchange, pattern, {kind: 'answerLost'});
      const clientOrderId = `xlost${exchange.slice(0, 3)}1`;
      await expect(venue.createOrder({symbol, side: 'buy', type: 'limit', amount: '0.001', price: '30000', clientOrderId})).rejects.toBeInstanceOf(VenueUnavailableError);
      const found = await venue.fetchOrder({clientOrderId}, symbol);
      expect(found?.status, exchange).toBe('open');
      expect(handle.requests(exchange).filter((r) => `${r.method} ${r.path}` === pattern)).toHaveLength(1);
      await venue.cancelOrder({clientOrderId}, symbol);
    }
  });

  it('an unknown exchange id is a usage error (exit 2)', async () => {
    const error = await createCcxtVenue('nope', {exchange: 'notanexchange', mode: 'live'}, {clock: systemClock}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    await expect(createCcxtVenue('dots', {exchange: '../ccxt', mode: 'live'}, {clock: systemClock})).rejects.toBeInstanceOf(UsageError);
  });

  it('sandbox on an exchange without one is a usage error; with one it switches to the test URLs', async () => {
    await expect(createCcxtVenue('k', {exchange: 'kraken', mode: 'live', sandbox: true}, {clock: systemClock})).rejects.toBeInstanceOf(UsageError);
    const venue = track(await createCcxtVenue('b', {exchange: 'binance', mode: 'live', sandbox: true, apiBaseUrl: handle.baseUrl('binance'), options: {rateLimit: 1}}, {clock: systemClock}));
    expect(venue.info.sandbox).toBe(true);
    handle.clearRequests('binance');
    await venue.loadMarkets();
    expect(handle.requests('binance').map((r) => r.path)).toContain('/api/v3/exchangeInfo');
  });

  it('reports latency per successful request', async () => {
    const seen: string[] = [];
    const venue = track(
      await createCcxtVenue('binance-latency', config(handle, 'binance'), {clock: systemClock, onLatency: (op, ms) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        seen.push(op);
      }}),
    );
    await venue.fetchQuotes(['BTC/USDT']);
    expect(seen).toEqual(['loadMarkets', 'fetchBidsAsks']);
  });

  it('streams binance order books over websockets until aborted', async () => {
    const venue = track(await venueOn('binance', {keys: false, name: 'binance-ws', extra: {wsBaseUrl: handle.wsUrl('binance')}}));
    expect(venue.info.capabilities.orderBookStream).toBe(true);
    const controller = new AbortController();
    const books = [];
    for await (const book of venue.watchOrderBook!('BTC/USDT', 5, controller.signal)) {
      books.push(book);
      expect(book.symbol).toBe('BTC/USDT');
      expect(book.bids.length).toBeGreaterThan(0);
      expect(book.bids.length).toBeLessThanOrEqual(5);
      expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
      // The server pushes a diff on every book change; move the top once, then stop.
      if (books.length === 1) handle.state('binance').setBook('BTC/USDT', {bids: [[60_000, 1], ...book.bids], asks: [...book.asks]});
      if (books.length === 2) controller.abort();
    }
    expect(books).toHaveLength(2);
    expect(books[0]!.bids[0]).toEqual([59_999.5, 0.5]);
    expect(books[1]!.bids.slice(0, 2)).toEqual([[60_000, 1], [59_999.5, 0.5]]);
  });

  it('withdraws and lists transfers; a withdrawal to a sibling venue arrives there as a deposit', async () => {
    const kraken = track(await venueOn('kraken', {name: 'kraken-transfers'}));
    const krakenAddress = await kraken.fetchDepositAddress!('USDT', 'ERC20');
    for (const exchange of ['binance', 'okx'] as const) {
      const venue = track(await venueOn(exchange, {name: `${exchange}-transfers`}));
      const before = (await kraken.fetchDeposits!('USDT')).length;
      const sent = await venue.withdraw!({asset: 'USDT', amount: '100', address: krakenAddress.address, network: 'ERC20'});
      expect(sent).toMatchObject({kind: 'withdrawal', asset: 'USDT', amount: '100', address: krakenAddress.address, network: 'ERC20'});
      const listed = (await venue.fetchWithdrawals!('USDT')).find((t) => t.id === sent.id);
      expect(listed).toMatchObject({kind: 'withdrawal', asset: 'USDT', amount: '100', status: 'ok', fee: {cost: '5', currency: 'USDT'}});
      const deposits = await kraken.fetchDeposits!('USDT');
      expect(deposits.length, exchange).toBe(before + 1);
      expect(deposits.every((d) => d.kind === 'deposit' && d.asset === 'USDT')).toBe(true);
    }
  });

  it('offers optional methods only where ccxt has them', async () => {
    const binance = track(await venueOn('binance', {name: 'binance-optional'}));
    // binance needs a symbol for order history; say so instead of failing obscurely.
    await expect(binance.fetchClosedOrders()).rejects.toBeInstanceOf(NotSupportedError);
    await expect(binance.fetchMyTrades()).rejects.toBeInstanceOf(NotSupportedError);
    expect(Array.isArray(await binance.fetchOpenOrders())).toBe(true);
    // A REST gateway without a websocket one: no streaming that would bypass it.
    expect(binance.info.capabilities.orderBookStream).toBe(false);
    expect(binance.watchOrderBook).toBeUndefined();
    expect(typeof binance.withdraw).toBe('function');
    expect(typeof binance.fetchDeposits).toBe('function');
    expect(await binance.fetchPositions!()).toEqual([]); // spot only
    const address = await binance.fetchDepositAddress!('USDT', 'TRC20');
    expect(address).toMatchObject({asset: 'USDT', network: 'TRC20', address: 'TLoopbackBinanceTrc20Address000001'});
    const currencies = await binance.fetchCurrencies();
    const usdt = currencies.find((c) => c.code === 'USDT');
    expect(usdt?.networks.find((n) => n.network === 'TRC20')).toMatchObject({withdrawFee: 1, withdrawMin: 10, withdrawEnabled: true});
  });
});
