import {describe, expect, it} from 'vitest';
import {diffVenue, ordersToLookUp} from '../../src/core/reconcile/diff.js';
import type {DiffWindow, JournalFill, JournalOrder, JournalState, VenueState} from '../../src/core/reconcile/types.js';
import type {Trade, VenueOrder} from '../../src/core/types.js';

const T0 = 1_700_000_000_000;
const window: DiffWindow = {since: T0, now: T0 + 3_600_000, graceMs: 60_000};

function jo(over: Partial<JournalOrder> & {clientOrderId: string}): JournalOrder {
  return {
    venue: 'v1',
    venueOrderId: undefined,
    symbol: 'BTC/USD',
    side: 'buy',
    type: 'limit',
    amount: '1',
    price: '100',
    status: 'open',
    filled: '0',
    average: undefined,
    origin: 'xarb',
    createdAt: T0 + 1000,
    updatedAt: T0 + 1000,
    ...over,
  };
}

function vo(over: Partial<VenueOrder> & {id: string}): VenueOrder {
  return {
    clientOrderId: undefined,
    symbol: 'BTC/USD',
    side: 'buy',
    type: 'limit',
    status: 'open',
    amount: '1',
    filled: '0',
    price: '100',
    average: undefined,
    fees: [],
    timestamp: T0 + 1000,
    ...over,
  };
}

function trade(over: Partial<Trade> & {id: string; orderId: string}): Trade {
  return {clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy', price: '100', amount: '1', fee: undefined, takerOrMaker: 'taker', timestamp: T0 + 2000, ...over};
}

function fill(over: Partial<JournalFill> & {tradeId: string}): JournalFill {
  return {venue: 'v1', venueOrderId: undefined, clientOrderId: undefined, symbol: 'BTC/USD', side: 'buy', price: '100', amount: '1', fee: undefined, ts: T0 + 2000, origin: 'xarb', ...over};
}

function journal(orders: JournalOrder[], fills: JournalFill[] = []): JournalState {
  return {venue: 'v1', orders, fills};
}

function venue(over: Partial<VenueState>): VenueState {
  return {venue: 'v1', openOrders: [], closedOrders: [], trades: [], lookups: new Map(), ...over};
}

const kinds = (d: ReturnType<typeof diffVenue>) => d.discrepancies.map((x) => `${x.kind}:${x.ref}`).sort();

describe('diffVenue: in line', () => {
  it('reports nothing when the journal and the venue agree', () => {
    const j = journal(
      [jo({clientOrderId: 'a', venueOrderId: '1', status: 'closed', filled: '1', average: '100'}), jo({clientOrderId: 'b', venueOrderId: '2'})],
      [fill({tradeId: 't1', venueOrderId: '1', clientOrderId: 'a'})],
    );
    const v = venue({
      openOrders: [vo({id: '2', clientOrderId: 'b'})],
      closedOrders: [vo({id: '1', clientOrderId: 'a', status: 'closed', filled: '1', average: '100.00000000'})],
      trades: [trade({id: 't1', orderId: '1'})],
    });
    const d = diffVenue(j, v, window);
    expect(d.discrepancies).toEqual([]);
    expect(d.ordersCompared).toBe(2);
    expect(d.fillsCompared).toBe(1);
  });

  it('accepts an average within one part per million (venue rounding)', () => {
    // 100.00005 vs 100.0001: |diff| = 0.00005, relative 5e-7 < 1e-6
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'closed', filled: '1', average: '100.00005'})]);
    const v = venue({closedOrders: [vo({id: '1', status: 'closed', filled: '1', average: '100.0001'})]});
    expect(diffVenue(j, v, window).discrepancies).toEqual([]);
  });

  it('matches by clientOrderId when the journal has no venue id yet', () => {
    const j = journal([jo({clientOrderId: 'a'})]);
    const v = venue({openOrders: [vo({id: '9', clientOrderId: 'a'})]});
    expect(diffVenue(j, v, window).discrepancies).toEqual([]);
  });

  it('does not expect rejected orders, nor terminal orders older than the window, on the venue', () => {
    const j = journal([
      jo({clientOrderId: 'r', status: 'rejected'}),
      jo({clientOrderId: 'old', venueOrderId: '5', status: 'closed', filled: '1', createdAt: T0 - 10_000, updatedAt: T0 - 5_000}),
    ]);
    expect(ordersToLookUp(j, venue({}), window)).toEqual([]);
    expect(diffVenue(j, venue({}), window).discrepancies).toEqual([]);
  });

  it('an order in both lists (closed between the two calls) counts once, as its terminal copy', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'closed', filled: '1', average: '100'})]);
    const v = venue({openOrders: [vo({id: '1'})], closedOrders: [vo({id: '1', status: 'closed', filled: '1', average: '100'})]});
    expect(diffVenue(j, v, window).discrepancies).toEqual([]);
  });
});

