import {describe, expect, it} from 'vitest';
import {scanArb, ArbScanner} from '../../src/core/arb/scan.js';
import {trackOpportunities, watchArb, StreamingBooks} from '../../src/core/arb/watch.js';
import {summarizeHistory} from '../../src/core/arb/history.js';
import type {Opportunity} from '../../src/core/arb/types.js';
import {VenueUnavailableError} from '../../src/core/errors.js';
import {openTestJournal} from '../support/postgres.js';
import {OpportunitiesRepo} from '../../src/core/journal/opportunities.js';
import type {Balance, Currency, Level, Market, OrderBook, Quote} from '../../src/core/types.js';
import type {Venue, VenueInfo} from '../../src/core/venues/port.js';
import {createSimVenue, demoProfile} from '../../src/core/venues/sim/index.js';

const T0 = 1_700_000_000_000;

function market(symbol: string, over: Partial<Market> = {}): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol, id: symbol.replace('/', ''), base, quote, baseId: base, quoteId: quote, type: 'spot', active: true,
    taker: 0.001, maker: 0, amountStep: 0.001, priceStep: 0.01, minAmount: 0.001, maxAmount: undefined, minCost: 1,
    ...over,
  };
}

interface FakeBook {
  bids: Level[];
  asks: Level[];
  ageMs?: number;
}

/** A hand-written venue with fixed data; counts calls. */
class FakeVenue implements Venue {
  readonly info: VenueInfo;
  calls = {quotes: 0, books: [] as string[], balances: 0};
  failQuotes = false;
  watchOrderBook?: (symbol: string, depth?: number, signal?: AbortSignal) => AsyncIterable<OrderBook>;
  constructor(
    id: string,
    readonly markets: Market[],
    public books: Record<string, FakeBook>,
    readonly clock: {now(): number},
    readonly options: {balances?: Balance[]; mode?: 'paper' | 'live'; hasKeys?: boolean; currencies?: Currency[]} = {},
  ) {
    this.info = {
      id, exchange: 'fake', simulated: false, sandbox: false, mode: options.mode ?? 'live', hasKeys: options.hasKeys ?? false, rateLimitMs: 0,
      capabilities: {bidsAsks: true, orderBookStream: false, positions: false, currencies: options.currencies !== undefined, withdraw: false, depositAddress: false, transfers: false},
    };
  }
  async loadMarkets() {
    return this.markets;
  }
  async fetchQuotes(symbols?: readonly string[]): Promise<Quote[]> {
    this.calls.quotes++;
    if (this.failQuotes) throw new VenueUnavailableError(this.info.id, 'timeout');
    const now = this.clock.now();
    return (symbols ?? this.markets.map((m) => m.symbol)).filter((s) => this.books[s]).map((s) => {
      const b = this.books[s]!;
      const ts = now - (b.ageMs ?? 0);
      return {venue: this.info.id, symbol: s, bid: b.bids[0]?.[0], bidSize: b.bids[0]?.[1], ask: b.asks[0]?.[0], askSize: b.asks[0]?.[1], timestamp: ts, receivedAt: now};
    });
  }
  async fetchOrderBook(symbol: string): Promise<OrderBook> {
    this.calls.books.push(symbol);
    const b = this.books[symbol]!;
    const now = this.clock.now();
    return {venue: this.info.id, symbol, bids: b.bids, asks: b.asks, timestamp: now - (b.ageMs ?? 0), receivedAt: now};
  }
  async fetchCurrencies() {
    return this.options.currencies ?? [];
  }
  async fetchBalances() {
    this.calls.balances++;
    return this.options.balances ?? [];
  }
  createOrder(): never {
    throw new Error('not used');
  }
  cancelOrder(): never {
    throw new Error('not used');
  }
  fetchOrder(): never {
    throw new Error('not used');
  }
  async fetchOpenOrders() {
    return [];
  }
  async fetchClosedOrders() {
    return [];
  }
  async fetchMyTrades() {
    return [];
  }
  async close() {}
}

