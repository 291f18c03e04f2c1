/**
 * The effectful half of planning: asks each targeted venue (in parallel)
 * for balances, currencies with networks, spot markets and quotes, and
 * derives prices in the valuation quote from those quotes.
 *
 * Balances are required: a venue that cannot report them fails the plan
 * (its error, exit 4), because planning around a missing venue would move
 * money on a wrong picture. Currencies, markets and quotes are optional: a
 * venue without them can still be counted, but nothing can be moved to or
 * from it (or converted on it); each gap is returned as a warning.
 */
import {errorMessage} from '../errors.js';
import {makeValuer} from '../arb/valuation.js';
import type {Quote} from '../types.js';
import type {Venue} from '../venues/port.js';
import type {VenueSnapshot} from './types.js';

export interface GatheredSnapshots {
  readonly snapshots: readonly VenueSnapshot[];
  /** Asset -> price in the valuation quote, for every asset seen. */
  readonly prices: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

export async function gatherSnapshots(venues: readonly Venue[], options: {quote: string; assets?: readonly string[]}): Promise<GatheredSnapshots> {
  const warnings: string[] = [];
  const first = await Promise.all(
    venues.map(async (venue) => {
      const name = venue.info.id;
      const [balances, currencies, markets] = await Promise.all([
        venue.fetchBalances(),
        venue.info.capabilities.currencies
          ? venue.fetchCurrencies().catch((error: unknown) => {
              warnings.push(`${name}: cannot read currencies and networks (${errorMessage(error)}); nothing can be moved to or from it`);
              return [];
            })
          : Promise.resolve([]).then((empty) => {
              warnings.push(`${name}: does not report currencies and networks; nothing can be moved to or from it`);
              return empty;
            }),
        venue.loadMarkets().catch((error: unknown) => {
          warnings.push(`${name}: cannot load markets (${errorMessage(error)}); no conversion on it`);
          return [];
        }),
      ]);
      return {venue, balances, currencies, markets: markets.filter((m) => m.type === 'spot' && m.active)};
    }),
  );
  const assets = new Set<string>([options.quote, ...(options.assets ?? [])]);
  for (const v of first) for (const b of v.balances) assets.add(b.asset);
  const withQuotes = await Promise.all(
    first.map(async (v) => {
      const symbols = v.markets.filter((m) => assets.has(m.base) || assets.has(m.quote)).map((m) => m.symbol);
      let quotes: readonly Quote[] = [];
      if (symbols.length > 0) {
        try {
          quotes = await v.venue.fetchQuotes(symbols);
        } catch (error) {
          warnings.push(`${v.venue.info.id}: cannot read quotes (${errorMessage(error)}); no conversion on it`);
        }
      }
      return {...v, quotes};
    }),
  );
  const valuer = makeValuer(
    withQuotes.flatMap((v) => v.quotes),
    options.quote,
  );
  const prices: Record<string, number> = {};
  for (const asset of assets) {
    const p = valuer(asset);
    if (p !== undefined && Number.isFinite(p) && p > 0) prices[asset] = p;
  }
  return {
    snapshots: withQuotes.map((v) => ({venue: v.venue.info.id, balances: v.balances, currencies: v.currencies, markets: v.markets, quotes: v.quotes})),
    prices,
    warnings,
  };
}
