import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {VenueUnavailableError} from '../../src/core/errors.js';
import {BalanceSnapshots} from '../../src/core/journal/balance-snapshots.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {add} from '../../src/core/money/decimal.js';
import {aggregateBalances} from '../../src/core/portfolio/balances.js';
import {createPricer} from '../../src/core/portfolio/pricing.js';
import {loadBalances, loadPnl, loadPositions} from '../../src/core/portfolio/service.js';
import type {Balance, Clock, Position, Quote} from '../../src/core/types.js';
import {SimVenue} from '../../src/core/venues/sim/index.js';
import type {OrderRef, Venue, VenueInfo} from '../../src/core/venues/port.js';

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);

class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

/** Delegates to a SimVenue; can fail balances, count quote calls and report positions. */
class Wrapped implements Venue {
  failBalances = false;
  quoteCalls: (readonly string[] | undefined)[] = [];
  readonly info: VenueInfo;
  constructor(
    readonly inner: SimVenue,
    private readonly derivatives?: readonly Position[],
  ) {
    this.info = derivatives ? {...inner.info, capabilities: {...inner.info.capabilities, positions: true}} : inner.info;
    if (derivatives) this.fetchPositions = async () => derivatives;
  }
  fetchPositions?: () => Promise<readonly Position[]>;
  loadMarkets() {
    return this.inner.loadMarkets();
  }
  fetchQuotes(symbols?: readonly string[]): Promise<readonly Quote[]> {
    this.quoteCalls.push(symbols);
    return this.inner.fetchQuotes(symbols);
  }
  fetchOrderBook(symbol: string, depth?: number) {
    return this.inner.fetchOrderBook(symbol, depth);
  }
  fetchCurrencies() {
    return this.inner.fetchCurrencies();
  }
  async fetchBalances(): Promise<readonly Balance[]> {
    if (this.failBalances) throw new VenueUnavailableError(this.info.id, 'request timed out');
    return this.inner.fetchBalances();
  }
  createOrder(r: Parameters<Venue['createOrder']>[0]) {
    return this.inner.createOrder(r);
  }
  cancelOrder(ref: OrderRef, symbol: string) {
    return this.inner.cancelOrder(ref, symbol);
  }
  fetchOrder(ref: OrderRef, symbol: string) {
    return this.inner.fetchOrder(ref, symbol);
  }
  fetchOpenOrders(symbol?: string) {
    return this.inner.fetchOpenOrders(symbol);
  }
  fetchClosedOrders(symbol?: string, since?: number) {
    return this.inner.fetchClosedOrders(symbol, since);
  }
  fetchMyTrades(symbol?: string, since?: number) {
    return this.inner.fetchMyTrades(symbol, since);
  }
  close() {
    return this.inner.close();
  }
}

let db: Db;
let snapshots: BalanceSnapshots;
let clock: ManualClock;
let venues: Wrapped[];

beforeEach(() => {
  db = openTestJournal();
  snapshots = new BalanceSnapshots(db);
  clock = new ManualClock(T0);
  // Three dialects: BTC-USD, btcusdt, XXBTZUSD.
  venues = [
    new Wrapped(new SimVenue('dash1', 'dash', 11, clock, {balances: {USD: '1000', BTC: '0.5', SOL: '10'}})),
    new Wrapped(new SimVenue('lower1', 'lower', 22, clock, {balances: {USDT: '2000', BTC: '0.25', XRP: '100'}})),
    new Wrapped(new SimVenue('kraken1', 'kraken', 33, clock, {balances: {USD: '500', ETH: '2'}})),
  ];
});
afterEach(() => db.close());