function world() {
  let now = T0;
  const clock = {now: () => now};
  const markets = [market('BTC/USD'), market('ETH/USD'), market('SOL/USD')];
  const a = new FakeVenue('a', markets, {
    'BTC/USD': {bids: [[99.9, 1]], asks: [[100, 1], [100.5, 2]]},
    'ETH/USD': {bids: [[9.99, 10]], asks: [[10, 10]]},
    'SOL/USD': {bids: [[0.999, 100]], asks: [[1, 100]]},
  }, clock);
  const b = new FakeVenue('b', markets, {
    'BTC/USD': {bids: [[101, 0.4], [100.2, 5]], asks: [[101.2, 1]]},
    'ETH/USD': {bids: [[10.001, 10]], asks: [[10.01, 10]]}, // crossed by 1 bp: fees eat it
    'SOL/USD': {bids: [[1.05, 100]], asks: [[1.06, 100]], ageMs: 60_000}, // stale
  }, clock);
  return {clock, a, b, setNow: (t: number) => (now = t)};
}

describe('scanArb (cross-venue, two stages)', () => {
  it('screens with one quotes call per venue and fetches depth only for candidates', async () => {
    const {clock, a, b} = world();
    const r = await scanArb({venues: [a, b], clock}, {});
    expect(a.calls.quotes).toBe(1);
    expect(b.calls.quotes).toBe(1);
    expect(a.calls.books).toEqual(['BTC/USD']);
    expect(b.calls.books).toEqual(['BTC/USD']);
    expect(r.screened).toBe(3);
    expect(r.candidates).toBe(1);
    expect(r.stale.count).toBe(1);
    expect(r.stale.items[0]).toMatchObject({venue: 'b', symbol: 'SOL/USD'});
    expect(r.opportunities).toHaveLength(1);
    const o = r.opportunities[0]!;
    if (o.kind !== 'cross') throw new Error('cross expected');
    // 100 vs 101 for 0.4; then 100 vs 100.2: 100.0998 - 100.1 < 0
    expect(o.amount).toBe('0.4');
    expect(o.netProfit).toBeCloseTo(0.4 * (101 * 0.999 - 100 * 1.001), 9);
    expect([o.buy.venue, o.sell.venue]).toEqual(['a', 'b']);
  });

  it('goes on without a venue that fails and lists the failure', async () => {
    const {clock, a, b} = world();
    const c = new FakeVenue('c', a.markets, {'BTC/USD': {bids: [[102, 1]], asks: [[102.1, 1]]}}, clock);
    c.failQuotes = true;
    const r = await scanArb({venues: [a, b, c], clock}, {});
    expect(r.failures).toEqual([expect.objectContaining({venue: 'c', stage: 'quotes', error: 'VenueUnavailableError'})]);
    expect(r.venues.find((v) => v.venue === 'c')?.ok).toBe(false);
    expect(r.opportunities).toHaveLength(1);
  });

  it('caps by balances when the venue has keys or is a funded paper venue, and not otherwise', async () => {
    const {clock, a} = world();
    const bKeys = new FakeVenue('b', a.markets, {'BTC/USD': {bids: [[101, 0.4]], asks: [[101.2, 1]]}}, clock, {hasKeys: true, balances: [{asset: 'BTC', free: '0.25', used: '0', total: '0.25'}]});
    const r = await scanArb({venues: [a, bKeys], clock}, {});
    expect(r.opportunities[0]!.kind === 'cross' && r.opportunities[0]!.amount).toBe('0.25');
    expect(r.opportunities[0]!.limitedBy).toBe('balance-sell');
    expect(r.venues.find((v) => v.venue === 'b')?.balancesUsed).toBe(true);
    const ignored = await scanArb({venues: [a, bKeys], clock}, {useBalances: false});
    expect(ignored.opportunities[0]!.kind === 'cross' && ignored.opportunities[0]!.amount).toBe('0.4');
    const emptyPaper = new FakeVenue('b', a.markets, {'BTC/USD': {bids: [[101, 0.4]], asks: [[101.2, 1]]}}, clock, {mode: 'paper'});
    const p = await scanArb({venues: [a, emptyPaper], clock}, {});
    expect(p.venues.find((v) => v.venue === 'b')?.balancesUsed).toBe(false);
  });

  it('lists requested symbols no two venues have', async () => {
    const {clock, a, b} = world();
    const r = await scanArb({venues: [a, b], clock}, {symbols: ['BTC/USD', 'DOGE/USD']});
    expect(r.unlisted).toEqual(['DOGE/USD']);
    expect(r.screened).toBe(1);
  });

  it('records every opportunity seen in the journal', async () => {
    const {clock, a, b} = world();
    const db = openTestJournal();
    const repo = new OpportunitiesRepo(db);
    await scanArb({venues: [a, b], clock, recorder: repo}, {});
    const eps = repo.episodes(0);
    expect(eps).toHaveLength(1);
    expect(eps[0]).toMatchObject({kind: 'cross', symbol: 'BTC/USD', buyVenue: 'a', sellVenue: 'b', sightings: 1, firstSeen: T0, lastSeen: T0});
    db.close();
  });
});

