import {describe, expect, it} from 'vitest';
import {IncrementalCross} from '../../src/core/arb/incremental.js';
import {scanArb} from '../../src/core/arb/scan.js';
import {makeValuer} from '../../src/core/arb/valuation.js';
import {currencyIndex} from '../../src/core/arb/identity.js';
import type {Currency, Market, OrderBook} from '../../src/core/types.js';
import type {Venue} from '../../src/core/venues/port.js';
import {createSimVenue, demoProfile} from '../../src/core/venues/sim/index.js';

async function world(at: number): Promise<{venues: Venue[]; markets: Map<string, readonly Market[]>; currencies: Map<string, ReadonlyMap<string, Currency>>; books: OrderBook[]}> {
  const clock = {now: () => at};
  const venues = Object.entries(demoProfile()).map(([name, config]) => createSimVenue(name, {...config, mode: 'live'}, clock));
  const markets = new Map<string, readonly Market[]>();
  const books: OrderBook[] = [];
  const currencies = new Map<string, ReadonlyMap<string, Currency>>();
  for (const v of venues) {
    currencies.set(v.info.id, currencyIndex(await v.fetchCurrencies()));
    const list = await v.loadMarkets();
    markets.set(v.info.id, list);
    for (const m of list) books.push(await v.fetchOrderBook(m.symbol, 50));
  }
  return {venues, markets, currencies, books};
}

const options = {minBps: 0, minProfit: 0, maxAgeMs: 10_000, withTransfer: false};

async function edgeClock(): Promise<number> {
  for (let at = 1_700_000_000_000; ; at += 37_000) {
    const {venues} = await world(at);
    const r = await scanArb({venues, clock: {now: () => at}}, {useBalances: false, maxCandidates: 1000, pairsPerSymbol: 100});
    if (r.opportunities.length >= 2) return at;
  }
}

describe('incremental cross-venue scanning', () => {
  it('finds what a full scan finds on the same books', async () => {
    const at = await edgeClock();
    const {venues, markets, currencies, books} = await world(at);
    const full = await scanArb({venues, clock: {now: () => at}}, {useBalances: false, maxCandidates: 1000, pairsPerSymbol: 100});
    const engine = new IncrementalCross(markets, currencies, {...options, valuer: makeValuer(books.map((b) => ({venue: b.venue, symbol: b.symbol, bid: b.bids[0]?.[0], ask: b.asks[0]?.[0], bidSize: undefined, askSize: undefined, timestamp: b.timestamp, receivedAt: b.receivedAt})), 'USD')});
    engine.load(books, at);
    expect(engine.opportunities(at)).toEqual(full.opportunities);
  });

  it('a book update re-evaluates only the pairs that book takes part in', async () => {
    const at = 1_700_000_000_000;
    const {markets, books} = await world(at);
    const engine = new IncrementalCross(markets, new Map(), {...options, valuer: () => 1});
    engine.load(books, at);
    const before = engine.opportunities(at);
    const btc = books.filter((b) => b.symbol === 'BTC/USD');
    expect(btc.length).toBeGreaterThanOrEqual(3);
    const [target, ...others] = btc;
    // Make the target venue's BTC/USD ask far below everyone's bid: an edge buying there.
    const cheap = 0.9 * Math.min(...others.map((b) => b.bids[0]![0]));
    const moved: OrderBook = {...target!, asks: [[cheap, 0.5], ...target!.asks.slice(1)]};
    const evaluationsBefore = engine.evaluations;
    const evaluated = engine.update(moved, at);
    expect(evaluated).toBe(2 * others.length);
    expect(engine.evaluations - evaluationsBefore).toBe(2 * others.length);
    const after = engine.opportunities(at);
    const edge = after.find((o) => o.symbol === 'BTC/USD' && o.buy.venue === target!.venue);
    expect(edge).toBeDefined();
    expect(edge!.buy.topPrice).toBe(cheap);
    // Everything not about BTC/USD is unchanged.
    expect(after.filter((o) => o.symbol !== 'BTC/USD')).toEqual(before.filter((o) => o.symbol !== 'BTC/USD'));
    // Restoring the book removes the edge again.
    engine.update(target!, at);
    expect(engine.opportunities(at).find((o) => o.symbol === 'BTC/USD' && o.buy.venue === target!.venue)).toBeUndefined();
    // A book of a symbol nobody else lists, or of an unknown venue, evaluates nothing.
    expect(engine.update({...target!, venue: 'elsewhere'}, at)).toBe(0);
  });

  it('drops opportunities whose books went stale', async () => {
    const at = await edgeClock();
    const {markets, books} = await world(at);
    const engine = new IncrementalCross(markets, new Map(), {...options, valuer: () => 1});
    engine.load(books, at);
    expect(engine.opportunities(at).length).toBeGreaterThan(0);
    expect(engine.opportunities(at + 60_000)).toEqual([]);
    expect(engine.stale(at + 60_000).length).toBe(books.length);
  });
});
