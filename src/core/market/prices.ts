/**
 * Prices side by side: top of book for each symbol on each venue, fetched in
 * parallel, with data age, staleness, the best bid and best ask across
 * venues (stale quotes are never chosen), and the cross-venue spread
 * (best bid minus best ask). With a size, each venue's book is walked to
 * give the average price to buy and to sell that size and how much of it the
 * book cannot fill.
 *
 * A venue that fails is reported as failed on its row; `answered` counts the
 * venues that gave any data so the command can exit 4 only when none did.
 */
import {abortableSleep} from '../duration.js';
import type {Db} from '../journal/db.js';
import {PriceSnapshotsRepo, type PriceSnapshot} from '../journal/price-snapshots.js';
import {errorMessage, UnknownSymbolError} from '../errors.js';
import {matchMarkets, parseSymbol, quoteGroupOf, type ParsedSymbol} from '../symbols/index.js';
import type {Clock, Market, OrderBook, Quote} from '../types.js';
import type {Venue} from '../venues/port.js';
import {ageMs, walkBook} from './book.js';
import type {BookSource, QuoteSource} from './streams.js';

export interface SizeFill {
  /** Average price for the part the book can fill; undefined if nothing. */
  readonly average: number | undefined;
  /** The average with the venue's taker fee: a buy pays average x (1 + fee), a sell gets average x (1 - fee). */
  readonly afterFees?: number;
  /** The taker fee rate used (the user's fee tier in config, else the market's). */
  readonly feeRate?: number;
  readonly filled: number;
  readonly unfilled: number;
}

export interface PriceRow {
  readonly venue: string;
  readonly simulated: boolean;
  readonly status: 'ok' | 'failed' | 'not_listed';
  readonly error?: string;
  /** The venue's market actually quoted (differs from the requested symbol under a quote group). */
  readonly market?: string;
  /** The venue's own id for the market, e.g. XXBTZUSD. */
  readonly nativeId?: string;
  /** For a not-listed row: the venue's markets of the same base in the same quote group (e.g. BTC/USDT for BTC/USD). */
  readonly alternatives?: readonly string[];
  /** Set when the row comes from another quote of the group, e.g. "USDT as USD". */
  readonly quoteGroupLabel?: string;
  /** The market's tick (price step) and lot (amount step), for display. */
  readonly priceStep?: number;
  readonly amountStep?: number;
  readonly bid?: number;
  readonly bidSize?: number;
  readonly ask?: number;
  readonly askSize?: number;
  readonly spread?: number;
  readonly spreadBps?: number;
  readonly ageMs?: number;
  readonly stale?: boolean;
  readonly bestBid?: boolean;
  readonly bestAsk?: boolean;
  readonly buy?: SizeFill;
  readonly sell?: SizeFill;
}

export interface SymbolPrices {
  readonly symbol: string;
  readonly rows: readonly PriceRow[];
  readonly bestBid?: {readonly venue: string; readonly price: number};
  readonly bestAsk?: {readonly venue: string; readonly price: number};
  /** Best bid minus best ask across venues: positive means a crossed market (buy low, sell high). */
  readonly crossSpread?: {readonly value: number; readonly bps: number};
  /** Best buy and sell averages for --size across venues. */
  /** Best venues for --size, ranked after taker fees (as the router ranks them). */
  readonly bestBuy?: {readonly venue: string; readonly average: number; readonly afterFees?: number};
  readonly bestSell?: {readonly venue: string; readonly average: number; readonly afterFees?: number};
}

export interface PricesResult {
  readonly generatedAt: number;
  readonly size?: string;
  readonly maxAgeMs: number;
  readonly quoteGroup?: string;
  readonly simulatedVenues: readonly string[];
  readonly venuesAsked: number;
  readonly venuesAnswered: number;
  readonly symbols: readonly SymbolPrices[];
}

export interface PricesOptions {
  readonly size?: string;
  readonly maxAgeMs: number;
  readonly quoteGroup?: string;
  readonly clock: Clock;
  /** Book depth fetched for --size (levels). */
  readonly depth?: number;
  /** The user's taker fee tier per venue (config venues.<v>.fees.taker); the market's fee otherwise. */
  readonly takerFees?: Readonly<Record<string, number | undefined>>;
  /** Where each result's quotes are journalled (price history), as `arb scan` records its opportunities. */
  readonly recorder?: PriceRecorder;
}

/** Journals the quotes a prices run saw (journal/price-snapshots.ts implements it). */
export interface PriceRecorder {
  record(snapshots: readonly PriceSnapshot[]): void;
}

