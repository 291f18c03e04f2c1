/**
 * Live orders are refused where our client id cannot round-trip (the
 * capability matrix says bitso has no lookup by client id): exit 2 with the
 * reason and the opt-out, before any request. A local server counts what
 * reaches it; with the documented opt-out the order is sent.
 *
 * Routed over several venues (a binance loopback and a bitso one that quotes
 * the better price), the plan is refused as soon as it is routed: nothing is
 * journalled, confirmed or sent anywhere, and --dry-run says it would be.
 */
import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {capabilityOf} from '../../src/core/venues/ccxt/capabilities.js';
import {json, runCli, tempHome} from '../support/cli.js';
import {startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';

const ENV = {XARB_COIN_API_KEY: 'dummy-key-not-real', XARB_COIN_SECRET: 'dummy-secret-not-real'};

describe('live orders on a venue whose client id does not round-trip', () => {
  let server: Server;
  let baseUrl: string;
  let seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(503, {'content-type': 'application/json'});
      res.end('{"error":"unavailable"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen = [];
  });

  const home = (extra: Record<string, unknown> = {}) =>
    tempHome({valuationQuote: 'USDT', venues: {coin: {exchange: 'bitso', mode: 'live', apiBaseUrl: baseUrl, timeoutMs: 2000, ...extra}}});

  it('the matrix says bitso cannot find an order by our id', () => {
    expect(capabilityOf('bitso')).toMatchObject({clientIdRoundTrip: false, certified: false});
  });

  it('exits 2 with why and what to do, and sends nothing', async () => {
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'coin', '--yes'], {home: home(), env: ENV});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: coin: live orders are refused: bitso cannot find an order by our client id/m);
    expect(result.stderr).toContain('allowLiveWithoutIdempotency=true');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(seen).toEqual([]);
  });

  it('with the opt-out the order goes to the venue', async () => {
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'coin', '--yes', '--json'], {home: home({allowLiveWithoutIdempotency: true}), env: ENV});
    expect(result.code).not.toBe(2);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('xarb exchanges capabilities shows it', async () => {
    const result = await runCli(['exchanges', 'capabilities', 'bitso', '--json'], {home: tempHome()});
    expect(result.code).toBe(0);
    const report = json(result);
    expect(report.exchanges).toHaveLength(1);
    expect(report.exchanges[0]).toMatchObject({id: 'bitso', clientIdRoundTrip: false, declared: capabilityOf('bitso')!.declared});
    // The one-exchange view also shows what ccxt's class declares about itself.
    const human = await runCli(['exchanges', 'capabilities', 'bitso'], {home: tempHome()});
    expect(human.stdout).toMatch(/ccxt: fetchOrder by client id\s*│\s*(yes|no)/);
    expect(human.stdout).toMatch(/ccxt: market buy by cost\s*│\s*(yes|no)/);
    const unknown = await runCli(['exchanges', 'capabilities', 'nosuchexchange'], {home: tempHome()});
    expect(unknown.code).toBe(2);
  });
});

/** bitso's public books, its order book and balances as the real API answers them (v3), for routing; orders answer 503. */
function bitsoServer(seen: string[]): Server {
  const ok = (payload: unknown) => JSON.stringify({success: true, payload});
  return createServer((req: IncomingMessage, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/^\/api/, '').replace(/\/$/, '');
    seen.push(`${req.method} ${path}`);
    let body: string | undefined;
    if (req.method === 'GET' && path === '/v3/catalogues') {
      body = ok({currencies: {metadata: [{code: 'btc', full_name: 'Bitcoin', precision: 8, type: 'crypto'}, {code: 'usdt', full_name: 'USDT', precision: 2, type: 'crypto'}]}});
    } else if (req.method === 'GET' && path === '/v3/available_books') {
      body = ok([
        {
          book: 'btc_usdt',
          minimum_price: '1',
          maximum_price: '10000000',
          minimum_amount: '0.00001',
          maximum_amount: '500',
          minimum_value: '1',
          maximum_value: '10000000',
          tick_size: '0.01',
          fees: {flat_rate: {maker: '0.100', taker: '0.100'}, structure: []},
        },
      ]);
    } else if (req.method === 'GET' && path === '/v3/order_book') {
      body = ok({
        asks: [{book: 'btc_usdt', price: '59000', amount: '1'}],
        bids: [{book: 'btc_usdt', price: '58990', amount: '1'}],
        updated_at: new Date().toISOString(),
        sequence: '1',
      });
    } else if (req.method === 'GET' && path === '/v3/balance') {
      body = ok({balances: [{currency: 'usdt', available: '100000', locked: '0', total: '100000'}, {currency: 'btc', available: '1', locked: '0', total: '1'}]});
    }
    res.writeHead(body ? 200 : 503, {'content-type': 'application/json'});
    res.end(body ?? '{"success":false,"error":{"code":"0201","message":"unavailable"}}');
  });
}

