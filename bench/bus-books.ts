/**
 * The books `prices --source` reads in the benchmarks: every market of 7
 * simulated venues (the demo profile and three more), published with their
 * metadata onto a bus, as collectors would.
 */
import type {NatsBus} from '../src/core/bus/nats.js';
import type {VenueMeta} from '../src/core/bus/port.js';
import {createSimVenue, demoProfile} from '../src/core/venues/sim/index.js';

/** Publishes the books of 7 simulated venues; returns how many of them list BTC. */
export async function publishSevenVenues(bus: NatsBus): Promise<number> {
  const clock = {now: () => Date.now()};
  const configs = {
    ...demoProfile(),
    simfive: {exchange: 'sim', mode: 'live' as const, sim: {seed: 505, dialect: 'dash' as const}},
    simsix: {exchange: 'sim', mode: 'live' as const, sim: {seed: 606, dialect: 'lower' as const}},
    simseven: {exchange: 'sim', mode: 'live' as const, sim: {seed: 707, dialect: 'slash' as const}},
  };
  let venuesWithBtc = 0;
  for (const [name, config] of Object.entries(configs)) {
    const v = createSimVenue(name, config, clock);
    const markets = await v.loadMarkets();
    const meta: VenueMeta = {venue: name, exchange: 'sim', simulated: true, sandbox: false, capabilities: v.info.capabilities, markets, currencies: await v.fetchCurrencies(), publishedAt: Date.now()};
    await bus.putMeta(meta);
    for (const m of markets) await bus.publishBook({...(await v.fetchOrderBook(m.symbol, 50)), sequence: 1});
    if (markets.some((m) => m.base === 'BTC')) venuesWithBtc++;
  }
  await bus.flush();
  return venuesWithBtc;
}
