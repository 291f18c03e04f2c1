/**
 * The seeded market generator: books for one simulated venue as a pure
 * function of (world seed, venue seed, market, whole second of the clock).
 *
 * A venue's mid is the world's fair price (universe.ts) times a small venue
 * offset (within ±0.8 bps) and, inside some time windows, a dislocation of
 * 20-60 bps on one symbol of one venue, so cross-venue and triangular scans
 * find edges some of the time, at clock values anyone can reproduce.
 *
 * Invariants of every generated book: 20-50 levels per side, prices on the
 * market's tick, strictly better-first, best bid < best ask, every amount a
 * positive multiple of the amount step; sizes grow with depth. Same inputs ->
 * the same book; generating depth 1 gives the prefix of depth 50.
 */
import type {Level} from '../../types.js';
import type {SimMarketSpec} from './catalog.js';
import {mix, smoothNoise, unit} from './random.js';
import {DEFAULT_WORLD_SEED, fairUsd} from './universe.js';

/** Books change once per whole second of the clock. */
export const BUCKET_MS = 1000;
/** Dislocations are drawn per five-minute window. */
export const DISLOCATION_WINDOW_S = 300;
/** Share of (venue, symbol, window) draws that carry a dislocation. */
export const DISLOCATION_RATE = 0.12;

const SALT = {
  spread: 1,
  levels: 2,
  gap: 3,
  size: 4,
  offsetFast: 5,
  offsetSlow: 6,
  dislocation: 7,
} as const;

export function secondOf(timeMs: number): number {
  return Math.floor(timeMs / BUCKET_MS);
}

/**
 * The dislocation in bps (signed; 0 when none) of a market on a venue at a
 * given second. Exported so tests and demos can search for a clock value
 * where one is active.
 */
export function dislocationBps(spec: SimMarketSpec, second: number): number {
  if (spec.stablePair) return 0;
  const window = Math.floor(second / DISLOCATION_WINDOW_S);
  const key = mix(spec.key, SALT.dislocation);
  if (unit(key, window, 0) >= DISLOCATION_RATE) return 0;
  const start = Math.floor(unit(key, window, 1) * 150);
  const duration = 60 + Math.floor(unit(key, window, 2) * 120);
  const into = second - window * DISLOCATION_WINDOW_S;
  if (into < start || into >= start + duration) return 0;
  const magnitude = 20 + unit(key, window, 3) * 40;
  return unit(key, window, 4) < 0.5 ? -magnitude : magnitude;
}

export interface GeneratedBook {
  readonly bids: Level[];
  readonly asks: Level[];
  /** Start of the second the book belongs to, ms. */
  readonly timestamp: number;
  readonly mid: number;
}

export class MarketGenerator {
  readonly worldSeed: number;

  constructor(worldSeed: number = DEFAULT_WORLD_SEED) {
    this.worldSeed = worldSeed;
  }

  /** The venue's mid price (before spread and tick rounding) at a clock value. */
  mid(spec: SimMarketSpec, timeMs: number): number {
    const second = secondOf(timeMs);
    const fair = fairUsd(this.worldSeed, spec.base, second) / fairUsd(this.worldSeed, spec.quote, second);
    const offsetBps =
      0.6 * smoothNoise(mix(spec.key, SALT.offsetSlow), second, 45) + 0.2 * smoothNoise(mix(spec.key, SALT.offsetFast), second, 7);
    return fair * (1 + (offsetBps + dislocationBps(spec, second)) / 10_000);
  }

  /** The book at a clock value, `depth` levels per side at most (all when omitted). */
  book(spec: SimMarketSpec, timeMs: number, depth?: number): GeneratedBook {
    const second = secondOf(timeMs);
    const mid = this.mid(spec, timeMs);
    const scale = 10 ** spec.priceDecimals;
    const midTicks = mid * scale;
    const spreadNoise = 0.7 + 0.8 * unit(mix(spec.key, SALT.spread), second);
    const halfTicks = (midTicks * spec.spreadBps * spreadNoise) / 20_000;
    let bestBid = Math.floor(midTicks - halfTicks);
    let bestAsk = Math.ceil(midTicks + halfTicks);
    if (bestAsk <= bestBid) bestAsk = bestBid + 1;
    if (bestBid < 1) bestBid = 1;
    if (bestAsk <= bestBid) bestAsk = bestBid + 1;
    const baseUsd = fairUsd(this.worldSeed, spec.base, second);
    return {
      bids: this.side(spec, second, 0, bestBid, -1, midTicks, baseUsd, depth),
      asks: this.side(spec, second, 1, bestAsk, 1, midTicks, baseUsd, depth),
      timestamp: second * BUCKET_MS,
      mid,
    };
  }

  private side(
    spec: SimMarketSpec,
    second: number,
    side: 0 | 1,
    bestTicks: number,
    direction: -1 | 1,
    midTicks: number,
    baseUsd: number,
    depth: number | undefined,
  ): Level[] {
    const sideKey = mix(spec.key, side);
    const count = 20 + Math.floor(unit(mix(sideKey, SALT.levels), second) * 31);
    const wanted = depth === undefined ? count : Math.min(count, Math.max(0, Math.floor(depth)));
    const amountScale = 10 ** spec.amountDecimals;
    const gapKey = mix(sideKey, SALT.gap);
    const sizeKey = mix(sideKey, SALT.size);
    const levels: Level[] = [];
    let ticks = bestTicks;
    for (let i = 0; i < wanted; i++) {
      if (i > 0) {
        const gapBps = (0.3 + 0.08 * i) * (0.5 + unit(gapKey, second, i));
        ticks += direction * Math.max(1, Math.round((midTicks * gapBps) / 10_000));
      }
      if (ticks < 1) break;
      const notional = spec.topNotionalUsd * (1 + 0.15 * i) * (0.4 + 1.2 * unit(sizeKey, second, i));
      const steps = Math.max(1, Math.round((notional / baseUsd) * amountScale));
      levels.push([fromSteps(ticks, spec.priceDecimals), fromSteps(steps, spec.amountDecimals)]);
    }
    return levels;
  }
}

/** n steps of 10^-decimals as the nearest double to the exact decimal. */
export function fromSteps(steps: number, decimals: number): number {
  return decimals >= 0 ? steps / 10 ** decimals : steps * 10 ** -decimals;
}
