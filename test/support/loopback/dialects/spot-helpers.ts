/**
 * Helpers shared by the bitget and gate dialects: the top of a book for
 * tickers, the decoded query string both sign, post-only checks, and the
 * quote amount a market buy was sent with (bitget `size`, gate `amount`),
 * kept beside the order record so the dialect can echo it back (the base
 * amount it buys comes from market-buy.ts).
 */
import type {Level} from '../../../../src/core/types.js';
import type {OrderRecord, VenueState} from '../state.js';

/** Best bid and ask of a market (undefined when a side is empty) and their mid, for tickers. */
export function topOfBook(state: VenueState, symbol: string): {bid: Level | undefined; ask: Level | undefined; mid: number} {
  const book = state.book(symbol);
  const bid = book.bids[0];
  const ask = book.asks[0];
  const mid = bid && ask ? (bid[0] + ask[0]) / 2 : (bid?.[0] ?? ask?.[0] ?? 0);
  return {bid, ask, mid};
}

/** Would a post-only order at `price` take liquidity (cross the opposite best price)? */
export function postOnlyCrosses(state: VenueState, symbol: string, side: 'buy' | 'sell', price: string): boolean {
  const {bid, ask} = topOfBook(state, symbol);
  const best = side === 'buy' ? ask?.[0] : bid?.[0];
  return best !== undefined && (side === 'buy' ? Number(price) >= best : Number(price) <= best);
}

/** Quote amounts of quote-amount market buys, by order (kept out of the shared state). */
const quoteAmounts = new WeakMap<OrderRecord, string>();

export function rememberQuoteAmount(order: OrderRecord, quote: string): void {
  quoteAmounts.set(order, quote);
}

/** The quote amount a market buy was sent with, when it was sent as one. */
export function quoteAmountOf(order: OrderRecord): string | undefined {
  return quoteAmounts.get(order);
}

/**
 * The query string as the venue signs it: parameters in the order sent, names
 * and values percent-decoded ("a=1&b=x y"). Both bitget and gate sign this
 * form and ccxt builds its signature the same way.
 */
export function decodedQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
      return eq < 0 ? decode(pair) : `${decode(pair.slice(0, eq))}=${decode(pair.slice(eq + 1))}`;
    })
    .join('&');
}
