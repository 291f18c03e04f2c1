/**
 * `xarb order` end to end: the built CLI in a temp XARB_HOME against loopback
 * servers speaking binance and kraken to the real ccxt classes (live mode),
 * with faults injected on the create-order endpoint.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {openHomeJournal} from '../support/postgres.js';
import {json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';

const ENV = {
  XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_KRAKEN_API_KEY: TEST_ACCOUNTS.kraken.apiKey,
  XARB_KRAKEN_SECRET: TEST_ACCOUNTS.kraken.secret,
};

const CREATE = {binance: 'POST /api/v3/order', kraken: 'POST /0/private/AddOrder'} as const;

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  delete s.venues.okx;
  return s as LoopbackScenario;
}

function homeFor(loop: LoopbackHandle, risk: unknown = {}, timeoutMs = 10_000): string {
  return tempHome({
    valuationQuote: 'USDT',
    venues: {
      binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}, priority: 1, timeoutMs},
      // ccxt throttles kraken to about one request a second; the loopback does not need that.
      kraken: {exchange: 'kraken', mode: 'live', apiBaseUrl: loop.baseUrl('kraken'), priority: 2, timeoutMs, options: {rateLimit: 20}},
    },
    risk,
  });
}

function journal<T>(home: string, read: (db: Db) => T): T {
  const db = openHomeJournal(home);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function venueOrders(loop: LoopbackHandle, venue: 'binance' | 'kraken') {
  return loop.state(venue).accounts.get(TEST_ACCOUNTS[venue].apiKey)!.orders;
}

function creates(loop: LoopbackHandle, venue: 'binance' | 'kraken'): number {
  const [method, path] = CREATE[venue].split(' ');
  return loop.requests(venue).filter((r) => r.method === method && r.path === path).length;
}

describe('xarb order against loopback venues (live)', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
  });
  afterAll(async () => loop?.close());
  beforeEach(() => {
    loop.clearFaults();
    loop.clearRequests();
  });

  it('live venues need --yes without a terminal: exit 2 and nothing sent', async () => {
    const home = homeFor(loop);
    const r = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'binance'], {home, env: ENV});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(creates(loop, 'binance')).toBe(0);
  });

  it('places a routed order: the journal holds the venue order id, status and fills', async () => {
    const home = homeFor(loop);
    const r = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--route', 'best_price', '--venues', 'binance', '--yes', '--json'], {home, env: ENV});
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    expect(report.status).toBe('done');
    expect(report.orders[0]).toMatchObject({venue: 'binance', status: 'closed', filled: '0.01', mode: 'live'});
    expect(creates(loop, 'binance')).toBe(1);
    const sent = loop.requests('binance').find((q) => q.method === 'POST' && q.path === '/api/v3/order')!;
    expect(sent.params.newClientOrderId).toBe(report.orders[0].clientOrderId);
    const fills = journal(home, (db) => db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM fills').get()!.n);
    expect(fills).toBeGreaterThan(0);
  });

  for (const venue of ['binance', 'kraken'] as const) {
    it(`${venue}: accepted then answer lost -> exactly one create request, the journal ends with the venue's truth`, async () => {
      const home = homeFor(loop);
      const symbol = venue === 'binance' ? 'BTC/USDT' : 'BTC/USD';
      loop.fault(venue, CREATE[venue], {kind: 'answerLost'});
      const r = await runCli(['order', 'buy', symbol, '0.01', '--venue', venue, '--yes', '--json'], {home, env: ENV});
      expect(r.code, r.stderr).toBe(0);
      const report = json(r);
      expect(creates(loop, venue)).toBe(1);
      const order = report.orders[0];
      expect(order).toMatchObject({status: 'closed', filled: '0.01'});
      const onVenue = venueOrders(loop, venue).find((o) => o.clientOrderId === order.clientOrderId)!;
      expect(onVenue).toBeDefined();
      expect(order.venueOrderId).toBe(String(onVenue.id));
      const events = journal(home, (db) => db.prepare<{kind: string}>('SELECT kind FROM events WHERE ref = ? ORDER BY id').all([order.clientOrderId]).map((e) => e.kind));
      expect(events).toEqual(['order.written', 'order.sent', 'order.unknown', 'order.resolved']);
    });
  }

  it('a timeout that never reached the venue stays unknown (exit 4) and is never re-sent', async () => {
    const home = homeFor(loop, {}, 1500);
    loop.fault('binance', CREATE.binance, {kind: 'timeout', apply: false});
    const r = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'binance', '--yes', '--json'], {home, env: {...ENV}, timeoutMs: 120_000});
    expect(r.code, r.stderr).toBe(4);
    const report = json(r);
    expect(report.status).toBe('unknown');
    expect(report.orders[0].status).toBe('unknown');
    expect(creates(loop, 'binance')).toBe(1);
    const cid = report.orders[0].clientOrderId;
    expect(venueOrders(loop, 'binance').some((o) => o.clientOrderId === cid)).toBe(false);
  });

  it('a definite refusal (bad keys) ends rejected; --route priority fails over to the next venue', async () => {
    const home = homeFor(loop);
    const env = {...ENV, XARB_BINANCE_SECRET: 'not-the-secret'};
    const r = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--route', 'priority', '--yes', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    expect(report.orders.map((o: any) => [o.venue, o.status])).toEqual([
      ['binance', 'rejected'],
      ['kraken', 'closed'],
    ]);
    expect(report.status).toBe('done');
    expect(creates(loop, 'kraken')).toBe(1);
    const single = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'binance', '--yes', '--json'], {home, env});
    expect(single.code, single.stderr).toBe(4);
    expect(json(single).status).toBe('failed');
  });
});