describe('scanArb on simulated venues', () => {
  it('finds cross-venue and triangular opportunities on the demo venues at a known clock value', async () => {
    // T = 2024-01-01T00:06:00Z: the seeded generator has dislocations on several symbols (see sim generator).
    const t = Date.UTC(2024, 0, 1) + 6 * 60_000;
    const clock = {now: () => t};
    const venues = Object.entries(demoProfile()).map(([name, config]) => createSimVenue(name, config, clock));
    const cross = await scanArb({venues, clock}, {useBalances: false});
    expect(cross.simulatedVenues).toHaveLength(4);
    expect(cross.opportunities.length).toBeGreaterThan(0);
    for (const o of cross.opportunities) {
      if (o.kind !== 'cross') throw new Error('cross expected');
      expect(o.netProfit).toBeGreaterThan(0);
      expect(o.buy.venue).not.toBe(o.sell.venue);
      expect(o.buy.symbol).toBe(o.sell.symbol);
      expect(o.quoteGroup).toBeUndefined();
    }
    const values = cross.opportunities.map((o) => o.netValue ?? o.netProfit);
    expect([...values].sort((x, y) => y - x)).toEqual(values);
    const tri = await scanArb({venues, clock}, {triangular: true, useBalances: false});
    expect(tri.opportunities.length).toBeGreaterThan(0);
    for (const o of tri.opportunities) {
      if (o.kind !== 'triangular') throw new Error('triangular expected');
      expect(o.endAmount).toBeGreaterThan(o.startAmount);
      expect(o.legs[0].from).toBe(o.assets[0]);
      expect(o.legs[2].to).toBe(o.assets[0]);
    }
  });
});

