/**
 * The simulated world: which assets exist, their reference prices, liquidity
 * and transfer networks, and the "fair" USD price of each asset over time.
 *
 * Invariant: the fair price is a pure function of (world seed, asset, whole
 * second). Every simulated venue in a process reads the same fair prices, so
 * venues disagree only by their own small offsets and by deliberate
 * dislocations (see generator.ts), never by a different random walk.
 */
import {hashString, smoothNoise} from './random.js';

export interface NetworkSpec {
  readonly network: string;
  /** Withdraw fee in the asset. */
  readonly fee: number;
  readonly min: number;
  /** How long a deposit on this network takes to arrive, ms. */
  readonly confirmMs: number;
  /** Address style for generated deposit addresses. */
  readonly address: 'btc' | 'evm' | 'sol' | 'xrp' | 'ltc' | 'doge' | 'ada' | 'tron';
}

export interface AssetSpec {
  readonly code: string;
  readonly name: string;
  /** Reference USD price the fair price wanders around (within about ±10 %). */
  readonly refUsd: number;
  /** Multiplier of the shared market moves and of the asset's own noise. */
  readonly vol: number;
  /** Usual full spread in bps on a USD market, before venue factors. */
  readonly spreadBps: number;
  /** Notional (USD) of a typical top-of-book level. */
  readonly topNotionalUsd: number;
  readonly stable: boolean;
  readonly fiat: boolean;
  readonly networks: readonly NetworkSpec[];
}

const MIN = 60_000;

export const ASSETS: Readonly<Record<string, AssetSpec>> = {
  USD: {code: 'USD', name: 'US Dollar', refUsd: 1, vol: 0, spreadBps: 0, topNotionalUsd: 0, stable: true, fiat: true, networks: []},
  USDT: {
    code: 'USDT', name: 'Tether', refUsd: 1, vol: 0, spreadBps: 1, topNotionalUsd: 80_000, stable: true, fiat: false,
    networks: [
      {network: 'ERC20', fee: 5, min: 10, confirmMs: 5 * MIN, address: 'evm'},
      {network: 'TRC20', fee: 1, min: 10, confirmMs: 2 * MIN, address: 'tron'},
      {network: 'SOL', fee: 1, min: 5, confirmMs: MIN, address: 'sol'},
    ],
  },
  USDC: {
    code: 'USDC', name: 'USD Coin', refUsd: 1, vol: 0, spreadBps: 1, topNotionalUsd: 60_000, stable: true, fiat: false,
    networks: [
      {network: 'ERC20', fee: 4, min: 10, confirmMs: 5 * MIN, address: 'evm'},
      {network: 'SOL', fee: 1, min: 5, confirmMs: MIN, address: 'sol'},
    ],
  },
  BTC: {
    code: 'BTC', name: 'Bitcoin', refUsd: 65_000, vol: 1, spreadBps: 1.5, topNotionalUsd: 40_000, stable: false, fiat: false,
    networks: [{network: 'BTC', fee: 0.0002, min: 0.0005, confirmMs: 30 * MIN, address: 'btc'}],
  },
  ETH: {
    code: 'ETH', name: 'Ether', refUsd: 3_200, vol: 1.2, spreadBps: 2, topNotionalUsd: 30_000, stable: false, fiat: false,
    networks: [{network: 'ERC20', fee: 0.002, min: 0.01, confirmMs: 5 * MIN, address: 'evm'}],
  },
  SOL: {
    code: 'SOL', name: 'Solana', refUsd: 150, vol: 1.6, spreadBps: 4, topNotionalUsd: 15_000, stable: false, fiat: false,
    networks: [{network: 'SOL', fee: 0.01, min: 0.1, confirmMs: MIN, address: 'sol'}],
  },
  XRP: {
    code: 'XRP', name: 'XRP', refUsd: 0.55, vol: 1.5, spreadBps: 5, topNotionalUsd: 10_000, stable: false, fiat: false,
    networks: [{network: 'XRP', fee: 0.25, min: 20, confirmMs: MIN, address: 'xrp'}],
  },
  LTC: {
    code: 'LTC', name: 'Litecoin', refUsd: 80, vol: 1.4, spreadBps: 5, topNotionalUsd: 8_000, stable: false, fiat: false,
    networks: [{network: 'LTC', fee: 0.001, min: 0.01, confirmMs: 15 * MIN, address: 'ltc'}],
  },
  DOGE: {
    code: 'DOGE', name: 'Dogecoin', refUsd: 0.12, vol: 1.8, spreadBps: 6, topNotionalUsd: 8_000, stable: false, fiat: false,
    networks: [{network: 'DOGE', fee: 4, min: 50, confirmMs: 20 * MIN, address: 'doge'}],
  },
  ADA: {
    code: 'ADA', name: 'Cardano', refUsd: 0.45, vol: 1.6, spreadBps: 6, topNotionalUsd: 6_000, stable: false, fiat: false,
    networks: [{network: 'ADA', fee: 1, min: 10, confirmMs: 10 * MIN, address: 'ada'}],
  },
  LINK: {
    code: 'LINK', name: 'Chainlink', refUsd: 15, vol: 1.5, spreadBps: 6, topNotionalUsd: 6_000, stable: false, fiat: false,
    networks: [{network: 'ERC20', fee: 0.3, min: 1, confirmMs: 5 * MIN, address: 'evm'}],
  },
};

export function assetSpec(code: string): AssetSpec {
  const spec = ASSETS[code];
  if (spec === undefined) throw new Error(`simulated asset ${code} is not defined`);
  return spec;
}

/** The default world every simulated venue lives in unless a test picks another. */
export const DEFAULT_WORLD_SEED = hashString('xarb-sim-world');

/** Octaves of log-price noise: period in seconds, amplitude as a fraction. */
const OCTAVES: readonly (readonly [period: number, amplitude: number])[] = [
  [10, 0.0002],
  [120, 0.001],
  [1_800, 0.004],
  [21_600, 0.015],
  [259_200, 0.05],
];

function logNoise(hash: number, second: number): number {
  let total = 0;
  for (const [period, amplitude] of OCTAVES) total += amplitude * smoothNoise(hash, second, period);
  return total;
}

const keyCache = new Map<string, number>();
function key(worldSeed: number, name: string): number {
  const text = `${worldSeed}:${name}`;
  let hash = keyCache.get(text);
  if (hash === undefined) {
    hash = hashString(text);
    keyCache.set(text, hash);
  }
  return hash;
}

/**
 * Fair USD price of an asset at a whole second. Crypto assets share a market
 * factor (scaled by `vol`) plus their own noise; stablecoins sit within a few
 * bps of 1; USD is 1.
 */
export function fairUsd(worldSeed: number, code: string, second: number): number {
  const spec = assetSpec(code);
  if (spec.fiat) return 1;
  if (spec.stable) {
    const bias = code === 'USDT' ? 0.0001 : -0.00005;
    return 1 + bias + 0.0003 * smoothNoise(key(worldSeed, code), second, 600) + 0.0001 * smoothNoise(key(worldSeed, code), second, 30);
  }
  const market = logNoise(key(worldSeed, 'market'), second);
  const own = logNoise(key(worldSeed, code), second);
  return spec.refUsd * Math.exp(spec.vol * (0.7 * market + 0.5 * own));
}
