/**
 * Rates to express profits in the valuation currency (config valuationQuote,
 * USD by default) so opportunities in different quotes (ETH/BTC, BTC/USD)
 * can be sorted and filtered together. A rate comes from the mid of a
 * screened quote: direct (X/USD), inverse (USD/X), or one hop through a
 * liquid intermediate (X/USDT then USDT/USD). No rate -> undefined; a
 * stablecoin is never assumed to be worth 1 USD. Pure.
 */
import type {Quote} from '../types.js';

const HOPS = ['USDT', 'USDC', 'USD', 'BTC', 'ETH', 'EUR'];

export type Valuer = (asset: string) => number | undefined;

export function makeValuer(quotes: Iterable<Quote>, target: string): Valuer {
  // One pass: symbol -> mid of its first valid quote (symbols are existing strings, nothing is split).
  const mids = new Map<string, number>();
  for (const q of quotes) {
    if (q.bid === undefined || q.ask === undefined || !(q.bid > 0) || !(q.ask >= q.bid) || mids.has(q.symbol)) continue;
    mids.set(q.symbol, (q.bid + q.ask) / 2);
  }
  /** Price of `a` in `b`, from a direct or an inverse market. */
  const rate = (a: string, b: string): number | undefined => {
    const direct = mids.get(`${a}/${b}`);
    if (direct !== undefined) return direct;
    const inverse = mids.get(`${b}/${a}`);
    return inverse !== undefined ? 1 / inverse : undefined;
  };
  const cache = new Map<string, number | undefined>();
  return (asset: string) => {
    if (asset === target) return 1;
    if (cache.has(asset)) return cache.get(asset);
    let value = rate(asset, target);
    if (value === undefined) {
      for (const hop of HOPS) {
        if (hop === asset || hop === target) continue;
        const a = rate(asset, hop);
        const b = a === undefined ? undefined : rate(hop, target);
        if (a !== undefined && b !== undefined) {
          value = a * b;
          break;
        }
      }
    }
    cache.set(asset, value);
    return value;
  };
}
