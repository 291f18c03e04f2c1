import {describe, expect, it} from 'vitest';
import {
  buildMarkets,
  DISLOCATION_WINDOW_S,
  dislocationBps,
  fairUsd,
  FLAVORS,
  MarketGenerator,
  SIM_DIALECTS,
  DEFAULT_WORLD_SEED,
  ASSETS,
  type SimMarketSpec,
} from '../../src/core/venues/sim/index.js';
import type {Level} from '../../src/core/types.js';

const T0 = Date.UTC(2026, 2, 1, 9, 30, 0);
const gen = new MarketGenerator();

function specOf(dialect: (typeof SIM_DIALECTS)[number], seed: number, symbol: string): SimMarketSpec {
  const spec = buildMarkets(FLAVORS[dialect], seed).find((s) => s.market.symbol === symbol);
  if (!spec) throw new Error(`${symbol} not listed on ${dialect}/${seed}`);
  return spec;
}

/** Whole multiples of a power-of-ten step, checked on the decimal text. */
function onStep(value: number, step: number): boolean {
  const ratio = value / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-6;
}

/** Problems of one side of a book: non-positive, off tick/step, or not strictly better-first. */
function sideProblems(levels: readonly Level[], side: 'bid' | 'ask', spec: SimMarketSpec): string[] {
  const problems: string[] = [];
  for (let i = 0; i < levels.length; i++) {
    const [price, amount] = levels[i]!;
    const where = `${spec.market.id} ${side} ${i} [${price}, ${amount}]`;
    if (!(price > 0) || !(amount > 0)) problems.push(`${where}: not positive`);
    if (!onStep(price, spec.market.priceStep!)) problems.push(`${where}: off tick`);
    if (!onStep(amount, spec.market.amountStep!)) problems.push(`${where}: off step`);
    if (i > 0) {
      const prev = levels[i - 1]![0];
      if (!(side === 'bid' ? price < prev : price > prev)) problems.push(`${where}: not better-first`);
    }
  }
  return problems;
}

describe('market generator determinism', () => {
  const spec = specOf('dash', 101, 'BTC/USD');

  it('gives the same book for the same seed and clock, across instances', () => {
    const a = gen.book(spec, T0);
    const b = new MarketGenerator().book(specOf('dash', 101, 'BTC/USD'), T0);
    expect(b).toEqual(a);
  });

  it('keeps one book for the whole second and moves it the next second', () => {
    const a = gen.book(spec, T0);
    expect(gen.book(spec, T0 + 999)).toEqual(a);
    const next = gen.book(spec, T0 + 1000);
    expect(next).not.toEqual(a);
    // Slightly: a second later the mid is within a few bps.
    expect(Math.abs(next.mid / a.mid - 1)).toBeLessThan(0.0005);
    // An hour later the price has moved.
    expect(gen.book(spec, T0 + 3_600_000).mid).not.toBe(a.mid);
  });

  it('depends on the venue seed and on the world seed', () => {
    const other = specOf('dash', 102, 'BTC/USD');
    expect(gen.book(other, T0).bids).not.toEqual(gen.book(spec, T0).bids);
    expect(new MarketGenerator(DEFAULT_WORLD_SEED + 1).book(spec, T0).mid).not.toBe(gen.book(spec, T0).mid);
  });

  it('generates shallow books as the prefix of deep ones', () => {
    const full = gen.book(spec, T0);
    const top = gen.book(spec, T0, 1);
    expect(top.bids).toEqual(full.bids.slice(0, 1));
    expect(top.asks).toEqual(full.asks.slice(0, 1));
    expect(gen.book(spec, T0, 7).asks).toEqual(full.asks.slice(0, 7));
  });
});

