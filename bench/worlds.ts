/**
 * Synthetic, seeded market worlds and the CPU/wall measurement shared by the
 * scan benchmarks (arb, bus).
 */
import {evaluateCrossCandidates, screenCross, type VenueSnapshot} from '../src/core/arb/cross.js';
import {makeValuer} from '../src/core/arb/valuation.js';
import type {Level, Market, OrderBook, Quote} from '../src/core/types.js';
import {median} from './lib.js';

export const NOW = 1_700_000_000_000;

/**
 * Median CPU ms (process user + system) and median wall ms after a few
 * warm-up runs. The machine is shared: CPU time is what the computation
 * costs; wall time also counts waiting for the other processes.
 */
export function measure(fn: () => unknown, runs = 21, warmup = 5): {cpu: number; wall: number} {
  for (let i = 0; i < warmup; i++) fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return {cpu: median(cpu), wall: median(wall)};
}

export function show(m: {cpu: number; wall: number}): string {
  return `${m.cpu.toFixed(1)} ms cpu, ${m.wall.toFixed(1)} ms wall`;
}

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function market(base: string, quote: string, taker: number): Market {
  return {
    symbol: `${base}/${quote}`, id: `${base}${quote}`, base, quote, baseId: base, quoteId: quote, type: 'spot', active: true,
    taker, maker: taker / 2, amountStep: 0.0001, priceStep: undefined, minAmount: 0.0001, maxAmount: undefined, minCost: 1,
  };
}

/** A depth-`n` book around `mid` with a half spread in bps; sizes grow with depth. */
export function book(venue: string, symbol: string, mid: number, halfSpreadBps: number, n: number, size: number): OrderBook {
  const bids: Level[] = [];
  const asks: Level[] = [];
  const step = mid * 0.0002;
  const half = mid * (halfSpreadBps / 10_000);
  for (let i = 0; i < n; i++) {
    bids.push([mid - half - i * step, size * (1 + i / 4)]);
    asks.push([mid + half + i * step, size * (1 + i / 4)]);
  }
  return {venue, symbol, bids, asks, timestamp: NOW, receivedAt: NOW};
}

export function quoteOf(b: OrderBook): Quote {
  return {venue: b.venue, symbol: b.symbol, bid: b.bids[0]![0], bidSize: b.bids[0]![1], ask: b.asks[0]![0], askSize: b.asks[0]![1], timestamp: b.timestamp, receivedAt: b.receivedAt};
}

export interface CrossWorld {
  snapshots: VenueSnapshot[];
  books: Map<string, OrderBook>;
}

export function crossWorld(venues: number, symbols: number, seed = 1, depth = 50): CrossWorld {
  const r = rng(seed);
  const mids = Array.from({length: symbols}, () => 0.01 + r() * 1000);
  const books = new Map<string, OrderBook>();
  const snapshots: VenueSnapshot[] = [];
  for (let v = 0; v < venues; v++) {
    const name = `v${v}`;
    const taker = 0.0005 + (v % 4) * 0.0002;
    const markets: Market[] = [];
    const quotes: Quote[] = [];
    for (let s = 0; s < symbols; s++) {
      const base = `A${s}`;
      markets.push(market(base, 'USDT', taker));
      const dislocated = r() < 0.04 / Math.max(1, venues / 2);
      const mid = mids[s]! * (1 + (r() - 0.5) * 0.0002 + (dislocated ? (30 + r() * 50) / 10_000 : 0));
      const b = book(name, `${base}/USDT`, mid, 2 + r() * 3, depth, 5 + r() * 20);
      books.set(`${name}\u0000${base}/USDT`, b);
      quotes.push(quoteOf(b));
    }
    markets.push(market('USDT', 'USD', taker));
    const usdt = book(name, 'USDT/USD', 1, 1, 50, 1e6);
    quotes.push(quoteOf(usdt));
    snapshots.push({venue: name, markets, quotes});
  }
  return {snapshots, books};
}

export function crossScan(w: CrossWorld): number {
  const screen = screenCross(w.snapshots, {now: NOW, maxAgeMs: 10_000, minBps: 0, maxCandidates: 40, pairsPerSymbol: 3});
  const valuer = makeValuer(w.snapshots.flatMap((s) => s.quotes), 'USD');
  const ev = evaluateCrossCandidates(screen.candidates, w.books, new Map(), new Map(w.snapshots.map((s) => [s.venue, s])), {
    now: NOW, maxAgeMs: 10_000, minBps: 0, minProfit: 0, valuer, withTransfer: false,
  });
  return ev.opportunities.length;
}