describe('diffVenue: order discrepancies', () => {
  it('status, filled and average differ: one discrepancy each, venue values as repairs', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'open', filled: '0.4', average: '99'})]);
    const v = venue({closedOrders: [vo({id: '1', status: 'closed', filled: '1', average: '100'})]});
    const d = diffVenue(j, v, window);
    expect(kinds(d)).toEqual(['average_differs:a', 'filled_differs:a', 'status_differs:a']);
    const byKind = Object.fromEntries(d.discrepancies.map((x) => [x.kind, x]));
    expect(byKind.status_differs).toMatchObject({journalValue: 'open', venueValue: 'closed', repair: {op: 'apply_venue_order', clientOrderId: 'a', order: {id: '1', status: 'closed'}}});
    expect(byKind.filled_differs).toMatchObject({journalValue: '0.4', venueValue: '1', repair: {op: 'apply_venue_order', order: {filled: '1'}}});
    expect(byKind.average_differs).toMatchObject({journalValue: '99', venueValue: '100', repair: {op: 'apply_venue_order', order: {average: '100'}}});
  });

  it('an order on the venue unknown to the journal is imported as external', () => {
    const v = venue({openOrders: [vo({id: '77', clientOrderId: 'by-hand'})], closedOrders: [vo({id: '78', status: 'canceled'})]});
    const d = diffVenue(journal([]), v, window);
    expect(kinds(d)).toEqual(['unknown_on_journal:ext:77', 'unknown_on_journal:ext:78']);
    expect(d.discrepancies[0]!.repair).toMatchObject({op: 'import_order', clientOrderId: 'ext:77', order: {id: '77'}});
    expect(d.discrepancies[0]!.detail).toContain('by-hand');
  });

  it('a second venue order with our clientOrderId is a duplicate submission, not ours', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'closed', filled: '1', average: '100'})]);
    const v = venue({closedOrders: [vo({id: '1', clientOrderId: 'a', status: 'closed', filled: '1', average: '100'}), vo({id: '2', clientOrderId: 'a', timestamp: T0 + 5000})]});
    const d = diffVenue(j, v, window);
    expect(kinds(d)).toEqual(['unknown_on_journal:ext:2']);
    expect(d.discrepancies[0]!.detail).toMatch(/twice/);
  });

  it('an open journal order the venue does not know is missing; without fills it is repaired as canceled', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1'}), jo({clientOrderId: 'b', venueOrderId: '2', filled: '0.5'})]);
    const lists = venue({});
    expect(ordersToLookUp(j, lists, window).map((o) => o.clientOrderId)).toEqual(['a', 'b']);
    const v = venue({lookups: new Map([['a', undefined], ['b', undefined]])});
    const d = diffVenue(j, v, window);
    expect(kinds(d)).toEqual(['missing_on_venue:a', 'missing_on_venue:b']);
    expect(d.discrepancies.find((x) => x.ref === 'a')!.repair).toMatchObject({op: 'set_status', status: 'canceled'});
    expect(d.discrepancies.find((x) => x.ref === 'b')!.repair).toBeUndefined();
  });

  it('an order found only by lookup is compared like a listed one', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', createdAt: T0 - 100_000, updatedAt: T0 - 100_000})]);
    const v = venue({lookups: new Map([['a', vo({id: '1', clientOrderId: 'a', status: 'canceled'})]])});
    expect(kinds(diffVenue(j, v, window))).toEqual(['status_differs:a']);
  });

  it('without a lookup answer no conclusion is drawn', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1'})]);
    expect(diffVenue(j, venue({}), window).discrepancies).toEqual([]);
  });

  it('an open order the venue does not list is neither looked up nor canceled within the grace period', () => {
    const young = jo({clientOrderId: 'a', venueOrderId: '1', createdAt: window.now - 10_000, updatedAt: window.now - 10_000});
    const j = journal([young]);
    expect(ordersToLookUp(j, venue({}), window)).toEqual([]);
    const d = diffVenue(j, venue({lookups: new Map([['a', undefined]])}), window);
    expect(d.discrepancies).toEqual([]);
    expect(d.inFlight).toEqual(['a']);
    const later = {...window, now: window.now + 60_000};
    expect(ordersToLookUp(j, venue({}), later).map((o) => o.clientOrderId)).toEqual(['a']);
    expect(kinds(diffVenue(j, venue({lookups: new Map([['a', undefined]])}), later))).toEqual(['missing_on_venue:a']);
  });

  it('a canceled journal order the venue shows open is repaired to the venue state', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'canceled'})]);
    const d = diffVenue(j, venue({openOrders: [vo({id: '1', clientOrderId: 'a'})]}), window);
    expect(kinds(d)).toEqual(['status_differs:a']);
    expect(d.discrepancies[0]!.repair).toMatchObject({op: 'apply_venue_order'});
  });

  it('fills match by symbol and trade id: one trade id on two markets is two trades', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'closed', filled: '1', average: '100'})], [fill({tradeId: '7', venueOrderId: '1', clientOrderId: 'a'})]);
    const v = venue({
      closedOrders: [vo({id: '1', clientOrderId: 'a', status: 'closed', filled: '1', average: '100'})],
      trades: [trade({id: '7', orderId: '1'}), trade({id: '7', orderId: '9', symbol: 'ETH/USD', price: '3000'})],
    });
    const d = diffVenue(j, v, window);
    expect(d.discrepancies.map((x) => `${x.kind}:${x.symbol}:${x.ref}`)).toEqual(['fill_missing_in_journal:ETH/USD:7']);
    expect(d.fillsCompared).toBe(2);
  });
});