describe('book sanity over many seeds and times', () => {
  it('is sorted, uncrossed, on tick and step, 20-50 levels, sizes growing with depth', () => {
    let deeperIsBigger = 0;
    let books = 0;
    const problems: string[] = [];
    for (const dialect of SIM_DIALECTS) {
      for (const seed of [1, 7, 99, 12345]) {
        for (const spec of buildMarkets(FLAVORS[dialect], seed)) {
          for (const offset of [0, 61_000, 3_600_000, 86_400_000 * 11 + 4321]) {
            const book = gen.book(spec, T0 + offset * (seed % 5 + 1));
            books++;
            for (const levels of [book.bids, book.asks]) if (levels.length < 20 || levels.length > 50) problems.push(`${spec.market.id}: ${levels.length} levels`);
            problems.push(...sideProblems(book.bids, 'bid', spec), ...sideProblems(book.asks, 'ask', spec));
            if (!(book.bids[0]![0] < book.asks[0]![0])) problems.push(`${spec.market.id}: crossed at ${offset}`);
            const avg = (levels: readonly Level[]) => levels.reduce((t, [, a]) => t + a, 0) / levels.length;
            if (avg(book.asks.slice(-5)) > avg(book.asks.slice(0, 5))) deeperIsBigger++;
          }
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(books).toBeGreaterThan(1000);
    expect(deeperIsBigger / books).toBeGreaterThan(0.9);
  });

  it('keeps spreads at a few bps on liquid markets', () => {
    for (const dialect of ['dash', 'kraken', 'slash'] as const) {
      const spec = specOf(dialect, 5, 'BTC/USD');
      for (let s = 0; s < 200; s++) {
        const book = gen.book(spec, T0 + s * 37_000, 1);
        const spreadBps = ((book.asks[0]![0] - book.bids[0]![0]) / book.mid) * 10_000;
        expect(spreadBps).toBeGreaterThan(0);
        expect(spreadBps).toBeLessThan(8);
      }
    }
  });

  it('keeps fair prices near their reference over a year', () => {
    for (const code of Object.keys(ASSETS)) {
      for (let day = 0; day < 365; day += 3) {
        const price = fairUsd(DEFAULT_WORLD_SEED, code, T0 / 1000 + day * 86_400);
        expect(price / ASSETS[code]!.refUsd).toBeGreaterThan(0.75);
        expect(price / ASSETS[code]!.refUsd).toBeLessThan(1.3);
      }
    }
  });
});

describe('dislocations', () => {
  const second0 = Math.floor(T0 / 1000);

  it('happen sometimes, at 20-60 bps, and never on stablecoin pairs', () => {
    const spec = specOf('kraken', 303, 'BTC/USD');
    let active = 0;
    const day = 86_400;
    for (let s = 0; s < day; s += 10) {
      const bps = dislocationBps(spec, second0 + s);
      if (bps !== 0) {
        active++;
        expect(Math.abs(bps)).toBeGreaterThanOrEqual(20);
        expect(Math.abs(bps)).toBeLessThanOrEqual(60);
      }
    }
    const share = active / (day / 10);
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.2);
    const stable = specOf('kraken', 303, 'USDT/USD');
    for (let s = 0; s < day; s += 60) expect(dislocationBps(stable, second0 + s)).toBe(0);
  });

  it('are constant within their window and shift the venue mid', () => {
    const spec = specOf('dash', 101, 'ETH/USD');
    let found: number | undefined;
    for (let s = 0; s < 86_400 && found === undefined; s += 5) if (dislocationBps(spec, second0 + s) !== 0) found = second0 + s;
    expect(found).toBeDefined();
    const bps = dislocationBps(spec, found!);
    const window = Math.floor(found! / DISLOCATION_WINDOW_S);
    for (let s = found!; s < found! + 30 && Math.floor(s / DISLOCATION_WINDOW_S) === window; s++) {
      const now = dislocationBps(spec, s);
      expect(now === 0 || now === bps).toBe(true);
    }
    const undisturbed = specOf('slash', 404, 'ETH/USD');
    const ratio = gen.mid(spec, found! * 1000) / gen.mid(undisturbed, found! * 1000) - 1;
    if (dislocationBps(undisturbed, found!) === 0) expect(Math.sign(ratio)).toBe(Math.sign(bps));
  });

  it('open a cross-venue gap beyond both venues\' fees some of the time, not most of it', () => {
    const a = specOf('dash', 101, 'BTC/USD');
    const b = specOf('kraken', 303, 'BTC/USD');
    let gaps = 0;
    let samples = 0;
    for (let s = 0; s < 86_400; s += 15) {
      const t = (second0 + s) * 1000;
      const x = gen.book(a, t, 1);
      const y = gen.book(b, t, 1);
      const edge = Math.max(x.bids[0]![0] / y.asks[0]![0], y.bids[0]![0] / x.asks[0]![0]) - 1;
      samples++;
      if (edge > a.market.taker + b.market.taker) gaps++;
    }
    expect(gaps).toBeGreaterThan(0);
    expect(gaps / samples).toBeLessThan(0.1);
  });

  it('break the triangle BTC/USD, ETH/USD, ETH/BTC on one venue some of the time', () => {
    const btc = specOf('dash', 101, 'BTC/USD');
    const eth = specOf('dash', 101, 'ETH/USD');
    const cross = specOf('dash', 101, 'ETH/BTC');
    let broken = 0;
    for (let s = 0; s < 86_400; s += 15) {
      const t = (second0 + s) * 1000;
      const implied = gen.mid(eth, t) / gen.mid(btc, t);
      if (Math.abs(gen.mid(cross, t) / implied - 1) > 0.002) broken++;
    }
    expect(broken).toBeGreaterThan(0);
  });
});
