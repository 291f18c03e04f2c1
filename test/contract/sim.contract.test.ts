/**
 * The Venue contract against SimVenue: one venue per dialect, a fixed clock
 * (so books do not move between calls), trading enabled.
 */
import type {Clock} from '../../src/core/types.js';
import {createSimVenue, demoProfile} from '../../src/core/venues/sim/index.js';
import {venueContract} from './venue-contract.js';

const NOON = Date.UTC(2026, 0, 15, 12, 0, 0);
const fixed: Clock = {now: () => NOON};

const profile = demoProfile();
/** What the account engine promises beyond an exchange. */
const ENGINE = {clientOrderIdReuse: 'never', reportsTakerOrMaker: true} as const;
const cases: readonly [name: string, symbol: string][] = [
  ['simbit', 'BTC/USD'],
  ['simex', 'ETH/USDT'],
  ['simkraken', 'BTC/USD'],
  ['simgate', 'SOL/USDC'],
];

for (const [name, symbol] of cases) {
  venueContract(`sim ${name} (${profile[name]!.sim!.dialect})`, async () => {
    const venue = createSimVenue(name, profile[name]!, fixed);
    return {venue, symbol, canTrade: true, expectations: ENGINE, cleanup: () => venue.close()};
  });
}

// Known top of book, as a loopback fixture would state it: a separate instance
// with the same seed and clock must serve exactly the same prices.
venueContract('sim simbit with a known top of book', async () => {
  const reference = createSimVenue('simbit', profile.simbit!, fixed);
  const [quote] = await reference.fetchQuotes(['ETH/USD']);
  const venue = createSimVenue('simbit', profile.simbit!, fixed);
  return {venue, symbol: 'ETH/USD', canTrade: false, expectations: {bid: quote!.bid, ask: quote!.ask}};
});
