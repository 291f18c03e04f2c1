/**
 * Incremental cross-venue scanning for `arb scan --watch` on the market-data
 * bus: the books live in memory and a book update re-evaluates only the
 * venue pairs that book takes part in (buy here / sell there and back, for
 * its symbol), then the best pair of that symbol. Nothing else is touched,
 * so an update costs O(venues listing the symbol), not a full scan.
 *
 * Invariants
 * 1. A pair is evaluated by the same code as a full scan
 *    (evaluateCrossCandidates, one candidate), so the same books give the same
 *    opportunity for that pair.
 * 2. Pairs whose assets differ by the venues' metadata (identity.ts) are
 *    never paired; markets without a taker fee are left out, as in the screen.
 * 3. An opportunity whose books are older than max-age is not listed.
 * 4. Unlike a full scan there is no candidate cut (--max-candidates): every
 *    pair that crosses at the top of the book after fees is walked.
 */
import {ageMs} from '../market/book.js';
import {bookToQuote} from '../market/prices.js';
import type {Currency, Market, OrderBook, Quote} from '../types.js';
import {bookKey, evaluateCrossCandidates, groupKey, isScannable, wantedKeys, type CrossCandidate, type VenueSnapshot} from './cross.js';
import {tryTakerFee, type FeeOverrides, type TakerFee} from './fees.js';
import {sameMarketAssets} from './identity.js';
import type {CrossOpportunity} from './types.js';
import type {Valuer} from './valuation.js';

export interface IncrementalOptions {
  readonly symbols?: readonly string[];
  readonly quoteGroup?: string;
  readonly fees?: FeeOverrides;
  readonly minBps: number;
  readonly minProfit: number;
  readonly maxSize?: number;
  readonly maxNotional?: number;
  readonly maxAgeMs: number;
  readonly withTransfer: boolean;
  readonly valuer: Valuer;
}

interface Listing {
  /** bookKey(venue, symbol). */
  readonly id: string;
  readonly venue: string;
  readonly market: Market;
  readonly fee: TakerFee;
  readonly key: string;
  /** Other listings of the same key whose assets match this one's. */
  readonly peers: Listing[];
  /** The opportunity of buying here and selling on each peer, where there is one. */
  readonly asBuyer: Map<Listing, CrossOpportunity>;
  /** The latest book held. */
  book: OrderBook | undefined;
}

export class IncrementalCross {
  private readonly listings = new Map<string, Listing>();
  private readonly books = new Map<string, OrderBook>();
  /** Per group key, the listings that are the buy side of at least one opportunity. */
  private readonly live = new Map<string, Set<Listing>>();
  private readonly snapshots: Map<string, VenueSnapshot>;
  private readonly emptyErrors = new Map<string, string>();
  options: IncrementalOptions;
  /** Pair evaluations done (diagnostics, benches). */
  evaluations = 0;

  constructor(markets: ReadonlyMap<string, readonly Market[]>, currencies: ReadonlyMap<string, ReadonlyMap<string, Currency> | undefined>, options: IncrementalOptions) {
    this.options = options;
    this.snapshots = new Map([...markets].map(([venue, list]) => [venue, {venue, markets: list, quotes: [], currencies: currencies.get(venue)}]));
    const wanted = wantedKeys(options.symbols, options.quoteGroup);
    const groups = new Map<string, Listing[]>();
    for (const [venue, list] of markets) {
      for (const market of list) {
        if (!isScannable(market)) continue;
        const key = groupKey(market, options.quoteGroup);
        if (wanted && !wanted.has(key)) continue;
        const fee = tryTakerFee(venue, market, options.fees);
        if (!fee) continue;
        const id = bookKey(venue, market.symbol);
        const listing: Listing = {id, venue, market, fee, key, peers: [], asBuyer: new Map(), book: undefined};
        this.listings.set(id, listing);
        const g = groups.get(key) ?? [];
        g.push(listing);
        groups.set(key, g);
      }
    }
    for (const g of groups.values()) {
      for (const a of g) {
        for (const b of g) {
          if (a === b || a.venue === b.venue) continue;
          const same = sameMarketAssets({venue: a.venue, market: a.market, currencies: currencies.get(a.venue)}, {venue: b.venue, market: b.market, currencies: currencies.get(b.venue)});
          if (same.same) a.peers.push(b);
        }
      }
    }
  }

