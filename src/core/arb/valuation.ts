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
  // asset -> (other -> price of asset in other)
  const rates = new Map<string, Map<string, number>>();
  const put = (a: string, b: string, rate: number) => {
    let m = rates.get(a);
    if (!m) rates.set(a, (m = new Map()));
    if (!m.has(b)) m.set(b, rate);
  };
  for (const q of quotes) {
    if (q.bid === undefined || q.ask === undefined || !(q.bid > 0) || !(q.ask >= q.bid)) continue;
    const slash = q.symbol.indexOf('/');
    if (slash < 0 || q.symbol.includes(':')) continue;
    const base = q.symbol.slice(0, slash);
    const quote = q.symbol.slice(slash + 1);
    const mid = (q.bid + q.ask) / 2;
    put(base, quote, mid);
    put(quote, base, 1 / mid);
  }
  const cache = new Map<string, number | undefined>();
  return (asset: string) => {
    if (asset === target) return 1;
    if (cache.has(asset)) return cache.get(asset);
    const direct = rates.get(asset);
    let rate = direct?.get(target);
    if (rate === undefined && direct) {
      for (const hop of HOPS) {
        const a = direct.get(hop);
        const b = rates.get(hop)?.get(target);
        if (a !== undefined && b !== undefined) {
          rate = a * b;
          break;
        }
      }
    }
    cache.set(asset, rate);
    return rate;
  };
}
