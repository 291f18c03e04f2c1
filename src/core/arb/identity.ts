/**
 * Asset identity across venues. Two venues listing `ABC` do not prove they
 * list the same coin (tickers collide), and two different ids (XXBT, BTC) do
 * not prove they differ. The rule, in order:
 * 1. When both venues give an informative currency name (not just the ticker,
 *    the venue id or an alias again), the names decide: equal or one containing the other after
 *    lowercasing and dropping punctuation ("Tether USD" ~ "Tether").
 * 2. Otherwise the venue ids decide, after the known aliases
 *    (src/core/symbols: XBT, XXBT -> BTC): they must be equal.
 * Anything else is "not the same asset" with a reason the user can read.
 * Pure.
 */
import {canonicalAsset} from '../symbols/index.js';
import type {Currency, Market} from '../types.js';

export interface AssetFacts {
  readonly venue: string;
  /** Canonical code after the venue's own aliasing (Market.base / Market.quote). */
  readonly code: string;
  /** The venue's id for it (Market.baseId / Market.quoteId). */
  readonly id: string;
  /** Currency name from the venue, when it publishes one. */
  readonly name: string | undefined;
}

export type IdentityVerdict = {readonly same: true; readonly evidence: 'name' | 'id'} | {readonly same: false; readonly detail: string};

/**
 * A currency name that says more than the ticker: not empty, not the code,
 * not the venue's id and not an alias of the code (kraken names BTC "XBT").
 */
function informativeName(name: string | undefined, code: string, id: string): string | undefined {
  if (name === undefined) return undefined;
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n === '' || n === code.toLowerCase() || n === id.toLowerCase() || canonicalAsset(n) === code) return undefined;
  return n;
}

export function sameAsset(a: AssetFacts, b: AssetFacts): IdentityVerdict {
  if (a.code !== b.code) return {same: false, detail: `${a.venue} ${a.code} vs ${b.venue} ${b.code}`};
  const na = informativeName(a.name, a.code, a.id);
  const nb = informativeName(b.name, b.code, b.id);
  if (na !== undefined && nb !== undefined) {
    if (na === nb || na.includes(nb) || nb.includes(na)) return {same: true, evidence: 'name'};
    return {same: false, detail: `${a.code}: ${a.venue} names it ${JSON.stringify(a.name)}, ${b.venue} names it ${JSON.stringify(b.name)}`};
  }
  const ia = canonicalAsset(a.id);
  const ib = canonicalAsset(b.id);
  if (ia === ib) return {same: true, evidence: 'id'};
  return {same: false, detail: `${a.code}: ${a.venue} id ${a.id}, ${b.venue} id ${b.id}, and no currency names to compare`};
}

/** Index of a venue's currencies by canonical code. */
export function currencyIndex(currencies: readonly Currency[] | undefined): ReadonlyMap<string, Currency> {
  const map = new Map<string, Currency>();
  for (const c of currencies ?? []) map.set(c.code, c);
  return map;
}

export function baseFacts(venue: string, market: Market, currencies: ReadonlyMap<string, Currency> | undefined): AssetFacts {
  return {venue, code: market.base, id: market.baseId, name: currencies?.get(market.base)?.name};
}

export function quoteFacts(venue: string, market: Market, currencies: ReadonlyMap<string, Currency> | undefined): AssetFacts {
  return {venue, code: market.quote, id: market.quoteId, name: currencies?.get(market.quote)?.name};
}

/**
 * Do two venues' markets trade the same base (and, unless a quote group
 * joins different quotes, the same quote)?
 */
export function sameMarketAssets(
  buy: {venue: string; market: Market; currencies?: ReadonlyMap<string, Currency>},
  sell: {venue: string; market: Market; currencies?: ReadonlyMap<string, Currency>},
): IdentityVerdict {
  const base = sameAsset(baseFacts(buy.venue, buy.market, buy.currencies), baseFacts(sell.venue, sell.market, sell.currencies));
  if (!base.same) return base;
  if (buy.market.quote !== sell.market.quote) return base; // grouped quotes: labelled, not identified
  return sameAsset(quoteFacts(buy.venue, buy.market, buy.currencies), quoteFacts(sell.venue, sell.market, sell.currencies));
}
