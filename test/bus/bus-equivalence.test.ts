/**
 * Results from the bus equal direct mode on the same books: seven simulated
 * venues at a fixed clock are collected into a real NATS JetStream bus, then
 * prices and both scans run once against the venues and once against the
 * bus venues, and must agree exactly.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {scanArb, type ArbScanOptions} from '../../src/core/arb/scan.js';
import {watchArb, type ArbWatchTick} from '../../src/core/arb/watch.js';
import {collect, collectPlan} from '../../src/core/bus/collector.js';
import {dropBus, NatsBus} from '../../src/core/bus/nats.js';
import {busVenues, withBusMarketData, type BusVenue} from '../../src/core/bus/venue.js';
import {defaultConfig} from '../../src/core/config/schema.js';
import {planView, prepareOrder, type OrderIntent} from '../../src/core/execution/order.js';
import {openDb} from '../../src/core/journal/db.js';
import type {VenueConfig} from '../../src/core/config/schema.js';
import {fetchPrices} from '../../src/core/market/prices.js';
import type {Market} from '../../src/core/types.js';
import type {Venue} from '../../src/core/venues/port.js';
import {createSimVenue, demoProfile} from '../../src/core/venues/sim/index.js';
import {skipWithoutNats, testSource, until} from '../support/nats.js';

const skip = await skipWithoutNats();

const extra: Record<string, VenueConfig> = {
  simfive: {exchange: 'sim', mode: 'live', sim: {seed: 505, dialect: 'dash'}},
  simsix: {exchange: 'sim', mode: 'live', sim: {seed: 606, dialect: 'lower'}},
  simseven: {exchange: 'sim', mode: 'live', sim: {seed: 707, dialect: 'slash'}},
};

function simVenues(at: number): Venue[] {
  const clock = {now: () => at};
  return Object.entries({...demoProfile(), ...extra}).map(([name, config]) => createSimVenue(name, {...config, mode: 'live'}, clock));
}

const DEPTH = 50;
const scanOptions: ArbScanOptions = {useBalances: false, depth: DEPTH, maxCandidates: 100};

/** A clock value at which the direct cross-venue scan finds opportunities (so the comparison is not of two empty lists). */
async function clockWithEdges(): Promise<number> {
  for (let at = 1_700_000_000_000; at < 1_700_000_000_000 + 3_600_000; at += 37_000) {
    const venues = simVenues(at);
    const r = await scanArb({venues, clock: {now: () => at}}, scanOptions);
    if (r.opportunities.length >= 2) return at;
  }
  throw new Error('no clock value with opportunities');
}