/** The journal's price snapshots, as the recorder of a prices run. */
export function priceRecorder(db: Db): PriceRecorder {
  return new PriceSnapshotsRepo(db);
}

/** Records the quotes every venue answered with, stamped with the run's time and each quote's age. */
function recordPrices(recorder: PriceRecorder | undefined, result: PricesResult): PricesResult {
  recorder?.record(
    result.symbols.flatMap((s) =>
      s.rows
        .filter((r) => r.status === 'ok' && r.market)
        .map((r) => ({ts: result.generatedAt, venue: r.venue, symbol: r.market!, bid: r.bid, bidSize: r.bidSize, ask: r.ask, askSize: r.askSize, quoteTs: result.generatedAt - (r.ageMs ?? 0)})),
    ),
  );
  return result;
}

interface VenueAnswer {
  readonly venue: Venue;
  readonly markets?: readonly Market[];
  readonly quotes?: ReadonlyMap<string, Quote>;
  readonly books?: ReadonlyMap<string, OrderBook>;
  readonly error?: string;
}

/** Where a watch gets its data: books (for --size) and best bid/ask; REST calls on the venue when absent. */
interface Sources {
  readonly books?: BookSource;
  readonly quotes?: QuoteSource;
}

async function askVenue(venue: Venue, wanted: readonly ParsedSymbol[], options: PricesOptions, sources: Sources = {}): Promise<VenueAnswer> {
  let markets: readonly Market[];
  try {
    markets = await venue.loadMarkets();
  } catch (error) {
    return {venue, error: errorMessage(error)};
  }
  const symbols = new Set<string>();
  for (const w of wanted) for (const m of matchMarkets(markets, w, options.quoteGroup)) symbols.add(m.symbol);
  if (symbols.size === 0) return {venue, markets, quotes: new Map()};
  try {
    const list = [...symbols];
    // Books when a size must be walked; one quotes call (or the streamed quotes) otherwise.
    const useBooks = options.size !== undefined;
    const depth = options.depth ?? 100;
    const {books: bookSource, quotes: quoteSource} = sources;
    const [quotes, books] = await Promise.all([
      useBooks ? Promise.resolve([] as Quote[]) : quoteSource ? quoteSource.get(venue, list, options.maxAgeMs) : venue.fetchQuotes(list),
      useBooks ? Promise.all(list.map((s) => (bookSource ? bookSource.get(venue, s, depth) : venue.fetchOrderBook(s, depth)))) : Promise.resolve([] as OrderBook[]),
    ]);
    const quoteMap = new Map<string, Quote>();
    for (const q of quotes) quoteMap.set(q.symbol, q);
    const bookMap = new Map<string, OrderBook>();
    for (const b of books) {
      bookMap.set(b.symbol, b);
      quoteMap.set(b.symbol, bookToQuote(b));
    }
    return {venue, markets, quotes: quoteMap, books: bookMap};
  } catch (error) {
    return {venue, markets, error: errorMessage(error)};
  }
}

export function bookToQuote(book: OrderBook): Quote {
  return {
    venue: book.venue,
    symbol: book.symbol,
    bid: book.bids[0]?.[0],
    bidSize: book.bids[0]?.[1],
    ask: book.asks[0]?.[0],
    askSize: book.asks[0]?.[1],
    timestamp: book.timestamp,
    receivedAt: book.receivedAt,
  };
}

/**
 * Fetches and compares prices for `symbols` (user input, any dialect) across
 * `venues`. A venue still being opened is asked as soon as it is open, so
 * the first venues' requests are out (and their answers read) while the
 * others are still being built.
 */
export async function fetchPrices(venues: readonly (Venue | PromiseLike<Venue>)[], symbols: readonly string[], options: PricesOptions): Promise<PricesResult> {
  const wanted = symbols.map((s) => parseSymbol(s));
  const answers = await askAll(venues, (v) => askVenue(v, wanted, options), options.maxAgeMs);
  return recordPrices(options.recorder, comparePrices(answers, wanted, options));
}

/**
 * Asks every venue in parallel. Once the first venue has answered, the others
 * get half of max-age more: waiting longer would let the quotes already in
 * hand go stale while a silent venue hangs. A venue that misses that deadline
 * is reported as failed.
 */
