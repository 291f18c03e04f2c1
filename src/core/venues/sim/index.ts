/**
 * Simulated venues: the factory entry point, the demo profile and the pieces
 * tests use (generator, dialects, catalog). See docs/simulated-venues.md.
 */
import type {VenueConfig} from '../../config/schema.js';
import {ConfigError} from '../../errors.js';
import type {Clock} from '../../types.js';
import {isSimDialect, SIM_DIALECTS, type SimDialect} from './dialects.js';
import {demoPaperBalances} from './demo.js';
import {SimVenue, type SimVenueOptions} from './sim-venue.js';

export {SimVenue, type SimVenueOptions} from './sim-venue.js';
export {demoPaperBalances, demoProfile, DEMO_VENUE_NAMES} from './demo.js';
export {SIM_DIALECTS, isSimDialect, currencyCode, currencyId, marketId, parseMarketId, type SimDialect} from './dialects.js';
export {MarketGenerator, dislocationBps, secondOf, BUCKET_MS, DISLOCATION_WINDOW_S, type GeneratedBook} from './generator.js';
export {FLAVORS, buildMarkets, type SimFlavor, type SimMarketSpec} from './catalog.js';
export {ASSETS, DEFAULT_WORLD_SEED, fairUsd} from './universe.js';

/** Generic starting balances for a sim venue that is neither a demo venue nor configured with paperBalances. */
const DEFAULT_BALANCES: Readonly<Record<string, string>> = {
  USD: '100000', USDT: '100000', USDC: '100000', BTC: '1', ETH: '10', SOL: '100', XRP: '10000', LTC: '50', DOGE: '50000', ADA: '10000', LINK: '500',
};

/** The dialect a sim venue without one in config speaks: picked from its name, so it is stable. */
function defaultDialect(name: string): SimDialect {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return SIM_DIALECTS[h % SIM_DIALECTS.length]!;
}

function defaultSeed(name: string): number {
  let h = 7;
  for (let i = 0; i < name.length; i++) h = (h * 131 + name.charCodeAt(i)) % 1_000_003;
  return h;
}

/**
 * Builds a simulated venue from its config entry. `config.sim.seed` keys the
 * venue's own randomness (listing, offsets, books, dislocations) and
 * `config.sim.dialect` its native ids; both default from the name. Starting
 * balances: options.balances, else config.paperBalances, else the demo
 * venue's, else a generic set. Throws ConfigError for an unknown dialect.
 */
export function createSimVenue(name: string, config: VenueConfig, clock: Clock, options: {latencyMs?: number} & Omit<SimVenueOptions, 'latencyMs'> = {}): SimVenue {
  const rawDialect = config.sim?.dialect;
  if (rawDialect !== undefined && !isSimDialect(rawDialect)) {
    throw new ConfigError([`venues.${name}.sim.dialect must be one of ${SIM_DIALECTS.join(', ')}, got ${JSON.stringify(rawDialect)}`]);
  }
  const seed = config.sim?.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) {
    throw new ConfigError([`venues.${name}.sim.seed must be a whole number, got ${JSON.stringify(seed)}`]);
  }
  const demo = demoPaperBalances(name);
  const balances = options.balances ?? config.paperBalances ?? (Object.keys(demo).length > 0 ? demo : DEFAULT_BALANCES);
  return new SimVenue(name, rawDialect ?? defaultDialect(name), seed ?? defaultSeed(name), clock, {
    ...options,
    balances,
    mode: options.mode ?? config.mode,
    fees: options.fees ?? config.fees,
  });
}
