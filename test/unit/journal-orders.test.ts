import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {isUniqueViolation, type Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {DuplicateOrderError, OrdersRepo, type NewOrder} from '../../src/core/journal/orders.js';
import {RiskStateRepo} from '../../src/core/journal/risk-state.js';
import type {Trade, VenueOrder} from '../../src/core/types.js';
import {fixedClock} from './execution-support.js';

let db: Db;
const clock = fixedClock();
beforeEach(() => {
  db = openTestJournal();
});
afterEach(() => db.close());

const base: NewOrder = {venue: 'a', clientOrderId: 'c1', symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'market', amount: '1', notional: '100', mode: 'paper'};

function venueOrder(over: Partial<VenueOrder> = {}): VenueOrder {
  return {id: 'v1', clientOrderId: 'c1', symbol: 'BTC/USD', side: 'buy', type: 'market', status: 'closed', amount: '1', filled: '1', price: undefined, average: '101', fees: [{cost: '0.1', currency: 'USD'}], timestamp: 0, ...over};
}

function trade(id: string, over: Partial<Trade> = {}): Trade {
  return {id, orderId: 'v1', clientOrderId: 'c1', symbol: 'BTC/USD', side: 'buy', price: '101', amount: '0.5', fee: {cost: '0.05', currency: 'USD'}, takerOrMaker: 'taker', timestamp: clock.now(), ...over};
}

describe('OrdersRepo', () => {
  it('inserts pending_submit and refuses the same (venue, clientOrderId) twice', () => {
    const repo = new OrdersRepo(db, clock);
    const o = repo.insert(base);
    expect(o.status).toBe('pending_submit');
    expect(() => repo.insert(base)).toThrow(DuplicateOrderError);
    expect(repo.insert({...base, venue: 'b'}).venue).toBe('b');
  });

  it('insertNew: the row it returns is the row journalled, its id read after the commit, and its usage counted', () => {
    const repo = new OrdersRepo(db, clock);
    const other = repo.insert({...base, clientOrderId: 'c0'});
    const written = db.tx(() => [repo.insertNew({...base, type: 'limit', price: '100.50', amount: '2.0', notional: '201', leg: 1}), repo.insertNew({...base, clientOrderId: 'c2', venue: 'b'})]);
    const orders = written.map((w) => ({id: w.id(), ...w.order}));
    expect(orders.map((o) => o.id)).toEqual([other.id + 1, other.id + 2]);
    for (const order of orders) expect(repo.get(order.id)).toEqual(order);
    expect(orders[0]).toMatchObject({price: '100.5', amount: '2', status: 'pending_submit', filled: '0', planId: undefined, leg: 1, origin: 'xarb', fees: []});
    expect(repo.usage().open).toEqual(expect.arrayContaining([{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 2, remaining: '3'}]));
  });

  it('insertNew: an order journalled already fails the whole transaction on the unique key', () => {
    const repo = new OrdersRepo(db, clock);
    const events = new EventsRepo(db, clock);
    repo.insert(base);
    let failure: unknown;
    try {
      db.tx(() => {
        events.add({kind: 'test.before'});
        repo.insertNew({...base, clientOrderId: 'c3'});
        repo.insertNew(base);
        events.add({kind: 'test.after'});
      });
    } catch (error) {
      failure = error;
    }
    expect(isUniqueViolation(failure)).toBe(true);
    expect(repo.list().map((o) => o.clientOrderId)).toEqual(['c1']);
    expect(events.list({kind: 'test.'})).toHaveLength(0);
    expect(repo.usage().open).toEqual([{venue: 'a', symbol: 'BTC/USD', side: 'buy', orders: 1, remaining: '1'}]);
  });

  it('takes the venue truth, and a stale answer never re-opens a final order or lowers filled', () => {
    const repo = new OrdersRepo(db, clock);
    const o = repo.insert(base);
    const closed = repo.applyVenueOrder(o.id, venueOrder());
    expect(closed).toMatchObject({status: 'closed', filled: '1', average: '101', venueOrderId: 'v1'});
    const stale = repo.applyVenueOrder(o.id, venueOrder({status: 'open', filled: '0.5'}));
    expect(stale).toMatchObject({status: 'closed', filled: '1'});
  });

  it('only with venueWins does the venue showing an order open overturn a canceled conclusion', () => {
    const repo = new OrdersRepo(db, clock);
    const o = repo.insert(base);
    repo.applyVenueOrder(o.id, venueOrder({status: 'open', filled: '0'}));
    expect(repo.setStatus(o.id, 'canceled', 'not found on the venue').status).toBe('canceled');
    expect(repo.applyVenueOrder(o.id, venueOrder({status: 'open', filled: '0.5'})).status).toBe('canceled');
    expect(repo.applyVenueOrder(o.id, venueOrder({status: 'open', filled: '0.5'}), {venueWins: true})).toMatchObject({status: 'open', filled: '0.5'});
    expect(repo.usage().open).toHaveLength(1);
  });

  it('fills are keyed by (venue, symbol, trade id): one trade id on two markets is two fills', () => {
    const repo = new OrdersRepo(db, clock);
    const trades = [trade('42', {orderId: 'x1', clientOrderId: undefined}), trade('42', {orderId: 'x2', clientOrderId: undefined, symbol: 'ETH/USD', price: '3000'})];
    expect(repo.recordFills('a', trades)).toBe(2);
    expect(repo.recordFills('a', trades)).toBe(0);
    expect(repo.fills({venue: 'a'}).map((f) => `${f.symbol} ${f.tradeId} ${f.price}`).sort()).toEqual(['BTC/USD 42 101', 'ETH/USD 42 3000']);
    const batch = repo.insertBatch([{order: {...base, clientOrderId: 'c9', venue: 'b'}, fills: trades}]);
    expect(batch.fills).toBe(2);
  });

  it('unknown then resolved: rejected can be overturned by the venue', () => {
    const repo = new OrdersRepo(db, clock);
    const o = repo.insert(base);
    expect(repo.markUnknown(o.id, 'timeout').status).toBe('unknown');
    expect(repo.markRejected(o.id, 'not found').status).toBe('rejected');
    expect(repo.applyVenueOrder(o.id, venueOrder()).status).toBe('closed');
  });

  it('fills are keyed by (venue, trade id): recording twice never double counts', () => {
    const repo = new OrdersRepo(db, clock);
    const o = repo.insert(base);
    repo.applyVenueOrder(o.id, venueOrder());
    expect(repo.recordFills('a', [trade('t1'), trade('t2')])).toBe(2);
    expect(repo.recordFills('a', [trade('t1'), trade('t2'), trade('t3', {amount: '0', fee: undefined})])).toBe(1);
    const totals = repo.fillTotals(o.id);
    expect(totals.amount).toBe('1');
    expect(totals.cost).toBe('101');
    expect(totals.fees).toEqual([{cost: '0.1', currency: 'USD'}]);
    // Same trade id on another venue is another fill; unmatched trades are external.
    expect(repo.recordFills('b', [trade('t1')])).toBe(1);
    expect(repo.fills({venue: 'b'})[0]!.origin).toBe('external');
  });

  it('keeps the risk aggregates exact through every transition (and rebuildUsage agrees)', () => {
    const repo = new OrdersRepo(db, clock);
    const a = repo.insert(base);
    const b = repo.insert({...base, clientOrderId: 'c2', amount: '2', notional: '200', type: 'limit', price: '100'});
    repo.insert({...base, clientOrderId: 'c3', side: 'sell', amount: '0.5', notional: '50'});
    let u = repo.usage();
    expect(u.open.find((r) => r.side === 'buy')).toMatchObject({orders: 2, remaining: '3'});
    expect(u.dailyVolume).toEqual([{venue: 'a', symbol: 'BTC/USD', quote: 'USD', volume: '350'}]);
    // a fills at 101 (executed 101, not the reserved 100); b partially fills then is canceled; c3 rejected.
    repo.applyVenueOrder(a.id, venueOrder());
    repo.applyVenueOrder(b.id, venueOrder({id: 'v2', clientOrderId: 'c2', status: 'open', amount: '2', filled: '0.5', average: '100', type: 'limit'}));
    u = repo.usage();
    expect(u.open.find((r) => r.side === 'buy')).toMatchObject({orders: 1, remaining: '1.5'});
    repo.setStatus(b.id, 'canceled');
    repo.markRejected(repo.byClientOrderId('a', 'c3')!.id, 'refused');
    u = repo.usage();
    expect(u.open).toEqual([]);
    expect(u.dailyVolume[0]!.volume).toBe('151');
    const before = JSON.stringify(repo.usage());
    repo.rebuildUsage();
    expect(JSON.stringify(repo.usage())).toBe(before);
  });

  it('daily volume is per UTC day of the order', () => {
    const repo = new OrdersRepo(db, clock);
    repo.insert(base);
    expect(repo.usage('2025-01-15').dailyVolume).toHaveLength(1);
    expect(repo.usage('2025-01-16').dailyVolume).toHaveLength(0);
  });

  it('lists by venue, status and time, newest first', () => {
    const repo = new OrdersRepo(db, clock);
    const a = repo.insert(base);
    repo.insert({...base, clientOrderId: 'c2', venue: 'b'});
    repo.applyVenueOrder(a.id, venueOrder());
    expect(repo.list({open: true}).map((o) => o.clientOrderId)).toEqual(['c2']);
    expect(repo.list({venue: 'a'}).map((o) => o.clientOrderId)).toEqual(['c1']);
    expect(repo.list().map((o) => o.clientOrderId)).toEqual(['c2', 'c1']);
    expect(repo.inFlight().map((o) => o.clientOrderId)).toEqual(['c2']);
  });

  it('insertBatch writes orders with fills in one go, skips duplicates and keeps the aggregates exact', () => {
    const repo = new OrdersRepo(db, clock);
    repo.insert(base);
    const entries = [
      {order: {...base, clientOrderId: 'b1', status: 'closed' as const, filled: '1', average: '101', venueOrderId: 'v9'}, fills: [trade('x1', {orderId: 'v9', clientOrderId: 'b1', amount: '1'})]},
      {order: {...base, clientOrderId: 'b2', status: 'open' as const, amount: '2', notional: '200'}},
      {order: base, fills: [trade('x2')]},
    ];
    expect(repo.insertBatch(entries)).toEqual({orders: 2, fills: 2});
    expect(repo.insertBatch(entries)).toEqual({orders: 0, fills: 0});
    expect(repo.fills({venue: 'a'}).find((f) => f.tradeId === 'x2')!.orderId).toBe(repo.byClientOrderId('a', 'c1')!.id);
    const before = JSON.stringify(repo.usage());
    expect(repo.usage().dailyVolume[0]!.volume).toBe('401');
    repo.rebuildUsage();
    expect(JSON.stringify(repo.usage())).toBe(before);
  });

  it('plans round-trip', () => {
    const repo = new OrdersRepo(db, clock);
    repo.insertPlan({id: 'order-1', kind: 'order', intent: {a: 1}, plan: {children: []}, status: 'sending'});
    repo.setPlanStatus('order-1', 'done');
    expect(repo.getPlan('order-1')).toMatchObject({id: 'order-1', kind: 'order', intent: {a: 1}, status: 'done'});
  });
});

describe('EventsRepo and RiskStateRepo', () => {
  it('events are append-only', () => {
    const events = new EventsRepo(db, clock);
    events.append({kind: 'risk.denied', venue: 'a', ref: 'p1', data: {limit: 'x'}});
    events.append({kind: 'order.sent', venue: 'a', ref: 'c1'});
    expect(events.list({kind: 'risk.'}).map((e) => e.kind)).toEqual(['risk.denied']);
    expect(events.list({ref: 'c1'})).toHaveLength(1);
    expect(() => db.exec('UPDATE events SET kind = 1')).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM events')).toThrow(/append-only/);
  });

  it('the trading state persists and every change is an event', () => {
    const state = new RiskStateRepo(db, clock);
    expect(state.get().state).toBe('active');
    state.set('halted', 'incident');
    expect(state.get()).toMatchObject({state: 'halted', reason: 'incident'});
    state.set('reducing');
    expect(new EventsRepo(db, clock).list({kind: 'risk.state'}).map((e) => e.data.to)).toEqual(['reducing', 'halted']);
  });
});
