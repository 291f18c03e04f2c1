/**
 * core/execution/list.ts: what `xarb orders` shows, on a real journal
 * (SQLite, and PostgreSQL as the journal-postgres project), and which venues
 * it asks first.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {listOrders} from '../../src/core/execution/list.js';
import type {Db} from '../../src/core/journal/db.js';
import {OrdersRepo, type NewOrder} from '../../src/core/journal/orders.js';
import type {Venue} from '../../src/core/venues/port.js';
import {openTestJournal} from '../support/postgres.js';

let db: Db | undefined;
afterEach(() => db?.close());

const clock = {now: () => 1_000_000};

function order(venue: string, n: number, over: Partial<NewOrder> = {}): NewOrder {
  return {venue, clientOrderId: `c-${venue}-${n}`, symbol: 'BTC/USD', quote: 'USD', side: 'buy', type: 'limit', amount: '1', price: '100', notional: '100', mode: 'paper', createdAt: n, ...over};
}

function journal(): Db {
  db = openTestJournal('orderslist');
  const repo = new OrdersRepo(db, clock);
  repo.insert(order('simbit', 1, {status: 'open'}));
  repo.insert(order('simex', 2, {status: 'closed', filled: '1', average: '100'}));
  repo.insert(order('gone', 3, {status: 'open'}));
  return db;
}

describe('listOrders', () => {
  it('first asks the configured venues holding live orders, then lists newest first', async () => {
    const journalDb = journal();
    const opened: string[][] = [];
    const synced: string[][] = [];
    const orders = await listOrders(
      {
        db: journalDb,
        clock,
        venueNames: ['simbit', 'simex'],
        openVenues: async (names) => {
          opened.push([...names]);
          return names.map((name) => ({info: {id: name}}) as unknown as Venue);
        },
        sync: async (venues) => void synced.push(venues.map((v) => v.info.id)),
      },
      {open: false, limit: 10},
    );
    // 'gone' holds a live order but is no longer configured: it is not asked; simex holds none.
    expect(opened).toEqual([['simbit']]);
    expect(synced).toEqual([['simbit']]);
    expect(orders.map((o) => o.venue)).toEqual(['gone', 'simex', 'simbit']);
    expect(orders[1]).toMatchObject({status: 'closed', filled: '1', average: '100', origin: 'xarb', createdAt: 2});
  });

  it('reads the journal alone without a sync step, and applies the filters', async () => {
    const journalDb = journal();
    const deps = {
      db: journalDb,
      clock,
      venueNames: ['simbit'],
      openVenues: async (): Promise<Venue[]> => {
        throw new Error('no venue may be opened offline');
      },
    };
    expect((await listOrders(deps, {open: true, limit: 10})).map((o) => o.venue)).toEqual(['gone', 'simbit']);
    expect((await listOrders(deps, {open: false, venue: 'simex', limit: 10})).map((o) => o.clientOrderId)).toEqual(['c-simex-2']);
    expect((await listOrders(deps, {open: false, since: 2, limit: 10})).map((o) => o.createdAt)).toEqual([3, 2]);
    expect(await listOrders(deps, {open: false, limit: 1})).toHaveLength(1);
  });
});
