/**
 * What a simulated venue lists and on what terms. A venue's personality comes
 * from its dialect (which quotes it uses, fees, tick sizes, depth) and its
 * seed (which minor pairs it happens not to list). Market metadata is fixed
 * for a (dialect, seed): ticks and steps come from reference prices, not from
 * the moving price, so they never change while a process runs.
 *
 * Invariants: priceStep and amountStep are powers of ten; minAmount is a
 * multiple of amountStep; BTC, ETH and SOL are listed against every quote of
 * the venue; cross pairs (ETH/BTC, SOL/ETH, SOL/BTC, ...) make triangles.
 */
import type {Market} from '../../types.js';
import {currencyId, marketId, type SimDialect} from './dialects.js';
import {hashString, mix, unit} from './random.js';
import {assetSpec} from './universe.js';

export interface SimFlavor {
  readonly dialect: SimDialect;
  /** Quotes every listed base trades against. */
  readonly quotes: readonly string[];
  readonly bases: readonly string[];
  /** Crypto-crypto pairs [base, quote]. */
  readonly crosses: readonly (readonly [string, string])[];
  /** Other pairs, e.g. stablecoins against USD. */
  readonly extras: readonly (readonly [string, string])[];
  readonly taker: number;
  readonly maker: number;
  /** Multiplies each asset's usual spread. */
  readonly spreadFactor: number;
  /** Multiplies each asset's usual level size. */
  readonly depthFactor: number;
  readonly minNotionalUsd: number;
  /** Price tick is 10^(floor(log10(price)) - priceDigits). */
  readonly priceDigits: number;
  /** Extra decimals of amount step beyond the default of about $0.1-$1 per step. */
  readonly amountExtraDigits: number;
  readonly withdrawFeeFactor: number;
  /** Share of minor (base, quote) pairs the venue does not list, chosen by seed. */
  readonly dropRate: number;
}

const MAJORS = ['BTC', 'ETH', 'SOL'];
const ALL_BASES = ['BTC', 'ETH', 'SOL', 'XRP', 'LTC', 'DOGE', 'ADA', 'LINK'];

export const FLAVORS: Readonly<Record<SimDialect, SimFlavor>> = {
  // A US-style venue: USD and USDC books, mid fees.
  dash: {
    dialect: 'dash', quotes: ['USD', 'USDC'], bases: ALL_BASES,
    crosses: [['ETH', 'BTC'], ['SOL', 'BTC'], ['SOL', 'ETH'], ['LTC', 'BTC'], ['LINK', 'ETH']],
    extras: [['USDC', 'USD'], ['USDT', 'USD']],
    taker: 0.001, maker: 0.0005, spreadFactor: 1, depthFactor: 1, minNotionalUsd: 5, priceDigits: 5, amountExtraDigits: 0,
    withdrawFeeFactor: 1, dropRate: 0.15,
  },
  // A global venue quoting USDT only, thin fees, deep books.
  lower: {
    dialect: 'lower', quotes: ['USDT'], bases: ALL_BASES,
    crosses: [['ETH', 'BTC'], ['SOL', 'BTC'], ['SOL', 'ETH'], ['XRP', 'BTC'], ['LTC', 'BTC'], ['DOGE', 'BTC'], ['ADA', 'BTC'], ['LINK', 'BTC'], ['LINK', 'ETH']],
    extras: [['USDC', 'USDT']],
    taker: 0.0006, maker: 0.0002, spreadFactor: 0.8, depthFactor: 1.5, minNotionalUsd: 10, priceDigits: 5, amountExtraDigits: 1,
    withdrawFeeFactor: 1, dropRate: 0.1,
  },
  // A venue in kraken's dialect: USD and USDT books, high fees, coarser ticks.
  kraken: {
    dialect: 'kraken', quotes: ['USD', 'USDT'], bases: ALL_BASES,
    crosses: [['ETH', 'BTC'], ['SOL', 'BTC'], ['SOL', 'ETH'], ['XRP', 'BTC'], ['LTC', 'BTC'], ['DOGE', 'BTC'], ['ADA', 'BTC'], ['LINK', 'BTC']],
    extras: [['USDT', 'USD'], ['USDC', 'USD']],
    taker: 0.0026, maker: 0.0016, spreadFactor: 1.4, depthFactor: 0.7, minNotionalUsd: 5, priceDigits: 4, amountExtraDigits: 3,
    withdrawFeeFactor: 1.25, dropRate: 0.15,
  },
  // A smaller venue listing all three dollar quotes, few alts.
  slash: {
    dialect: 'slash', quotes: ['USD', 'USDT', 'USDC'], bases: ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'LINK'],
    crosses: [['ETH', 'BTC'], ['SOL', 'BTC'], ['SOL', 'ETH']],
    extras: [['USDC', 'USDT'], ['USDT', 'USD']],
    taker: 0.0008, maker: 0.0004, spreadFactor: 1.2, depthFactor: 0.5, minNotionalUsd: 1, priceDigits: 5, amountExtraDigits: 0,
    withdrawFeeFactor: 0.8, dropRate: 0.25,
  },
};