describe('diffVenue: interrupted runs', () => {
  const old = {createdAt: T0, updatedAt: T0};

  it('pending_submit the venue does not know: never placed, repaired as rejected', () => {
    const j = journal([jo({clientOrderId: 'p', status: 'pending_submit', ...old})]);
    expect(ordersToLookUp(j, venue({}), window).map((o) => o.clientOrderId)).toEqual(['p']);
    const d = diffVenue(j, venue({lookups: new Map([['p', undefined]])}), window);
    expect(d.discrepancies).toHaveLength(1);
    expect(d.discrepancies[0]).toMatchObject({kind: 'interrupted', journalValue: 'pending_submit', venueValue: null, repair: {op: 'set_status', status: 'rejected'}});
  });

  it('unknown the venue has: adopts the venue state, and its fills join the order', () => {
    const j = journal([jo({clientOrderId: 'u', status: 'unknown', ...old})]);
    const v = venue({
      closedOrders: [vo({id: '42', clientOrderId: 'u', status: 'closed', filled: '1', average: '100'})],
      trades: [trade({id: 't1', orderId: '42', amount: '0.25'}), trade({id: 't2', orderId: '42', amount: '0.75'})],
    });
    const d = diffVenue(j, v, window);
    expect(kinds(d)).toEqual(['fill_missing_in_journal:t1', 'fill_missing_in_journal:t2', 'interrupted:u']);
    const interrupted = d.discrepancies.find((x) => x.kind === 'interrupted')!;
    expect(interrupted.repair).toEqual({op: 'apply_venue_order', clientOrderId: 'u', order: v.closedOrders[0]});
    for (const x of d.discrepancies.filter((x) => x.kind === 'fill_missing_in_journal')) {
      expect(x.repair).toMatchObject({op: 'import_fill', clientOrderId: 'u', origin: 'xarb'});
    }
  });

  it('inside the grace period an interrupted-looking order is in flight: not looked up, not a discrepancy', () => {
    const j = journal([jo({clientOrderId: 'p', status: 'pending_submit', createdAt: window.now - 10_000, updatedAt: window.now - 10_000})]);
    expect(ordersToLookUp(j, venue({}), window)).toEqual([]);
    const d = diffVenue(j, venue({}), window);
    expect(d.discrepancies).toEqual([]);
    expect(d.inFlight).toEqual(['p']);
  });

  it('trades of an order in flight are left to the process placing it', () => {
    const j = journal([jo({clientOrderId: 'p', status: 'unknown', createdAt: window.now - 10_000, updatedAt: window.now - 10_000})]);
    const v = venue({openOrders: [vo({id: '3', clientOrderId: 'p', filled: '0.5'})], trades: [trade({id: 't1', orderId: '3', clientOrderId: 'p', amount: '0.5'})]});
    const d = diffVenue(j, v, window);
    expect(d.discrepancies).toEqual([]);
    expect(d.inFlight).toEqual(['p']);
    expect(d.fillsCompared).toBe(0);
  });
});