describe.skipIf(skip)('prices and arb scan from the bus equal direct mode on the same books', () => {
  const source = testSource('equiv');
  let at: number;
  let bus: NatsBus;
  let direct: Venue[];
  let fromBus: Venue[];

  beforeAll(async () => {
    at = await clockWithEdges();
    const clock = {now: () => at};
    direct = simVenues(at);
    const collecting = simVenues(at);
    bus = await NatsBus.open({url: source, create: true});
    // Collect every market of every venue once, then stop.
    const markets = new Map<string, readonly Market[]>();
    for (const v of collecting) markets.set(v.info.id, await v.loadMarkets());
    const all = [...new Set([...markets.values()].flatMap((list) => list.map((m) => m.symbol)))];
    const expected = [...collectPlan(markets, all).values()].reduce((n, list) => n + list.length, 0);
    const controller = new AbortController();
    await collect({
      venues: collecting,
      bus,
      clock,
      signal: controller.signal,
      symbols: all,
      depth: DEPTH,
      pollMs: 60_000,
      statusMs: 20,
      onStatus: (s) => {
        if (s.published >= expected) controller.abort();
      },
    });
    expect((await bus.listBooks()).length).toBe(expected);
    // In the venues' order, as direct mode lists them.
    fromBus = await busVenues(bus, direct.map((v) => v.info.id));
  });

  afterAll(async () => {
    await bus?.close();
    await dropBus(source);
  });

  it('lists the same seven venues with the same markets', async () => {
    expect(fromBus.map((v) => v.info.id).sort()).toEqual(direct.map((v) => v.info.id).sort());
    for (const v of direct) {
      const b = fromBus.find((x) => x.info.id === v.info.id)!;
      expect(await b.loadMarkets()).toEqual(await v.loadMarkets());
      expect(b.info.simulated).toBe(true);
    }
  });

  it('prices: the same rows, best venues and spreads (quotes and sized walks)', async () => {
    const clock = {now: () => at + 1500};
    const symbols = ['BTC/USD', 'ETH/USDT', 'SOL/USD'];
    for (const options of [{maxAgeMs: 10_000, clock}, {maxAgeMs: 10_000, clock, size: '0.7', depth: DEPTH}, {maxAgeMs: 1000, clock}, {maxAgeMs: 10_000, clock, quoteGroup: 'usd'}]) {
      const a = await fetchPrices(direct, symbols, options);
      const b = await fetchPrices(fromBus, symbols, options);
      expect(b).toEqual(a);
    }
    // --max-age applies to the bus's books as to the venues': 1 s old at +1.5 s is stale in both.
    const stale = await fetchPrices(fromBus, ['BTC/USD'], {maxAgeMs: 1000, clock});
    expect(stale.symbols[0]!.rows.filter((r) => r.status === 'ok').every((r) => r.stale)).toBe(true);
  });

  it('arb scan: the same cross-venue opportunities, skips and stale lists', async () => {
    const clock = {now: () => at};
    const a = await scanArb({venues: direct, clock}, scanOptions);
    const b = await scanArb({venues: fromBus, clock}, scanOptions);
    expect(a.opportunities.length).toBeGreaterThanOrEqual(2);
    expect(b.opportunities).toEqual(a.opportunities);
    expect({...b, venues: []}).toEqual({...a, venues: []});
  });

  it('arb scan --triangular: the same cycles', async () => {
    const clock = {now: () => at};
    const a = await scanArb({venues: direct, clock}, {...scanOptions, triangular: true});
    const b = await scanArb({venues: fromBus, clock}, {...scanOptions, triangular: true});
    // netValue converts with a valuer built from the venues' quotes in the order the venues answer, which
    // varies from run to run in either mode; everything else is exact.
    const strip = (list: typeof a.opportunities) => list.map((o) => ({...o, netValue: undefined}));
    expect(strip(b.opportunities)).toEqual(strip(a.opportunities));
    b.opportunities.forEach((o, i) => expect(o.netValue).toBeCloseTo(a.opportunities[i]!.netValue!, 0));
    expect(b.cyclesChecked).toBe(a.cyclesChecked);
  });

  it('arb scan --watch on the bus: starts from the same set, then a pushed book changes only its symbol', async () => {
    const clock = {now: () => at};
    const full = await scanArb({venues: direct, clock}, {...scanOptions, maxCandidates: 1000, pairsPerSymbol: 100});
    const btc = await Promise.all(direct.map((v) => v.fetchOrderBook('BTC/USD', DEPTH).catch(() => undefined)));
    const listed = btc.filter((b) => b !== undefined);
    const target = listed[0]!;
    const cheap = 0.9 * Math.min(...listed.slice(1).map((b) => b.bids[0]![0]));
    const ticks: ArbWatchTick[] = [];
    const busStats = {updates: 0, gaps: 0, lastApplyMs: 0};
    for await (const tick of watchArb({venues: fromBus, clock}, scanOptions, {
      maxIterations: 2,
      intervalMs: 0,
      busStats,
      sleep: async () => {
        await bus.publishBook({...target, asks: [[cheap, 0.5], ...target.asks.slice(1)], sequence: 2});
        await bus.flush();
        // Until the watch has applied that update (it arrives on its own subscription).
        await until(() => busStats.updates >= 1, 5000);
      },
    })) ticks.push(tick);
    expect(busStats.updates).toBe(1);
    // netValue depends on the valuer's quotes (all books held vs the screened quotes); the rest is exact.
    const strip = (list: readonly unknown[]) => list.map((o) => ({...(o as object), netValue: undefined}));
    expect(strip(ticks[0]!.result.opportunities)).toEqual(strip(full.opportunities));
    const appeared = ticks[1]!.appeared.map((t) => t.opportunity);
    expect(appeared.some((o) => o.kind === 'cross' && o.symbol === 'BTC/USD' && o.buy.venue === target.venue && o.buy.topPrice === cheap)).toBe(true);
    expect(strip(ticks[1]!.result.opportunities.filter((o) => o.kind === 'cross' && o.symbol !== 'BTC/USD'))).toEqual(strip(full.opportunities.filter((o) => o.kind === 'cross' && o.symbol !== 'BTC/USD')));
  });

  it('order routing: the same plan from books read from the bus as from the venues, with the same freshness rule', async () => {
    const db = openDb(':memory:');
    try {
      const env = (now: number) => ({db, clock: {now: () => now}, config: defaultConfig, venues: new Map(direct.map((v) => [v.info.id, v]))});
      // Balances and orders stay the venues' own; markets and books come from the bus.
      const routed = direct.map((v) => withBusMarketData(v, fromBus.find((b) => b.info.id === v.info.id) as BusVenue));
      expect(routed.map((v) => v.info)).toEqual(direct.map((v) => v.info));
      // (Not BTC/USD: the --watch test above pushed a changed BTC/USD book to the bus.)
      const intents: OrderIntent[] = [
        {symbol: 'SOL/USD', side: 'buy', amount: '0.7', strategy: 'best_price'},
        {symbol: 'ETH/USDT', side: 'sell', amount: '2.5', strategy: 'split'},
        {symbol: 'ETH/USDT', side: 'buy', amount: '3', strategy: 'lowest_fee'},
        {symbol: 'ETH/USDT', side: 'sell', amount: '1', strategy: 'priority'},
        {symbol: 'SOL/USD', side: 'buy', amount: '10', limitPrice: '150', strategy: 'split'},
      ];
      for (const intent of intents) {
        const a = await prepareOrder(env(at + 1500), direct, direct, intent, {maxAgeMs: 10_000});
        const b = await prepareOrder(env(at + 1500), routed, routed, intent, {maxAgeMs: 10_000});
        expect(a.plan.children.length, intent.strategy).toBeGreaterThan(0);
        expect(planView(b)).toEqual(planView(a));
      }
      // Books 1.5 s old with --max-age 1s: stale in both modes, the same venues skipped and the same refusal.
      const stale = async (venues: typeof direct) => prepareOrder(env(at + 1500), venues, venues, intents[0]!, {maxAgeMs: 1000}).then(() => 'planned', (e: Error) => `${e.name}: ${e.message}`);
      const refusal = await stale(direct);
      expect(refusal).toMatch(/^VenueError: .*stale/);
      expect(await stale(routed)).toBe(refusal);
    } finally {
      db.close();
    }
  });
});