describe('loadBalances on simulated venues in three dialects', () => {
  it('adds up balances exactly and values them from the venues own quotes', async () => {
    const r = await loadBalances({venues, clock, snapshots}, {quote: 'USD', allVenues: true, allocations: {dash1: 50}});
    const btc = r.assets.find((a) => a.asset === 'BTC')!;
    expect(btc.total).toBe('0.75');
    expect(btc.venues).toEqual(['dash1', 'lower1']);
    expect(r.assets.find((a) => a.asset === 'USD')!.total).toBe('1500');
    // Same result as the pure aggregator over quotes fetched at the same instant.
    const quotes = (await Promise.all(venues.map((v) => v.inner.fetchQuotes()))).flat();
    const again = aggregateBalances(
      await Promise.all(venues.map(async (v) => ({venue: v.info.id, status: 'ok' as const, asOf: T0, balances: await v.inner.fetchBalances()}))),
      {quote: 'USD', pricer: createPricer(quotes, {now: T0}), now: T0, allocations: {dash1: 50}},
    );
    expect(r.total.value).toBe(again.total.value);
    expect(r.total.partial).toBe(false);
    // USDT is priced through a market (the sim world keeps it near but not exactly at 1).
    const usdt = r.prices.find((p) => p.asset === 'USDT')!;
    expect(usdt.legs.length).toBeGreaterThan(0);
    expect(usdt.label).toMatch(/USDT/);
    expect(r.venues.find((v) => v.venue === 'dash1')!.targetPct).toBe(50);
    expect(r.snapshotRunId).toBe(1);
  });

  it('asks for quotes of assets never seen before in a second round only', async () => {
    await loadBalances({venues, clock, snapshots}, {quote: 'USD', allVenues: true});
    // SOL and XRP are not bridge assets: a second round priced them.
    expect(venues[0]!.quoteCalls.length).toBe(2);
    venues.forEach((v) => (v.quoteCalls = []));
    clock.t += 60_000;
    const r = await loadBalances({venues, clock, snapshots}, {quote: 'USD', allVenues: true});
    // Now the journal knows them: one round.
    expect(venues.map((v) => v.quoteCalls.length)).toEqual([1, 1, 1]);
    expect(r.assets.every((a) => a.value !== undefined)).toBe(true);
  });

  it('shows a failed venue with its last snapshot and age, and marks the total partial', async () => {
    const first = await loadBalances({venues, clock, snapshots}, {quote: 'USD', allVenues: true});
    venues[1]!.failBalances = true;
    clock.t += 5 * 60_000;
    const r = await loadBalances({venues, clock, snapshots}, {quote: 'USD', allVenues: true});
    const lower = r.venues.find((v) => v.venue === 'lower1')!;
    expect(lower).toMatchObject({status: 'failed', stale: true, ageMs: 5 * 60_000});
    expect(lower.error).toContain('timed out');
    expect(r.rows.filter((x) => x.venue === 'lower1').map((x) => [x.asset, x.total, x.stale])).toEqual(
      first.rows.filter((x) => x.venue === 'lower1').map((x) => [x.asset, x.total, true]),
    );
    expect(r.total.partial).toBe(true);
    expect(r.total.reasons[0]).toContain('lower1 failed');
    const runs = snapshots.history({since: 0, quote: 'USD'});
    expect(runs.map((x) => x.partial)).toEqual([false, true]);
    expect(runs[1]!.venues.find((v) => v.venue === 'lower1')).toMatchObject({status: 'failed'});
    // The failed run did not replace the venue's last good snapshot.
    expect(snapshots.lastGood('lower1')!.ts).toBe(T0);
  });

  it('filters the view to one asset but journals every asset', async () => {
    const r = await loadBalances({venues, clock, snapshots}, {quote: 'USD', allVenues: true, asset: 'BTC'});
    expect(r.rows.map((x) => x.asset)).toEqual(['BTC', 'BTC']);
    expect(snapshots.lastGood('kraken1')!.balances.map((b) => b.asset)).toEqual(['ETH', 'USD']);
  });
});

describe('loadPositions', () => {
  it('nets spot and derivatives across venues', async () => {
    const perp: Position = {venue: 'kraken1', symbol: 'BTC/USD:USD', side: 'short', size: '0.75', entryPrice: 60000, markPrice: 61000, unrealizedPnl: -750, leverage: 2, liquidationPrice: 90000};
    venues[2] = new Wrapped(venues[2]!.inner, [perp]);
    const r = await loadPositions({venues, clock, snapshots}, {quote: 'USD', allVenues: true});
    const btc = r.net.find((n) => n.underlying === 'BTC')!;
    expect(btc).toMatchObject({spot: '0.75', short: '0.75', net: '0'});
    expect(r.derivatives[0]).toMatchObject({venue: 'kraken1', side: 'short', leverage: 2, liquidationPrice: 90000});
    expect(r.venues.map((v) => v.positions)).toEqual(['unsupported', 'unsupported', 'ok']);
  });
});

describe('loadPnl', () => {
  it('marks open positions at the venues current prices', async () => {
    const fills = [{venue: 'dash1', tradeId: '1', symbol: 'BTC/USD', side: 'buy' as const, price: '60000', amount: '0.1', fee: {cost: '6', currency: 'USD'}, ts: T0 - 1000}];
    const r = await loadPnl({venues, clock}, fills, {quote: 'USD'});
    const s = r.assets[0]!;
    expect(Number(s.markPrice)).toBeGreaterThan(0);
    // unrealized = 0.1 x mark - 6000
    expect(Number(s.unrealized)).toBeCloseTo(0.1 * Number(s.markPrice) - 6000, 6);
    expect(r.total.fees).toBe('6');
    expect(add(r.total.realized, '0')).toBe('0');
  });
});