/** A listed market plus what the generator needs to make its books. */
export interface SimMarketSpec {
  readonly market: Market;
  readonly base: string;
  readonly quote: string;
  /** priceStep = 10^-priceDecimals (may be negative for steps >= 10). */
  readonly priceDecimals: number;
  readonly amountDecimals: number;
  /** Full spread in bps before noise. */
  readonly spreadBps: number;
  /** USD notional of a typical top level. */
  readonly topNotionalUsd: number;
  /** Hash of (venue seed, symbol): keys all of this market's randomness. */
  readonly key: number;
  /** Both legs are dollar-like: never dislocated. */
  readonly stablePair: boolean;
}

function pow10(exponent: number): number {
  return Number(`1e${exponent}`);
}

/** Rounds a positive number to one significant digit, up or down. */
function nice(value: number, direction: 'up' | 'down'): number {
  const exponent = Math.floor(Math.log10(value));
  const unitValue = pow10(exponent);
  const digit = direction === 'up' ? Math.ceil(value / unitValue - 1e-9) : Math.max(1, Math.floor(value / unitValue + 1e-9));
  return Number((digit * unitValue).toPrecision(1));
}

function listed(flavor: SimFlavor, seed: number): (readonly [string, string])[] {
  const pairs: (readonly [string, string])[] = [];
  const seedKey = mix(hashString('listing'), seed);
  for (const base of flavor.bases) {
    for (const quote of flavor.quotes) {
      const minor = !MAJORS.includes(base);
      if (minor && unit(seedKey, hashString(`${base}/${quote}`)) < flavor.dropRate) continue;
      pairs.push([base, quote]);
    }
  }
  return [...pairs, ...flavor.crosses, ...flavor.extras];
}

/** The markets a venue of this flavor and seed lists, in a stable order. */
export function buildMarkets(flavor: SimFlavor, seed: number, fees?: {taker?: number; maker?: number}): SimMarketSpec[] {
  const specs: SimMarketSpec[] = [];
  const seen = new Set<string>();
  for (const [base, quote] of listed(flavor, seed)) {
    const symbol = `${base}/${quote}`;
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    const b = assetSpec(base);
    const q = assetSpec(quote);
    const ref = b.refUsd / q.refUsd;
    const priceExponent = Math.floor(Math.log10(ref)) - flavor.priceDigits;
    const amountDecimals = Math.floor(Math.log10(b.refUsd)) + 1 + flavor.amountExtraDigits;
    const amountStep = pow10(-amountDecimals);
    const minAmountRaw = nice((0.5 * flavor.minNotionalUsd) / b.refUsd, 'down');
    const minAmount = Math.max(amountStep, Number((Math.round(minAmountRaw / amountStep) * amountStep).toFixed(Math.max(0, amountDecimals))));
    const stablePair = b.stable && q.stable;
    const crossSpread = q.fiat || q.stable ? 0 : 3;
    const market: Market = {
      symbol,
      id: marketId(flavor.dialect, base, quote),
      base,
      quote,
      baseId: currencyId(flavor.dialect, base),
      quoteId: currencyId(flavor.dialect, quote),
      type: 'spot',
      active: true,
      taker: fees?.taker ?? flavor.taker,
      maker: fees?.maker ?? flavor.maker,
      amountStep,
      priceStep: pow10(priceExponent),
      minAmount,
      maxAmount: nice(5_000_000 / b.refUsd, 'down'),
      minCost: nice(flavor.minNotionalUsd / q.refUsd, 'up'),
    };
    specs.push({
      market,
      base,
      quote,
      priceDecimals: -priceExponent,
      amountDecimals,
      spreadBps: (b.spreadBps + crossSpread) * flavor.spreadFactor,
      topNotionalUsd: b.topNotionalUsd * flavor.depthFactor,
      key: mix(hashString(symbol), seed),
      stablePair,
    });
  }
  return specs;
}