  /** Symbols (group keys) listed on two or more venues. */
  get symbols(): number {
    const keys = new Set<string>();
    for (const l of this.listings.values()) if (l.peers.length > 0) keys.add(l.key);
    return keys.size;
  }

  get bookCount(): number {
    return this.books.size;
  }

  /** Applies one book and re-evaluates the pairs it takes part in. Returns the number of pairs evaluated. */
  update(book: OrderBook, now: number): number {
    const listing = this.listings.get(bookKey(book.venue, book.symbol));
    if (!listing) return 0;
    this.books.set(listing.id, book);
    listing.book = book;
    let n = 0;
    for (const peer of listing.peers) {
      this.evaluate(listing, peer, now);
      this.evaluate(peer, listing, now);
      n += 2;
    }
    return n;
  }

  /** Applies many books, then evaluates each affected pair once (start-up, resync). */
  load(books: Iterable<OrderBook>, now: number): void {
    const touched = new Set<Listing>();
    for (const book of books) {
      const listing = this.listings.get(bookKey(book.venue, book.symbol));
      if (!listing) continue;
      this.books.set(listing.id, book);
      listing.book = book;
      touched.add(listing);
    }
    for (const l of touched) {
      for (const p of l.peers) {
        this.evaluate(l, p, now);
        if (!touched.has(p)) this.evaluate(p, l, now);
      }
    }
  }

  private evaluate(buy: Listing, sell: Listing, now: number): void {
    this.evaluations++;
    const buyBook = buy.book;
    const sellBook = sell.book;
    let found: CrossOpportunity | undefined;
    const ask = buyBook?.asks[0]?.[0];
    const bid = sellBook?.bids[0]?.[0];
    // The screen's test: crossed at the top of the book after both taker fees.
    if (buyBook && sellBook && ask !== undefined && bid !== undefined && ask > 0 && bid * (1 - sell.fee.rate) > ask * (1 + buy.fee.rate)) {
      const topNetBps = ((bid * (1 - sell.fee.rate) - ask * (1 + buy.fee.rate)) / ask) * 10_000;
      if (topNetBps >= this.options.minBps) {
        const candidate: CrossCandidate = {key: buy.key, buy: {venue: buy.venue, market: buy.market, fee: buy.fee, price: ask}, sell: {venue: sell.venue, market: sell.market, fee: sell.fee, price: bid}, topNetBps};
        const books = new Map([
          [buy.id, buyBook],
          [sell.id, sellBook],
        ]);
        found = evaluateCrossCandidates([candidate], books, this.emptyErrors, this.snapshots, {...this.options, now}).opportunities[0];
      }
    }
    if (found) {
      buy.asBuyer.set(sell, found);
      let set = this.live.get(buy.key);
      if (!set) this.live.set(buy.key, (set = new Set()));
      set.add(buy);
    } else if (buy.asBuyer.delete(sell) && buy.asBuyer.size === 0) this.live.get(buy.key)?.delete(buy);
  }

  /** The current opportunities: the best fresh pair per symbol, sorted like a scan. */
  opportunities(now: number): CrossOpportunity[] {
    const out: CrossOpportunity[] = [];
    const rank = (o: CrossOpportunity) => (this.options.withTransfer ? (o.netProfitWithTransfer ?? -Infinity) : (o.netValue ?? o.netProfit));
    for (const buyers of this.live.values()) {
      let best: CrossOpportunity | undefined;
      for (const l of buyers) {
        if (!l.book || ageMs(l.book, now) > this.options.maxAgeMs) continue;
        for (const [sell, o] of l.asBuyer) {
          if (!sell.book || ageMs(sell.book, now) > this.options.maxAgeMs) continue;
          if (!best || rank(o) > rank(best)) best = o;
        }
      }
      if (best) out.push(best);
    }
    return out.sort((x, y) => rank(y) - rank(x) || (x.key < y.key ? -1 : 1));
  }

  /** Books older than max-age (for the tick's stale count). */
  stale(now: number): {venue: string; symbol: string; ageMs: number}[] {
    const out: {venue: string; symbol: string; ageMs: number}[] = [];
    for (const b of this.books.values()) {
      const age = ageMs(b, now);
      if (age > this.options.maxAgeMs) out.push({venue: b.venue, symbol: b.symbol, ageMs: age});
    }
    return out;
  }

  /** Top-of-book quotes of every book held (for valuation). */
  *quotes(): Iterable<Quote> {
    for (const b of this.books.values()) yield bookToQuote(b);
  }
}
