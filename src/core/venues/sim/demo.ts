/**
 * The built-in `demo` profile: four simulated venues, one per native symbol
 * dialect, so a fresh install works with no keys and no network. All are in
 * paper mode; allocations sum to 100 and priorities are distinct.
 *
 * - simbit     dash dialect (BTC-USD),    USD + USDC quotes, taker 10 bps
 * - simex      lower dialect (btcusdt),   USDT quotes only,  taker 6 bps
 * - simkraken  kraken dialect (XXBTZUSD), USD + USDT quotes, taker 26 bps
 * - simgate    slash dialect (BTC/USD),   USD + USDT + USDC, taker 8 bps
 */
import type {VenueConfig} from '../../config/schema.js';

interface DemoVenue {
  readonly seed: number;
  readonly dialect: 'dash' | 'lower' | 'kraken' | 'slash';
  readonly priority: number;
  readonly allocation: number;
  readonly balances: Readonly<Record<string, string>>;
}

const DEMO: Readonly<Record<string, DemoVenue>> = {
  simbit: {
    seed: 101, dialect: 'dash', priority: 1, allocation: 30,
    balances: {USD: '50000', USDC: '20000', BTC: '0.5', ETH: '5', SOL: '60'},
  },
  simex: {
    seed: 202, dialect: 'lower', priority: 2, allocation: 30,
    balances: {USDT: '60000', BTC: '0.4', ETH: '6', SOL: '80', XRP: '5000', DOGE: '20000'},
  },
  simkraken: {
    seed: 303, dialect: 'kraken', priority: 3, allocation: 25,
    balances: {USD: '40000', USDT: '10000', BTC: '0.3', ETH: '4', LTC: '25', ADA: '5000'},
  },
  simgate: {
    seed: 404, dialect: 'slash', priority: 4, allocation: 15,
    balances: {USD: '10000', USDT: '15000', USDC: '15000', BTC: '0.2', ETH: '3', LINK: '300'},
  },
};

/** Names of the demo venues, in priority order. */
export const DEMO_VENUE_NAMES: readonly string[] = Object.keys(DEMO);

/** Starting balances of a demo venue (decimal strings); empty for any other name. */
export function demoPaperBalances(name: string): Record<string, string> {
  return {...(DEMO[name]?.balances ?? {})};
}

/** The demo profile's venue entries, ready to use as `XarbConfig.venues`. */
export function demoProfile(): Record<string, VenueConfig> {
  const venues: Record<string, VenueConfig> = {};
  for (const [name, venue] of Object.entries(DEMO)) {
    venues[name] = {
      exchange: 'sim',
      mode: 'paper',
      priority: venue.priority,
      allocation: venue.allocation,
      sim: {seed: venue.seed, dialect: venue.dialect},
      paperBalances: {...venue.balances},
    };
  }
  return venues;
}
