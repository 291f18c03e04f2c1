/**
 * Routing computation (no network): one plan for an order on 10 venues with
 * 1,000-level books each, medians of runs. The `split` amount takes about
 * half of the merged depth, so the walk visits thousands of levels across
 * every venue; balances and risk caps are set on some venues so the caps
 * and the rounding/minimum passes do real work. Target: split < 2 ms/plan.
 */
import {route} from '../src/core/router/route.js';
import type {RouteStrategy, VenueCandidate} from '../src/core/router/types.js';
import type {Level, Market} from '../src/core/types.js';
import {median, row} from './lib.js';

let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

function market(i: number): Market {
  return {
    symbol: 'BTC/USD', id: `BTCUSD${i}`, base: 'BTC', quote: 'USD', baseId: 'BTC', quoteId: 'USD', type: 'spot', active: true,
    taker: 0.0005 + rnd() * 0.002, maker: 0.0005, amountStep: [0.00001, 0.0001, 0.001][i % 3]!, priceStep: 0.01,
    minAmount: 0.0001, maxAmount: undefined, minCost: 5,
  };
}

function levels(start: number, dir: 1 | -1, n: number): Level[] {
  const out: Level[] = [];
  let p = start;
  for (let i = 0; i < n; i++) {
    out.push([Number(p.toFixed(2)), Number((0.01 + rnd() * 0.5).toFixed(5))]);
    p += dir * (0.5 + rnd() * 2);
  }
  return out;
}

const VENUES = 10;
const LEVELS = 1000;
const candidates: VenueCandidate[] = Array.from({length: VENUES}, (_, i) => {
  const mid = 60_000 + (rnd() - 0.5) * 60;
  return {
    venue: `v${i}`,
    market: market(i),
    book: {asks: levels(mid + 0.5, 1, LEVELS), bids: levels(mid - 0.5, -1, LEVELS)},
    takerFee: 0.0005 + rnd() * 0.002,
    priority: i,
    latencyMs: 20 + rnd() * 200,
    ...(i % 3 === 0 ? {quoteFree: String(2_000_000 + Math.round(rnd() * 1_000_000)), baseFree: String(40 + Math.round(rnd() * 20))} : {}),
    ...(i % 4 === 1 ? {maxAmount: '30'} : {}),
  };
});
const depth = candidates.reduce((s, c) => s + c.book.asks.reduce((t, l) => t + l[1], 0), 0);
const splitAmount = (Math.floor(depth * 0.5 * 1000) / 1000).toFixed(3);

function time(strategy: RouteStrategy, amount: string, side: 'buy' | 'sell', runs = 201): {median: number; children: number} {
  let children = 0;
  for (let i = 0; i < 20; i++) route(strategy, {symbol: 'BTC/USD', side, amount}, candidates);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const plan = route(strategy, {symbol: 'BTC/USD', side, amount}, candidates);
    times.push(performance.now() - t0);
    children = plan.children.length;
  }
  return {median: median(times), children};
}

process.stdout.write(`router: ${VENUES} venues x ${LEVELS} levels per side; merged ask depth ${depth.toFixed(1)} BTC\n`);
const buy = time('split', splitAmount, 'buy');
row(`split buy ${splitAmount} BTC (${buy.children} child orders), ms/plan`, buy.median.toFixed(3), '< 2 ms');
const sell = time('split', splitAmount, 'sell');
row(`split sell ${splitAmount} BTC (${sell.children} child orders), ms/plan`, sell.median.toFixed(3), '< 2 ms');
const small = time('split', '2', 'buy');
row('split buy 2 BTC, ms/plan', small.median.toFixed(3));
for (const s of ['best_price', 'lowest_fee', 'fastest', 'priority'] as const) row(`${s} buy 5 BTC, ms/plan`, time(s, '5', 'buy').median.toFixed(3));
