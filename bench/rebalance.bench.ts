/**
 * Rebalance planning speed: 10 venues x 200 assets, drifted far from target
 * so every venue sends or receives, with conversions available on every
 * venue. Target: under 50 ms per plan. Prints medians.
 * Run: node --import tsx bench/rebalance.bench.ts
 */
import {planRebalance} from '../src/core/rebalance/planner.js';
import type {PlanInput, VenueSnapshot} from '../src/core/rebalance/types.js';
import type {Currency, Market, Quote} from '../src/core/types.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function build(venueCount: number, assetCount: number, seed: number, withAssetTargets: boolean): PlanInput {
  const r = rng(seed);
  const assets = Array.from({length: assetCount}, (_, i) => (i === 0 ? 'USDT' : i === 1 ? 'BTC' : `A${i}`));
  const prices: Record<string, number> = {};
  for (const a of assets) prices[a] = a === 'USDT' ? 1 : a === 'BTC' ? 50_000 : 0.01 + r() * 500;
  const venues: VenueSnapshot[] = [];
  for (let v = 0; v < venueCount; v++) {
    const scale = v < venueCount / 2 ? 3 : 0.5; // first half well above target
    const currencies: Currency[] = assets.map((a) => ({
      code: a,
      id: a,
      name: undefined,
      networks: [
        {network: 'MAIN', withdrawEnabled: r() > 0.05, depositEnabled: r() > 0.05, withdrawFee: (0.2 + r() * 5) / prices[a]!, withdrawMin: (5 + r() * 20) / prices[a]!},
        {network: 'ALT', withdrawEnabled: r() > 0.3, depositEnabled: r() > 0.3, withdrawFee: (0.1 + r() * 10) / prices[a]!, withdrawMin: (1 + r() * 50) / prices[a]!},
      ],
    }));
    const markets: Market[] = [];
    const quotes: Quote[] = [];
    for (const a of assets) {
      if (a === 'USDT') continue;
      for (const q of a === 'BTC' ? ['USDT'] : ['USDT', 'BTC']) {
        const mid = prices[a]! / prices[q]!;
        markets.push({symbol: `${a}/${q}`, id: `${a}${q}`, base: a, quote: q, baseId: a, quoteId: q, type: 'spot', active: true, taker: 0.001, maker: 0.0008, amountStep: 1e-6, priceStep: undefined, minAmount: undefined, maxAmount: undefined, minCost: undefined});
        quotes.push({venue: `v${v}`, symbol: `${a}/${q}`, bid: mid * 0.9995, bidSize: 10, ask: mid * 1.0005, askSize: 10, timestamp: 0, receivedAt: 0});
      }
    }
    const balances = assets.map((a) => {
      const amount = ((r() * 2_000 * scale) / prices[a]!).toFixed(8);
      return {asset: a, free: amount, used: '0', total: amount};
    });
    venues.push({venue: `v${v}`, balances, currencies, markets, quotes});
  }
  const venueTargets = Object.fromEntries(venues.map((v) => [v.venue, 100 / venueCount]));
  const assetTargets = withAssetTargets ? Object.fromEntries(assets.slice(0, 4).map((a) => [a, 25])) : undefined;
  return {quote: 'USD', prices, venues, venueTargets, assetTargets, thresholdPct: 1, reserves: {USDT: '10'}};
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function bench(name: string, make: (seed: number) => PlanInput, runs: number): void {
  for (let i = 0; i < 3; i++) planRebalance(make(1000 + i)); // warm up
  const times: number[] = [];
  const cpu: number[] = [];
  let steps = 0;
  for (let i = 0; i < runs; i++) {
    const input = make(i + 1); // built outside the timed part
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = planRebalance(input);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    steps += plan.steps.length;
  }
  const p90 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)]!;
  // CPU time is reported too: on a shared, loaded machine wall time mostly measures waiting for a core.
  console.log(`${name}: median ${median(times).toFixed(2)} ms wall (p90 ${p90.toFixed(2)}), median ${median(cpu).toFixed(2)} ms cpu; target < 50 ms; ${(steps / runs).toFixed(1)} steps per plan, ${runs} runs`);
}

bench('rebalance plan, 10 venues x 200 assets', (seed) => build(10, 200, seed, false), 30);
bench('rebalance plan, 10 venues x 200 assets + asset targets', (seed) => build(10, 200, seed, true), 30);
