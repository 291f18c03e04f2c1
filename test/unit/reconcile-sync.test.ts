import {afterEach, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {OrdersRepo} from '../../src/core/journal/orders.js';
import {reconcile} from '../../src/core/reconcile/reconcile.js';
import {syncVenue, syncVenues} from '../../src/core/reconcile/sync.js';
import type {Trade, VenueOrder} from '../../src/core/types.js';
import {FakeAccountVenue} from '../support/reconcile-venue.js';

const T0 = 1_700_000_000_000;
let db: Db | undefined;
afterEach(() => db?.close());

class ManualClock {
  t = T0;
  now = () => this.t;
}

function setup() {
  db = openTestJournal();
  const clock = new ManualClock();
  const venue = new FakeAccountVenue('alpha');
  const orders = new OrdersRepo(db, clock);
  return {db, clock, venue, orders, sync: () => syncVenue(venue, {db: db!, clock})};
}

function vo(over: Partial<VenueOrder> & {id: string}): VenueOrder {
  return {clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy', type: 'limit', status: 'open', amount: '1', filled: '0', price: '100', average: undefined, fees: [], timestamp: T0 - 5000, ...over};
}

function trade(over: Partial<Trade> & {id: string; orderId: string}): Trade {
  return {clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy', price: '100', amount: '1', fee: {cost: '0.1', currency: 'USD'}, takerOrMaker: 'maker', timestamp: T0 - 1000, ...over};
}

/** A resting buy of 1 BTC @ 100, journalled open and listed open by the venue. */
function resting(s: ReturnType<typeof setup>, cid = 'c-1', vid = 'v-1') {
  const order = s.orders.insert({venue: 'alpha', clientOrderId: cid, symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live', status: 'open', venueOrderId: vid, filled: '0', createdAt: T0 - 5000});
  s.venue.orders.push(vo({id: vid, clientOrderId: cid}));
  return order;
}

describe('sync step', () => {
  it('a venue without live journal orders is not asked at all', async () => {
    const s = setup();
    s.orders.insert({venue: 'alpha', clientOrderId: 'done', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live', status: 'closed', venueOrderId: 'v-0', filled: '1', average: '100'});
    const report = await s.sync();
    expect(report).toMatchObject({venue: 'alpha', status: 'idle', orders: 0, updated: 0, fillsAdded: 0});
    expect(s.venue.calls).toEqual([]);
  });

  it('a resting order still open: one list call, nothing changes', async () => {
    const s = setup();
    const order = resting(s);
    const report = await s.sync();
    expect(report).toMatchObject({status: 'synced', orders: 1, updated: 0, fillsAdded: 0});
    expect(s.venue.calls).toEqual(['fetchOpenOrders']);
    expect(s.orders.get(order.id)).toMatchObject({status: 'open', filled: '0'});
  });

  it('a resting order the venue filled: closed with its fill and an event; usage released; a second sync adds nothing', async () => {
    const s = setup();
    const order = resting(s);
    expect(s.orders.usage().open.filter((u) => u.orders > 0)).toHaveLength(1);
    s.venue.orders[0] = vo({id: 'v-1', clientOrderId: 'c-1', status: 'closed', filled: '1', average: '100'});
    s.venue.trades.push(trade({id: 't-1', orderId: 'v-1'}));
    const report = await s.sync();
    expect(report).toMatchObject({status: 'synced', updated: 1, fillsAdded: 1});
    expect(s.orders.get(order.id)).toMatchObject({status: 'closed', filled: '1', average: '100'});
    expect(s.orders.fills({venue: 'alpha'}).map((f) => [f.tradeId, f.amount, f.price])).toEqual([['t-1', '1', '100']]);
    expect(s.orders.usage().open.filter((u) => u.orders > 0)).toEqual([]);
    const events = new EventsRepo(s.db, s.clock).list({kind: 'sync.'}).map((e) => e.kind);
    expect(events).toEqual(['sync.order_updated']);

    s.venue.calls.length = 0;
    expect(await s.sync()).toMatchObject({status: 'idle', updated: 0, fillsAdded: 0});
    expect(s.venue.calls).toEqual([]);
  });

  it('a partial fill of a resting order: still open, filled and fills follow the venue', async () => {
    const s = setup();
    const order = resting(s);
    s.venue.orders[0] = vo({id: 'v-1', clientOrderId: 'c-1', status: 'open', filled: '0.4', average: '100'});
    s.venue.trades.push(trade({id: 't-1', orderId: 'v-1', amount: '0.4'}));
    expect(await s.sync()).toMatchObject({updated: 1, fillsAdded: 1});
    expect(s.orders.get(order.id)).toMatchObject({status: 'open', filled: '0.4'});
  });

  it('then reconcile finds the journal in line (exit 0)', async () => {
    const s = setup();
    resting(s);
    s.venue.orders[0] = vo({id: 'v-1', clientOrderId: 'c-1', status: 'closed', filled: '1', average: '100'});
    s.venue.trades.push(trade({id: 't-1', orderId: 'v-1'}));
    await s.sync();
    const result = await reconcile({db: s.db, clock: s.clock, venues: ['alpha'], openVenue: async () => s.venue, fix: false, lock: {pid: process.pid}});
    expect(result.exitCode).toBe(0);
    expect(result.totals.discrepancies).toBe(0);
  });

  it('leaves to reconcile what needs a person or --fix: orders only the venue knows, an open order the venue does not know', async () => {
    const s = setup();
    const order = resting(s);
    s.venue.orders = [vo({id: 'v-9', clientOrderId: 'by-hand'})]; // ours is gone, one placed by hand is open
    s.clock.t = T0 + 3_600_000;
    const report = await s.sync();
    expect(report).toMatchObject({status: 'synced', updated: 0});
    expect(s.orders.get(order.id)!.status).toBe('open');
    expect(s.orders.list({limit: 100}).map((o) => o.clientOrderId)).toEqual(['c-1']);
  });

  it('an interrupted order is settled by lookup (never re-sent); inside the grace period it is left alone', async () => {
    const s = setup();
    const lost = s.orders.insert({venue: 'alpha', clientOrderId: 'lost', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live'});
    s.orders.markUnknown(lost.id, 'timeout');
    s.venue.orders.push(vo({id: 'v-2', clientOrderId: 'lost', status: 'closed', filled: '1', average: '100'}));
    s.venue.trades.push(trade({id: 't-2', orderId: 'v-2'}));
    const report = await s.sync();
    expect(report.updated).toBe(1);
    expect(s.orders.get(lost.id)).toMatchObject({status: 'closed', filled: '1', venueOrderId: 'v-2'});
    expect(s.orders.fills({venue: 'alpha'})).toHaveLength(1);

    const neverSent = s.orders.insert({venue: 'alpha', clientOrderId: 'fresh', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'live'});
    await s.sync();
    expect(s.orders.get(neverSent.id)!.status).toBe('pending_submit');
    s.clock.t = T0 + 10 * 60_000;
    await s.sync();
    expect(s.orders.get(neverSent.id)!.status).toBe('rejected');
  });

  it('a venue that cannot be read is reported, not thrown, and the journal is untouched', async () => {
    const s = setup();
    const order = resting(s);
    s.venue.down = true;
    const other = new FakeAccountVenue('beta');
    const report = await syncVenues([s.venue, other, s.venue], {db: s.db, clock: s.clock});
    expect(report.venues.map((v) => [v.venue, v.status])).toEqual([
      ['alpha', 'failed'],
      ['beta', 'idle'],
    ]);
    expect(report.venues[0]!.error).toMatch(/connection refused/);
    expect(s.orders.get(order.id)!.status).toBe('open');
  });
});