describe('diffVenue: fills', () => {
  it('a venue trade missing in the journal is imported; one of an unknown order is external', () => {
    const j = journal([jo({clientOrderId: 'a', venueOrderId: '1', status: 'closed', filled: '1', average: '100'})]);
    const v = venue({
      closedOrders: [vo({id: '1', status: 'closed', filled: '1', average: '100'})],
      trades: [trade({id: 't1', orderId: '1'}), trade({id: 'tx', orderId: '999'})],
    });
    const d = diffVenue(j, v, window);
    expect(kinds(d)).toEqual(['fill_missing_in_journal:t1', 'fill_missing_in_journal:tx']);
    expect(d.discrepancies.find((x) => x.ref === 't1')!.repair).toMatchObject({clientOrderId: 'a', origin: 'xarb'});
    expect(d.discrepancies.find((x) => x.ref === 'tx')!.repair).toMatchObject({clientOrderId: undefined, origin: 'external'});
  });

  it('trades of an imported order belong to the imported order', () => {
    const v = venue({closedOrders: [vo({id: '5', clientOrderId: 'hand', status: 'closed', filled: '1'})], trades: [trade({id: 't9', orderId: '5'})]});
    const d = diffVenue(journal([]), v, window);
    expect(d.discrepancies.find((x) => x.ref === 't9')!.repair).toMatchObject({clientOrderId: 'ext:5', origin: 'external'});
  });

  it('a journal fill the venue does not list is reported without a repair, only inside the window', () => {
    const j = journal([], [fill({tradeId: 'gone'}), fill({tradeId: 'ancient', ts: T0 - 1})]);
    const d = diffVenue(j, venue({}), window);
    expect(kinds(d)).toEqual(['fill_missing_on_venue:gone']);
    expect(d.discrepancies[0]!.repair).toBeUndefined();
  });

  it('a trade listed twice is one fill', () => {
    const j = journal([], [fill({tradeId: 't1'})]);
    const v = venue({trades: [trade({id: 't1', orderId: '1'}), trade({id: 't1', orderId: '1'})]});
    const d = diffVenue(j, v, window);
    expect(d.discrepancies).toEqual([]);
    expect(d.fillsCompared).toBe(1);
  });
});
