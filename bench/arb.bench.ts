/**
 * Arbitrage scan computation (no network): the pure screens and depth walks
 * on synthetic, seeded data, median of runs.
 *
 * - Cross-venue: V venues x S common symbols, one quote per (venue, symbol),
 *   ~4 % of symbols dislocated 30-80 bps on one venue; depth-50 books ready
 *   for every (venue, symbol) so the depth stage only pays for candidates.
 *   Target: 10 venues x 1,000 symbols < 50 ms.
 * - Triangular: one venue with 3,000 markets (1,000 bases against USDT, BTC
 *   and ETH), some cross rates off by 30-80 bps. Target: < 100 ms.
 * - A table of cross-venue time against venues and symbols.
 * - The whole ArbScanner on in-memory venues (promises, maps, balances off).
 */
import {screenCross, type VenueSnapshot} from '../src/core/arb/cross.js';
import {ArbScanner} from '../src/core/arb/scan.js';
import {evaluateTriangularCandidates, screenTriangular} from '../src/core/arb/triangular.js';
import type {Market, OrderBook, Quote} from '../src/core/types.js';
import type {Venue} from '../src/core/venues/port.js';
import {row, timeAsync} from './lib.js';
import {book, crossScan, crossWorld, market, measure, NOW, quoteOf, rng, show} from './worlds.js';

function triWorld(bases: number, seed = 7): {markets: Market[]; quotes: Quote[]; books: Map<string, OrderBook>} {
  const r = rng(seed);
  const usd = {USDT: 1, BTC: 60_000, ETH: 3_000};
  const markets: Market[] = [];
  const quotes: Quote[] = [];
  const books = new Map<string, OrderBook>();
  const add = (base: string, quote: string, mid: number) => {
    const m = market(base, quote, 0.001);
    const b = book('tri', m.symbol, mid, 2, 50, 10);
    markets.push(m);
    quotes.push(quoteOf(b));
    books.set(`tri\u0000${m.symbol}`, b);
  };
  add('BTC', 'USDT', usd.BTC);
  add('ETH', 'USDT', usd.ETH);
  add('ETH', 'BTC', usd.ETH / usd.BTC);
  for (let i = 0; i < bases; i++) {
    const price = 0.01 + r() * 100;
    const skew = () => (r() < 0.02 ? 1 + (30 + r() * 50) / 10_000 : 1);
    add(`T${i}`, 'USDT', price * skew());
    add(`T${i}`, 'BTC', (price / usd.BTC) * skew());
    add(`T${i}`, 'ETH', (price / usd.ETH) * skew());
  }
  return {markets, quotes, books};
}

function triScan(w: ReturnType<typeof triWorld>): number {
  const screen = screenTriangular('tri', w.markets, w.quotes, {now: NOW, maxAgeMs: 10_000, minBps: 0, maxCandidates: 40});
  const ev = evaluateTriangularCandidates(screen.candidates, w.books, new Map(), {
    now: NOW, maxAgeMs: 10_000, maxSkewMs: 3_000, minBps: 0, minProfit: 0, valuer: () => 1,
  });
  return ev.opportunities.length;
}

/** In-memory venue over a CrossWorld snapshot. */
function memoryVenue(s: VenueSnapshot, books: Map<string, OrderBook>): Venue {
  const unsupported = () => {
    throw new Error('not used');
  };
  return {
    info: {id: s.venue, exchange: 'bench', simulated: true, sandbox: false, mode: 'live', hasKeys: false, rateLimitMs: 0,
      capabilities: {bidsAsks: true, orderBookStream: false, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false}},
    loadMarkets: async () => s.markets,
    fetchQuotes: async () => s.quotes,
    fetchOrderBook: async (symbol) => books.get(`${s.venue}\u0000${symbol}`)!,
    fetchCurrencies: async () => [],
    fetchBalances: async () => [],
    createOrder: unsupported,
    cancelOrder: unsupported,
    fetchOrder: unsupported,
    fetchOpenOrders: async () => [],
    fetchClosedOrders: async () => [],
    fetchMyTrades: async () => [],
    close: async () => {},
  };
}

const main = crossWorld(10, 1_000);
const found = crossScan(main);
const mainScreen = screenCross(main.snapshots, {now: NOW, maxAgeMs: 10_000, minBps: 0, maxCandidates: 40, pairsPerSymbol: 3});
row(`cross-venue 10 venues x 1,000 symbols (${mainScreen.candidates.length} pairs to depth, ${found} found)`, show(measure(() => crossScan(main))), '< 50 ms');
const tri = triWorld(1_000);
const triFound = triScan(tri);
row(`triangular 1 venue x ${tri.markets.length.toLocaleString('en-US')} markets (${triFound} found)`, show(measure(() => triScan(tri))), '< 100 ms');
const tri10 = triWorld(3_333);
row(`triangular 1 venue x ${tri10.markets.length.toLocaleString('en-US')} markets`, show(measure(() => triScan(tri10), 9)));

const venues = main.snapshots.map((s) => memoryVenue(s, main.books));
const clock = {now: () => NOW};
row('ArbScanner.scan, 10 in-memory venues x 1,000 symbols (wall)', `${(await timeAsync(() => new ArbScanner({venues, clock}, {useBalances: false}).scan())).toFixed(1)} ms`);

process.stdout.write('\ncross-venue computation, median CPU ms (venues down, common symbols across)\n');
const symbolCounts = [100, 1_000, 3_000];
process.stdout.write(`${'venues'.padEnd(8)}${symbolCounts.map((s) => String(s).padStart(10)).join('')}\n`);
for (const v of [2, 5, 10, 20]) {
  const cells = symbolCounts.map((s) => {
    const w = crossWorld(v, s, v * 100 + s);
    return measure(() => crossScan(w), 11).cpu.toFixed(1).padStart(10);
  });
  process.stdout.write(`${String(v).padEnd(8)}${cells.join('')}\n`);
}
process.stdout.write('\ntriangular computation, median CPU ms (markets on one venue)\n');
for (const bases of [100, 1_000, 3_000]) {
  const w = triWorld(bases, bases);
  process.stdout.write(`${String(w.markets.length).padEnd(8)}${measure(() => triScan(w), 11).cpu.toFixed(1).padStart(10)}\n`);
}