describe('watch', () => {
  const opp = (key: string, venue = 'a'): Opportunity => ({kind: 'triangular', key, venue} as unknown as Opportunity);

  it('tracks appearance, lifetime and vanishing; keeps opportunities of a venue that failed', () => {
    const s1 = trackOpportunities(new Map(), [opp('x'), opp('y', 'b')], 1000);
    expect(s1.appeared.map((t) => t.key)).toEqual(['x', 'y']);
    const s2 = trackOpportunities(s1.next, [opp('x')], 3000, new Set(['b']));
    expect(s2.appeared).toHaveLength(0);
    expect(s2.vanished).toHaveLength(0);
    expect(s2.next.get('x')).toMatchObject({firstSeen: 1000, lastSeen: 3000, lifetimeMs: 2000, sightings: 2});
    const s3 = trackOpportunities(s2.next, [], 5000);
    expect(s3.vanished.map((t) => [t.key, t.lifetimeMs])).toEqual([['x', 2000], ['y', 0]]);
  });

  it('loops in core, reports new and vanished opportunities and closes their journal episodes', async () => {
    const {clock, a, b, setNow} = world();
    const db = openTestJournal();
    const repo = new OpportunitiesRepo(db);
    const ticks = [];
    let t = T0;
    const sleep = async (ms: number) => {
      t += Math.max(ms, 1000);
      setNow(t);
      // the dislocation disappears after the second scan
      if (t >= T0 + 2000) b.books['BTC/USD'] = {bids: [[99.95, 1]], asks: [[101.2, 1]]};
    };
    for await (const tick of watchArb({venues: [a, b], clock, recorder: repo}, {}, {intervalMs: 1000, maxIterations: 3, sleep})) ticks.push(tick);
    expect(ticks.map((k) => [k.appeared.length, k.vanished.length, k.active.length])).toEqual([[1, 0, 1], [0, 0, 1], [0, 1, 0]]);
    expect(ticks[2]!.vanished[0]!.lifetimeMs).toBe(1000);
    const eps = repo.episodes(0);
    expect(eps).toHaveLength(1);
    expect(eps[0]).toMatchObject({firstSeen: T0, lastSeen: T0 + 1000, closedAt: T0 + 2000, sightings: 2});
    db.close();
  });

  it('uses streamed books where the venue streams them', async () => {
    const {clock, a} = world();
    const streamed: string[] = [];
    const b = new FakeVenue('b', a.markets, {'BTC/USD': {bids: [[101, 0.4]], asks: [[101.2, 1]]}}, clock);
    (b.info.capabilities as {orderBookStream: boolean}).orderBookStream = true;
    b.watchOrderBook = async function* (symbol: string, _depth?: number, signal?: AbortSignal) {
      streamed.push(symbol);
      yield {venue: 'b', symbol, bids: [[101, 0.4]], asks: [[101.2, 1]], timestamp: clock.now(), receivedAt: clock.now()} as OrderBook;
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), {once: true}));
    };
    const books = new StreamingBooks();
    const scanner = new ArbScanner({venues: [a, b], clock, books}, {});
    const r = await scanner.scan();
    expect(r.opportunities).toHaveLength(1);
    expect(streamed).toEqual(['BTC/USD']);
    expect(b.calls.books).toEqual([]);
    expect(a.calls.books).toEqual(['BTC/USD']);
    expect(books.open).toBe(1);
    books.close();
    expect(books.open).toBe(0);
  });
});

describe('history', () => {
  it('continues episodes within the gap, starts new ones after it, and summarizes per opportunity', () => {
    const db = openTestJournal();
    const repo = new OpportunitiesRepo(db, {gapMs: 60_000});
    const o = (netBps: number, size: number): Opportunity =>
      ({
        kind: 'cross', key: 'cross:BTC/USD:a>b', symbol: 'BTC/USD', base: 'BTC', quote: 'USD', quoteGroup: undefined,
        buy: {venue: 'a', symbol: 'BTC/USD', topPrice: 100, feeRate: 0.001}, sell: {venue: 'b', symbol: 'BTC/USD', topPrice: 101, feeRate: 0.001},
        size, netBps, netProfit: netBps / 100, netValue: netBps / 100,
      }) as unknown as Opportunity;
    repo.observe([o(20, 1)], T0);
    repo.observe([o(30, 2)], T0 + 30_000);
    repo.observe([o(10, 1)], T0 + 200_000); // > 60 s after the last sighting: a new episode
    const eps = repo.episodes(0);
    expect(eps.map((e) => [e.firstSeen - T0, e.lastSeen - T0, e.sightings, e.bestNetBps, e.maxSize])).toEqual([[0, 30_000, 2, 30, 2], [200_000, 200_000, 1, 10, 1]]);
    const h = summarizeHistory(eps, repo.observations(0), {since: T0, now: T0 + 240_000, symbol: 'BTC/USD', buckets: 4});
    expect(h.opportunities).toHaveLength(1);
    expect(h.opportunities[0]).toMatchObject({episodes: 2, sightings: 3, totalLifetimeMs: 30_000, longestLifetimeMs: 30_000, bestNetBps: 30, avgNetBps: 20});
    expect(h.series?.points.map((p) => p.netBps)).toEqual([30, undefined, undefined, 10]);
    expect(summarizeHistory(eps, repo.observations(0), {since: T0, now: T0 + 240_000, symbol: 'ETH/USD'}).opportunities).toHaveLength(0);
    db.close();
  });
});
