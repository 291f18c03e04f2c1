import {afterEach, describe, expect, it} from 'vitest';
import {LockHeldError, UnknownSymbolError} from '../../src/core/errors.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {acquireLock} from '../../src/core/journal/locks.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import {ReconcileRunsRepo} from '../../src/core/journal/reconcile-runs.js';
import {reconcile, type ReconcileOptions} from '../../src/core/reconcile/reconcile.js';
import type {Balance, Trade, VenueOrder} from '../../src/core/types.js';
import {FakeAccountVenue} from '../support/reconcile-venue.js';

const T0 = 1_700_000_000_000;
let db: Db | undefined;
afterEach(() => db?.close());

class ManualClock {
  t = T0;
  now = () => this.t;
}

function setup(names = ['alpha']) {
  db = openTestJournal();
  const clock = new ManualClock();
  const venues = new Map(names.map((n) => [n, new FakeAccountVenue(n)]));
  const orders = new OrdersRepo(db, clock);
  const run = (over: Partial<ReconcileOptions> = {}) =>
    reconcile({db: db!, clock, venues: names, openVenue: async (n) => venues.get(n)!, fix: false, lock: {pid: process.pid}, ...over});
  return {db, clock, venues, orders, run, venue: venues.get(names[0]!)!};
}

function vo(over: Partial<VenueOrder> & {id: string}): VenueOrder {
  return {clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy', type: 'limit', status: 'closed', amount: '1', filled: '1', price: '100', average: '100', fees: [], timestamp: T0 - 5000, ...over};
}

function trade(over: Partial<Trade> & {id: string; orderId: string}): Trade {
  return {clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy', price: '100', amount: '1', fee: {cost: '0.1', currency: 'USD'}, takerOrMaker: 'taker', timestamp: T0 - 5000, ...over};
}

const bal = (asset: string, total: string): Balance => ({asset, free: total, used: '0', total});

/** Journal and venue holding the same closed buy of 1 BTC @ 100 (fee 0.1 USD). */
function inLine(s: ReturnType<typeof setup>, cid = 'x-1', vid = '1') {
  s.orders.insert({venue: 'alpha', clientOrderId: cid, symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live', status: 'closed', venueOrderId: vid, filled: '1', average: '100', createdAt: T0 - 5000});
  s.orders.recordFills('alpha', [trade({id: `t-${vid}`, orderId: vid})]);
  s.venue.orders.push(vo({id: vid, clientOrderId: cid}));
  s.venue.trades.push(trade({id: `t-${vid}`, orderId: vid}));
}

function journalRows(d: Db) {
  return {
    orders: d.prepare('SELECT * FROM orders ORDER BY id').all(),
    fills: d.prepare('SELECT * FROM fills ORDER BY trade_id').all(),
  };
}

describe('reconcile shell', () => {
  it('in line: exit 0, watermark advanced, baseline recorded, run recorded', async () => {
    const s = setup();
    inLine(s);
    s.venue.balances = [bal('BTC', '1'), bal('USD', '899.9')];
    const r = await s.run();
    expect(r.exitCode).toBe(0);
    expect(r.status).toBe('in_line');
    expect(r.venues[0]).toMatchObject({venue: 'alpha', status: 'in_line', ordersSynced: 1, fillsSynced: 1, discrepancies: []});
    const runs = new ReconcileRunsRepo(s.db, s.clock);
    expect(runs.watermark('alpha')!.syncedUntil).toBe(T0);
    expect(runs.baseline('alpha')!.totals.get('USD')).toBe('899.9');
    expect(runs.get(r.run)).toMatchObject({status: 'in_line', exitCode: 0});
    expect(s.venue.calls).not.toContain('createOrder');
  });

  it('without --fix reports discrepancies (exit 5) and changes nothing in orders or fills', async () => {
    const s = setup();
    inLine(s);
    s.venue.orders.push(vo({id: '99', clientOrderId: 'by-hand', status: 'open', filled: '0', average: undefined}));
    s.venue.trades.push(trade({id: 't-ext', orderId: '98'}));
    s.orders.insert({venue: 'alpha', clientOrderId: 'x-lost', symbol: 'BTC/USD', quote: 'USD', side: 'sell', type: 'market', amount: '1', notional: '100', mode: 'live', status: 'unknown', createdAt: T0 - 600_000});
    s.clock.t = T0; // the unknown order was last touched 10 minutes ago: past the grace period
    const before = journalRows(s.db);
    const events = new EventsRepo(s.db, s.clock).list().length;
    const r = await s.run();
    expect(r.exitCode).toBe(5);
    expect(r.venues[0]!.discrepancies.map((d) => `${d.kind}:${d.ref}`).sort()).toEqual(['fill_missing_in_journal:t-ext', 'interrupted:x-lost', 'unknown_on_journal:ext:99']);
    expect(r.venues[0]!.discrepancies.every((d) => !d.fixed)).toBe(true);
    expect(journalRows(s.db)).toEqual(before);
    expect(new EventsRepo(s.db, s.clock).list().length).toBe(events);
    const runs = new ReconcileRunsRepo(s.db, s.clock);
    expect(runs.watermark('alpha')).toBeUndefined();
    expect(runs.openDiscrepancies()).toHaveLength(3);
  });

  it('--fix imports external orders and fills, resolves interrupted orders, records events; the next run is in line', async () => {
    const s = setup();
    inLine(s);
    // By hand on the venue.
    s.venue.orders.push(vo({id: '99', clientOrderId: 'by-hand', status: 'open', filled: '0', average: undefined}));
    // Sent, answer lost; the venue filled it in two trades.
    s.orders.insert({venue: 'alpha', clientOrderId: 'x-lost', symbol: 'BTC/USD', quote: 'USD', side: 'sell', type: 'market', amount: '1', notional: '100', mode: 'live', status: 'unknown', createdAt: T0 - 600_000});
    s.venue.orders.push(vo({id: '7', clientOrderId: 'x-lost', side: 'sell', type: 'market', price: undefined, average: '101'}));
    s.venue.trades.push(trade({id: 't-7a', orderId: '7', side: 'sell', amount: '0.4', price: '101'}), trade({id: 't-7b', orderId: '7', side: 'sell', amount: '0.6', price: '101'}));
    // Written, never sent.
    s.orders.insert({venue: 'alpha', clientOrderId: 'x-never', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'market', amount: '1', notional: '100', mode: 'live', createdAt: T0 - 600_000});

    const r = await s.run({fix: true});
    expect(r.exitCode).toBe(0);
    expect(r.status).toBe('repaired');
    const v = r.venues[0]!;
    expect(v.discrepancies.every((d) => d.fixed)).toBe(true);
    expect(v.repaired).toBe(v.discrepancies.length);

    expect(s.orders.byClientOrderId('alpha', 'ext:99')).toMatchObject({origin: 'external', status: 'open', venueOrderId: '99'});
    const lost = s.orders.byClientOrderId('alpha', 'x-lost')!;
    expect(lost).toMatchObject({status: 'closed', filled: '1', average: '101', venueOrderId: '7', origin: 'xarb'});
    expect(s.orders.fills({orderId: lost.id}).map((f) => f.tradeId).sort()).toEqual(['t-7a', 't-7b']);
    expect(s.orders.byClientOrderId('alpha', 'x-never')).toMatchObject({status: 'rejected'});
    const kinds = new EventsRepo(s.db, s.clock).list({kind: 'reconcile.'}).map((e) => e.kind).sort();
    expect(kinds).toEqual(['reconcile.fill_imported', 'reconcile.fill_imported', 'reconcile.order_imported']);
    // Interrupted orders are settled by the execution module's resolver (lookup by clientOrderId).
    expect(new EventsRepo(s.db, s.clock).list({kind: 'order.resolved'}).map((e) => e.ref).sort()).toEqual(['x-lost', 'x-never']);

    s.clock.t += 60_000;
    const again = await s.run();
    expect(again.exitCode).toBe(0);
    expect(again.venues[0]!.discrepancies).toEqual([]);
    expect(s.venue.calls).not.toContain('createOrder');
  });

  it('a repair the journal refuses (the venue lowered filled) stays open: exit 5 even with --fix', async () => {
    const s = setup();
    inLine(s);
    s.venue.orders[0] = vo({id: '1', clientOrderId: 'x-1', filled: '0.5', status: 'canceled'});
    const r = await s.run({fix: true});
    expect(r.exitCode).toBe(5);
    const filled = r.venues[0]!.discrepancies.find((d) => d.kind === 'filled_differs')!;
    expect(filled).toMatchObject({journal: '1', venue: '0.5', fixed: false});
    expect(new ReconcileRunsRepo(s.db, s.clock).watermark('alpha')).toBeUndefined();
  });

  it('a venue that fails is reported (exit 4) and the others are still reconciled', async () => {
    const s = setup(['alpha', 'beta']);
    inLine(s);
    s.venues.get('beta')!.down = true;
    const r = await s.run();
    expect(r.exitCode).toBe(4);
    expect(r.venues.map((v) => [v.venue, v.status])).toEqual([
      ['alpha', 'in_line'],
      ['beta', 'failed'],
    ]);
    expect(r.venues[1]!.error).toMatchObject({name: 'VenueUnavailableError'});
    const runs = new ReconcileRunsRepo(s.db, s.clock);
    expect(runs.watermark('alpha')).toBeDefined();
    expect(runs.watermark('beta')).toBeUndefined();
  });

  it('a held lock fails at once with LockHeldError and writes nothing', async () => {
    const s = setup();
    inLine(s);
    acquireLock(s.db, 'reconcile', {pid: 424242, host: 'elsewhere'});
    await expect(s.run({fix: true})).rejects.toBeInstanceOf(LockHeldError);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM reconcile_runs').get()).toEqual({n: 0});
    expect(s.venue.calls).toEqual([]);
  });

  it('a run left running by a dead process is marked interrupted by the next one', async () => {
    const s = setup();
    inLine(s);
    const runs = new ReconcileRunsRepo(s.db, s.clock);
    const dead = runs.start({venues: ['alpha'], fix: true, since: undefined, pid: 999_999_9, host: 'h'});
    const r = await s.run();
    expect(r.interruptedRuns).toEqual([dead.id]);
    expect(runs.get(dead.id)!.status).toBe('interrupted');
  });

  it('balances: baseline plus journal fills must equal the venue; --fix accepts the venue as the new baseline', async () => {
    const s = setup();
    s.venue.balances = [bal('BTC', '0'), bal('USD', '1000')];
    expect((await s.run()).exitCode).toBe(0); // records the baseline at T0
    s.clock.t = T0 + 3_600_000;
    // A buy of 1 BTC @ 100 with 0.1 USD fee, journalled and on the venue.
    s.orders.insert({venue: 'alpha', clientOrderId: 'x-1', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live', status: 'closed', venueOrderId: '1', filled: '1', average: '100', createdAt: T0 + 60_000});
    const t = trade({id: 't-1', orderId: '1', timestamp: T0 + 60_000});
    s.orders.recordFills('alpha', [t]);
    s.venue.orders.push(vo({id: '1', clientOrderId: 'x-1', timestamp: T0 + 60_000}));
    s.venue.trades.push(t);
    s.venue.balances = [bal('BTC', '1'), bal('USD', '899.9')];
    const ok = await s.run();
    expect(ok.exitCode).toBe(0);
    expect(ok.venues[0]!.balancesChecked).toBe(2);

    s.clock.t += 3_600_000;
    s.venue.balances = [bal('BTC', '1'), bal('USD', '1899.9')]; // a deposit of 1000 USD
    const found = await s.run();
    expect(found.exitCode).toBe(5);
    expect(found.venues[0]!.discrepancies).toMatchObject([{kind: 'balance_differs', ref: 'USD', journal: '899.9', venue: '1899.9'}]);
    const fixed = await s.run({fix: true});
    expect(fixed.exitCode).toBe(0);
    expect(new ReconcileRunsRepo(s.db, s.clock).baseline('alpha')!.totals.get('USD')).toBe('1899.9');
  });

  it('balances are not judged when a fill lies right at the snapshot', async () => {
    const s = setup();
    s.venue.balances = [bal('USD', '1000')];
    await s.run();
    s.clock.t = T0 + 3_600_000;
    s.venue.trades.push(trade({id: 't-now', orderId: '5', timestamp: s.clock.t - 500}));
    s.venue.orders.push(vo({id: '5', clientOrderId: 'h', timestamp: s.clock.t - 500}));
    const r = await s.run({fix: true});
    expect(r.venues[0]!.balancesChecked).toBe(0);
    expect(r.venues[0]!.balanceNote).toMatch(/next quiet run/);
  });

  it('venues that list per market are read market by market (journal markets and open orders)', async () => {
    const s = setup();
    inLine(s);
    s.venue.perSymbolOnly = true;
    s.venue.orders.push(vo({id: '50', clientOrderId: 'eth-open', symbol: 'ETH/USD', status: 'open', filled: '0', average: undefined}));
    const r = await s.run();
    expect(r.venues[0]!.perSymbol).toEqual(['BTC/USD', 'ETH/USD']);
    expect(r.venues[0]!.discrepancies.map((d) => d.ref)).toEqual(['ext:50']);
  });

  it('a market the venue no longer lists is skipped and reported; the rest is reconciled', async () => {
    const s = setup();
    inLine(s);
    s.venue.perSymbolOnly = true;
    s.orders.insert({venue: 'alpha', clientOrderId: 'luna-1', symbol: 'LUNA/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '1', notional: '1', mode: 'live', status: 'closed', venueOrderId: '90', filled: '1', average: '1', createdAt: T0 - 5000});
    const delisted = (symbol: string | undefined) => {
      if (symbol === 'LUNA/USD') throw new UnknownSymbolError(symbol, ['alpha']);
    };
    const v = s.venue;
    const [closed, trades, lookup] = [v.fetchClosedOrders.bind(v), v.fetchMyTrades.bind(v), v.fetchOrder.bind(v)];
    v.fetchClosedOrders = async (symbol, since) => (delisted(symbol), closed(symbol, since));
    v.fetchMyTrades = async (symbol, since) => (delisted(symbol), trades(symbol, since));
    v.fetchOrder = async (ref, symbol) => (delisted(symbol), lookup(ref, symbol));
    v.trades.push(trade({id: 't-hand', orderId: '91', timestamp: T0 - 4000}));
    const r = await s.run();
    expect(r.venues[0]!.status).toBe('discrepancies');
    expect(r.venues[0]!.skippedMarkets).toEqual(['LUNA/USD']);
    expect(r.venues[0]!.marketNote).toMatch(/no longer lists.*LUNA\/USD/);
    expect(r.venues[0]!.perSymbol).toEqual(['BTC/USD', 'LUNA/USD']);
    // BTC/USD was still compared: the hand-placed trade there is found.
    expect(r.venues[0]!.discrepancies.map((d) => `${d.kind}:${d.ref}`)).toEqual(['fill_missing_in_journal:t-hand']);
  });

  it('on a fresh journal, per-market venues are read for the markets of the assets held', async () => {
    const s = setup();
    s.venue.perSymbolOnly = true;
    const market = (symbol: string, type: 'spot' | 'swap' = 'spot') => {
      const [base, quote] = symbol.split(/[/:]/);
      return {symbol, id: symbol, base: base!, quote: quote!, baseId: base!, quoteId: quote!, type, active: true, taker: 0.001, maker: 0.001, amountStep: undefined, priceStep: undefined, minAmount: undefined, maxAmount: undefined, minCost: undefined};
    };
    s.venue.markets = [market('ETH/BTC'), market('ETH/USD'), market('SOL/USD'), market('BTC/USD:USD', 'swap')];
    s.venue.balances = [bal('ETH', '2'), bal('BTC', '0.5'), bal('USD', '0')];
    s.venue.orders.push(vo({id: '8', clientOrderId: 'hand', symbol: 'ETH/BTC', status: 'closed'}));
    const r = await s.run();
    expect(r.venues[0]!.perSymbol).toEqual(['ETH/BTC']);
    expect(r.venues[0]!.discrepancies.map((d) => `${d.kind}:${d.ref}`)).toEqual(['unknown_on_journal:ext:8']);
  });

  it('lists capped per page are read page by page', async () => {
    const s = setup();
    for (let i = 0; i < 80; i++) inLine(s, `x-${i}`, `${i}`);
    s.venue.trades.forEach((t, i) => Object.assign(t, {timestamp: T0 - 100_000 + i}));
    s.venue.orders.forEach((o, i) => Object.assign(o, {timestamp: T0 - 100_000 + i}));
    s.venue.pageLimit = 30;
    const r = await s.run();
    expect(r.exitCode).toBe(0);
    expect(r.venues[0]!.fillsSynced).toBe(80);
    expect(r.venues[0]!.ordersSynced).toBe(80);
  });

  it('the second run reads from the watermark minus the overlap', async () => {
    const s = setup();
    inLine(s);
    await s.run();
    s.clock.t = T0 + 3_600_000;
    const r = await s.run({overlapMs: 1_000});
    expect(r.venues[0]!.since).toBe(new Date(T0 - 1_000).toISOString());
    expect(r.venues[0]!.fillsSynced).toBe(0); // the old trade is before the window
    expect(r.exitCode).toBe(0);
  });
});