describe('live orders routed over several venues, one of which cannot round-trip our client id', () => {
  let loop: LoopbackHandle;
  let server: Server;
  let bitsoUrl: string;
  const seen: string[] = [];
  const env = {...ENV, XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey, XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret};

  beforeAll(async () => {
    loop = await startLoopback();
    server = bitsoServer(seen);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bitsoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await loop?.close();
  });
  beforeEach(() => {
    seen.length = 0;
    loop.clearRequests();
  });

  const home = (coin: Record<string, unknown> = {}) =>
    tempHome({
      valuationQuote: 'USDT',
      venues: {
        binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), timeoutMs: 5000, options: {rateLimit: 1}},
        coin: {exchange: 'bitso', mode: 'live', apiBaseUrl: bitsoUrl, timeoutMs: 5000, options: {rateLimit: 1}, ...coin},
      },
    });
  const orderRequests = () => [...loop.requests('binance').filter((r) => r.path === '/api/v3/order').map((r) => `${r.method} ${r.path}`), ...seen.filter((r) => r.startsWith('POST') || r.startsWith('DELETE'))];

  it('refuses the routed order before journalling, confirming or sending anything: exit 2, the reason and the opt-out', async () => {
    const h = home();
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--route', 'best_price', '--yes'], {home: h, env});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: coin: live orders are refused: bitso cannot find an order by our client id/m);
    expect(result.stderr).toContain('allowLiveWithoutIdempotency=true');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // The route did read both venues (bitso's book made it the best price), then nothing was sent.
    expect(seen).toContain('GET /v3/order_book');
    expect(orderRequests()).toEqual([]);
    // Nothing journalled: no order, no plan.
    const orders = json(await runCli(['orders', '--json'], {home: h, env}));
    expect(orders.orders).toEqual([]);
  });

  it('--dry-run prints the plan and says it would be refused (exit 2), sending nothing', async () => {
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--route', 'best_price', '--dry-run', '--json'], {home: home(), env});
    expect(result.code).toBe(2);
    const report = json(result);
    expect(report.plan.children.map((c: {venue: string}) => c.venue)).toEqual(['coin']);
    expect(report.wouldBeDenied).toMatchObject({name: 'UsageError', exitCode: 2});
    expect(report.wouldBeDenied.message).toContain('coin: live orders are refused');
    expect(orderRequests()).toEqual([]);
  });

  it('a priority route whose failover includes the venue is refused up front, before the first venue is sent anything', async () => {
    const h = tempHome({
      valuationQuote: 'USDT',
      venues: {
        binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), timeoutMs: 5000, options: {rateLimit: 1}, priority: 1},
        coin: {exchange: 'bitso', mode: 'live', apiBaseUrl: bitsoUrl, timeoutMs: 5000, options: {rateLimit: 1}, priority: 2},
      },
    });
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--route', 'priority', '--yes'], {home: h, env});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('coin: live orders are refused');
    expect(orderRequests()).toEqual([]);
  });

  it('with the opt-out on that venue the routed order is sent', async () => {
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--route', 'best_price', '--yes', '--json'], {home: home({allowLiveWithoutIdempotency: true}), env});
    expect(result.code).not.toBe(2);
    expect(seen.some((r) => r.startsWith('POST'))).toBe(true);
  });
});