async function askAll(venues: readonly (Venue | PromiseLike<Venue>)[], ask: (v: Venue) => Promise<VenueAnswer>, maxAgeMs: number): Promise<VenueAnswer[]> {
  const graceMs = Math.max(1000, maxAgeMs / 2);
  let timer: NodeJS.Timeout | undefined;
  let startGrace: () => void = () => {};
  const graceOver = new Promise<void>((resolve) => {
    startGrace = () => {
      if (!timer) timer = setTimeout(resolve, graceMs);
    };
  });
  try {
    return await Promise.all(
      venues.map(async (opening) => {
        const venue = await opening;
        const answer = ask(venue).then((a) => {
          if (!a.error) startGrace();
          return a;
        });
        return Promise.race([answer, graceOver.then((): VenueAnswer => ({venue, error: `no answer within ${Math.round(graceMs / 1000)}s of the first venue`}))]);
      }),
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Pure: builds the result from what each venue answered. */
export function comparePrices(answers: readonly VenueAnswer[], wanted: readonly ParsedSymbol[], options: PricesOptions): PricesResult {
  const now = options.clock.now();
  const size = options.size === undefined ? undefined : Number(options.size);
  const listedSomewhere = new Set<string>();
  const out: SymbolPrices[] = [];
  for (const w of wanted) {
    const rows: PriceRow[] = [];
    for (const answer of answers) {
      const base = {venue: answer.venue.info.id, simulated: answer.venue.info.simulated};
      if (!answer.markets) {
        rows.push({...base, status: 'failed', error: answer.error});
        continue;
      }
      const market = matchMarkets(answer.markets, w, options.quoteGroup)[0];
      if (!market) {
        const group = quoteGroupOf(w.quote);
        const alternatives = group ? matchMarkets(answer.markets, w, group).map((m) => m.symbol) : [];
        rows.push({...base, status: 'not_listed', ...(alternatives.length > 0 ? {alternatives} : {})});
        continue;
      }
      listedSomewhere.add(w.symbol);
      const label = market.symbol !== w.symbol ? `${market.quote} as ${w.quote}` : undefined;
      const quote = answer.quotes?.get(market.symbol);
      if (answer.error || !quote) {
        rows.push({...base, status: 'failed', market: market.symbol, nativeId: market.id, quoteGroupLabel: label, error: answer.error ?? 'no quote returned'});
        continue;
      }
      const age = ageMs(quote, now);
      const row: PriceRow = {
        ...base,
        status: 'ok',
        market: market.symbol,
        nativeId: market.id,
        quoteGroupLabel: label,
        ...(market.priceStep === undefined ? {} : {priceStep: market.priceStep}),
        ...(market.amountStep === undefined ? {} : {amountStep: market.amountStep}),
        bid: quote.bid,
        bidSize: quote.bidSize,
        ask: quote.ask,
        askSize: quote.askSize,
        spread: quote.bid !== undefined && quote.ask !== undefined ? clean(quote.ask - quote.bid) : undefined,
        spreadBps: quote.bid !== undefined && quote.ask !== undefined ? clean(((quote.ask - quote.bid) / ((quote.ask + quote.bid) / 2)) * 10_000) : undefined,
        ageMs: age,
        stale: age > options.maxAgeMs,
      };
      const book = answer.books?.get(market.symbol);
      if (size !== undefined && book) {
        const fee = options.takerFees?.[answer.venue.info.id] ?? market.taker;
        const buy = walkBook(book, 'buy', size);
        const sell = walkBook(book, 'sell', size);
        rows.push({...row, buy: sizeFill(buy, 'buy', fee), sell: sizeFill(sell, 'sell', fee)});
      } else rows.push(row);
    }
    out.push(markBest(w.symbol, rows));
  }
  const answered = answers.filter((a) => a.markets && !a.error).length;
  // A symbol no venue lists is a usage error only when every venue answered.
  const unknown = wanted.filter((w) => !listedSomewhere.has(w.symbol));
  if (unknown.length > 0 && answered === answers.length && answers.length > 0) {
    throw new UnknownSymbolError(unknown.map((w) => w.symbol).join(', '), answers.map((a) => a.venue.info.id));
  }
  return {
    generatedAt: now,
    size: options.size,
    maxAgeMs: options.maxAgeMs,
    quoteGroup: options.quoteGroup,
    simulatedVenues: answers.filter((a) => a.venue.info.simulated).map((a) => a.venue.info.id),
    venuesAsked: answers.length,
    venuesAnswered: answered,
    symbols: out,
  };
}

/** Derived figures rounded to 12 significant digits: no float noise (63781.99999999999) in output. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

function sizeFill(walk: {average: number | undefined; filled: number; unfilled: number}, side: 'buy' | 'sell', fee: number | undefined): SizeFill {
  const average = walk.average === undefined ? undefined : clean(walk.average);
  const feeRate = fee !== undefined && Number.isFinite(fee) && fee >= 0 ? fee : undefined;
  const afterFees = average === undefined || feeRate === undefined ? undefined : clean(walk.average! * (side === 'buy' ? 1 + feeRate : 1 - feeRate));
  return {average, ...(afterFees === undefined ? {} : {afterFees, feeRate}), filled: clean(walk.filled), unfilled: clean(walk.unfilled)};
}

/** What a size costs or fetches per unit with fees, the figure --size ranks venues by. */
function effective(fill: SizeFill): number {
  return fill.afterFees ?? fill.average!;
}

function markBest(symbol: string, rows: PriceRow[]): SymbolPrices {
  const fresh = rows.filter((r) => r.status === 'ok' && !r.stale);
  let bestBid: PriceRow | undefined;
  let bestAsk: PriceRow | undefined;
  let bestBuy: PriceRow | undefined;
  let bestSell: PriceRow | undefined;
  for (const r of fresh) {
    if (r.bid !== undefined && (!bestBid || r.bid > bestBid.bid!)) bestBid = r;
    if (r.ask !== undefined && (!bestAsk || r.ask < bestAsk.ask!)) bestAsk = r;
    // Only venues that can fill the whole size compete for best average.
    if (r.buy?.average !== undefined && r.buy.unfilled === 0 && (!bestBuy || effective(r.buy) < effective(bestBuy.buy!))) bestBuy = r;
    if (r.sell?.average !== undefined && r.sell.unfilled === 0 && (!bestSell || effective(r.sell) > effective(bestSell.sell!))) bestSell = r;
  }
  const marked = rows.map((r) => (r === bestBid || r === bestAsk ? {...r, bestBid: r === bestBid, bestAsk: r === bestAsk} : r));
  const cross =
    bestBid && bestAsk
      ? {value: clean(bestBid.bid! - bestAsk.ask!), bps: clean(((bestBid.bid! - bestAsk.ask!) / ((bestBid.bid! + bestAsk.ask!) / 2)) * 10_000)}
      : undefined;
  return {
    symbol,
    rows: marked,
    bestBid: bestBid ? {venue: bestBid.venue, price: bestBid.bid!} : undefined,
    bestAsk: bestAsk ? {venue: bestAsk.venue, price: bestAsk.ask!} : undefined,
    crossSpread: cross,
    bestBuy: bestBuy ? {venue: bestBuy.venue, average: bestBuy.buy!.average!, ...(bestBuy.buy!.afterFees === undefined ? {} : {afterFees: bestBuy.buy!.afterFees})} : undefined,
    bestSell: bestSell ? {venue: bestSell.venue, average: bestSell.sell!.average!, ...(bestSell.sell!.afterFees === undefined ? {} : {afterFees: bestSell.sell!.afterFees})} : undefined,
  };
}

/**
 * The interval a watch loop really waits: what was asked for, but never less
 * than the slowest venue's rate limit (ccxt's rateLimit) nor 100 ms, and below
 * Node's timer limit. `prices --watch --interval 0` cannot poll a venue in a
 * tight loop.
 */
export function watchIntervalMs(requested: number, venues: readonly Pick<Venue, 'info'>[]): number {
  const floor = Math.max(WATCH_FLOOR_MS, ...venues.map((v) => (Number.isFinite(v.info.rateLimitMs) ? v.info.rateLimitMs : 0)));
  return Math.min(Math.max(requested, floor), TIMER_LIMIT_MS);
}

const WATCH_FLOOR_MS = 100;
const TIMER_LIMIT_MS = 2_147_483_647;

/**
 * Refreshes prices every `intervalMs` (raised to watchIntervalMs) until `signal` aborts. Best bid/ask
 * comes from `quotes` and, with a size, books from `books`: streamed (ccxt.pro websockets) where a
 * venue streams, so each refresh shows the latest pushed data without a request; REST elsewhere
 * (streams.ts says when a streamed quote is topped up by REST).
 */
export async function* watchPrices(
  venues: readonly Venue[],
  symbols: readonly string[],
  options: PricesOptions & {intervalMs: number; signal: AbortSignal; books: BookSource; quotes: QuoteSource},
): AsyncGenerator<PricesResult> {
  const wanted = symbols.map((s) => parseSymbol(s));
  const interval = watchIntervalMs(options.intervalMs, venues);
  const sources = {books: options.books, quotes: options.quotes};
  while (!options.signal.aborted) {
    const answers = await askAll(venues, (v) => askVenue(v, wanted, options, sources), options.maxAgeMs);
    yield recordPrices(options.recorder, comparePrices(answers, wanted, options));
    await abortableSleep(interval, options.signal);
  }
}

