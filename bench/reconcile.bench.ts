/**
 * Reconcile of N journalled orders and 2N fills against an in-process venue
 * holding the same (test/support/reconcile-venue.ts: no network, so every
 * millisecond here is local work: reading the journal, diffing, writing the
 * run record). Journal on a file (WAL) like a user's. 95 % of the orders are
 * closed, 5 % open. Each timed run compares the whole history (--since
 * before the first order), so every order and fill is compared every time.
 *
 * Target: 10,000 orders + 20,000 fills < 3 s wall. Prints the median of runs
 * for 1k / 5k / 10k, plus the pure diff alone and the journal read alone.
 *
 * Then the same against a loopback binance through the real ccxt class (HTTP,
 * signing, ccxt parsing, per-market listing): 1,000 closed orders with one
 * trade each over two markets (the loopback pages at 500 per market), the
 * journal first brought in line by a `--fix` run, to show where the time goes
 * when a venue is really called.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {openDb, type Db} from '../src/core/journal/db.js';
import {OrdersRepo} from '../src/core/journal/orders.js';
import {diffVenue} from '../src/core/reconcile/diff.js';
import {reconcile} from '../src/core/reconcile/reconcile.js';
import type {Trade, VenueOrder} from '../src/core/types.js';
import {FakeAccountVenue} from '../test/support/reconcile-venue.js';
import {createVenue} from '../src/core/venues/factory.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackScenario} from '../test/support/loopback/index.js';
import {median, row} from './lib.js';

const T0 = 1_700_000_000_000;

function seed(db: Db, venue: FakeAccountVenue, n: number): void {
  const clock = {now: () => T0 + n * 1000};
  const orders = new OrdersRepo(db, clock);
  db.tx(() => {
    for (let i = 0; i < n; i++) {
      const open = i % 20 === 0;
      const ts = T0 + i * 100;
      const vid = `V${i}`;
      const cid = `c${i.toString(16).padStart(31, '0')}`;
      const filled = open ? '0' : '0.02';
      const o = orders.insert({
        venue: 'bench', clientOrderId: cid, symbol: i % 2 ? 'BTC/USD' : 'ETH/USD', quote: 'USD', side: i % 3 ? 'buy' : 'sell', type: 'limit',
        amount: '0.02', price: '100.5', notional: '2.01', mode: 'live', status: open ? 'open' : 'closed', venueOrderId: vid, filled,
        ...(open ? {} : {average: '100.5'}), createdAt: ts,
      });
      const vo: VenueOrder = {
        id: vid, clientOrderId: cid, symbol: o.symbol, side: o.side, type: 'limit', status: open ? 'open' : 'closed', amount: '0.02', filled,
        price: '100.5', average: open ? undefined : '100.5', fees: [], timestamp: ts,
      };
      venue.orders.push(vo);
      // Two fills per order (open orders included, as partial fills of other orders would be): 2N fills.
      const trades: Trade[] = [0, 1].map((k) => ({
        id: `T${i}-${k}`, orderId: vid, clientOrderId: cid, symbol: o.symbol, side: o.side, price: '100.5', amount: '0.01',
        fee: {cost: '0.001', currency: 'USD'}, takerOrMaker: 'taker', timestamp: ts + k,
      }));
      if (!open) {
        orders.recordFills('bench', trades, {orderId: o.id});
        venue.trades.push(...trades);
      } else {
        // Fills of an open order would make it partial; give open orders' fills to an earlier closed order's twin instead.
        const extra: Trade[] = trades.map((t) => ({...t, id: `X${t.id}`, orderId: 'V1', clientOrderId: undefined}));
        orders.recordFills('bench', extra);
        venue.trades.push(...extra);
      }
    }
  });
}

async function measure(n: number, runs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xarb-bench-reconcile-'));
  const db = openDb(join(dir, 'journal.db'));
  const venue = new FakeAccountVenue('bench');
  seed(db, venue, n);
  const fills = (db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM fills').get()!).n;
  let t = T0 + n * 1000;
  const clock = {now: () => (t += 1)};
  const run = () => reconcile({db, clock, venues: ['bench'], openVenue: async () => venue, fix: false, since: T0 - 1, balanceGuardMs: 0});
  const first = await run();
  const v = first.venues[0]!;
  if (v.discrepancies.length > 0 || v.ordersSynced !== n) throw new Error(`bench setup is not in line: ${JSON.stringify(v.discrepancies.slice(0, 3))} orders ${v.ordersSynced}`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  row(`reconcile ${n.toLocaleString('en-US')} orders + ${fills.toLocaleString('en-US')} fills (compared ${v.fillsSynced})`, `${median(times).toFixed(0)} ms`, n === 10_000 ? '< 3000 ms' : undefined);

  // Local parts alone: the journal read and the pure diff.
  const orders = new OrdersRepo(db, clock);
  const readTimes: number[] = [];
  const diffTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r0 = performance.now();
    const jo = [...orders.list({venue: 'bench', open: true, limit: 1e9}), ...orders.list({venue: 'bench', since: T0 - 1, limit: 1e9})];
    const jf = orders.fills({venue: 'bench', since: T0 - 1, limit: 1e9});
    readTimes.push(performance.now() - r0);
    const unique = [...new Map(jo.map((o) => [o.clientOrderId, o])).values()];
    const d0 = performance.now();
    diffVenue(
      {venue: 'bench', orders: unique, fills: jf},
      {venue: 'bench', openOrders: venue.orders.filter((o) => o.status === 'open'), closedOrders: venue.orders.filter((o) => o.status !== 'open'), trades: venue.trades, lookups: new Map()},
      {since: T0 - 1, now: t, graceMs: 60_000},
    );
    diffTimes.push(performance.now() - d0);
  }
  row(`  of which journal read (orders + fills)`, `${median(readTimes).toFixed(0)} ms`);
  row(`  of which pure diff`, `${median(diffTimes).toFixed(0)} ms`);
  db.close();
  rmSync(dir, {recursive: true, force: true});
}

async function measureLoopback(n: number, runs: number): Promise<void> {
  const scenario = structuredClone(defaultScenario()) as any;
  delete scenario.venues.kraken;
  delete scenario.venues.okx;
  const start = Date.now() - n * 1000;
  scenario.venues.binance.accounts[0].balances = {BTC: '1000', ETH: '10000', USDT: '100000000'};
  scenario.venues.binance.accounts[0].orders = Array.from({length: n}, (_, i) => ({
    symbol: i % 2 ? 'BTC/USDT' : 'ETH/USDT', side: 'buy', type: 'limit', amount: '0.01', price: i % 2 ? '60000' : '3000',
    clientOrderId: `seed${i}`, status: 'closed', timestamp: start + i * 1000,
  }));
  const loop = await startLoopback({scenario: scenario as LoopbackScenario});
  const dir = mkdtempSync(join(tmpdir(), 'xarb-bench-reconcile-loop-'));
  const db = openDb(join(dir, 'journal.db'));
  const clock = {now: () => Date.now()};
  const env = {XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey, XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret};
  const venue = await createVenue('binance', {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance')}, {db, clock, env});
  try {
    const base = {db, clock, venues: ['binance'], openVenue: async () => venue, since: start - 1, balanceGuardMs: 0};
    const t0 = performance.now();
    const imported = await reconcile({...base, fix: true});
    const importMs = performance.now() - t0;
    if (imported.venues[0]!.status === 'failed') throw new Error(JSON.stringify(imported.venues[0]!.error));
    const times: number[] = [];
    let last = imported;
    for (let i = 0; i < runs; i++) {
      loop.clearRequests();
      const r0 = performance.now();
      last = await reconcile({...base, fix: false});
      times.push(performance.now() - r0);
    }
    const v = last.venues[0]!;
    if (v.status === 'failed') throw new Error(JSON.stringify(v.error));
    if (v.discrepancies.length > 0) throw new Error(`loopback bench not in line: ${JSON.stringify(v.discrepancies.slice(0, 3))}`);
    row(`loopback binance (ccxt): import ${n.toLocaleString('en-US')} external orders + fills (--fix)`, `${importMs.toFixed(0)} ms`);
    row(`loopback binance (ccxt): reconcile ${v.ordersSynced} orders + ${v.fillsSynced} fills, ${loop.requests('binance').length} requests`, `${median(times).toFixed(0)} ms`);
  } finally {
    await venue.close();
    db.close();
    await loop.close();
    rmSync(dir, {recursive: true, force: true});
  }
}

if (process.argv[2] !== 'loopback') for (const [n, runs] of [[1_000, 9], [5_000, 5], [10_000, 5]] as const) await measure(n, runs);
await measureLoopback(1_000, 5);
