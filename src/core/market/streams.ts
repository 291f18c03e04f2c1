/**
 * Where order books and quotes come from. REST by default; under --watch,
 * streamed (ccxt.pro websockets) where the venue streams, REST elsewhere.
 * Books are shared by `prices --watch --size` and `arb scan --watch`; quotes
 * (best bid/ask) by `prices --watch`.
 *
 * Invariants (quotes)
 * 1. A venue that cannot stream quotes is polled: one fetchQuotes per call.
 * 2. A streamed quote is served while it is younger than half the caller's
 *    max age; older or missing (stream silent, not yet up, or down) it is
 *    fetched by REST, so a served quote follows the same --max-age rule as a
 *    polled one and a quiet market is not shown stale.
 * 3. A stream that fails or ends is reopened after a backoff that doubles
 *    per consecutive failure (1 s up to 30 s by default), reset by an update;
 *    the venue is polled meanwhile.
 */
import {errorMessage} from '../errors.js';
import type {Clock, OrderBook, Quote} from '../types.js';
import type {Venue} from '../venues/port.js';

export interface BookSource {
  get(venue: Venue, symbol: string, depth: number): Promise<OrderBook>;
}

export const restBooks: BookSource = {
  get: (venue, symbol, depth) => venue.fetchOrderBook(symbol, depth),
};

function bookKey(venue: string, symbol: string): string {
  return `${venue}\u0000${symbol}`;
}

interface Stream {
  latest: OrderBook | undefined;
  failed: boolean;
  waiters: ((book: OrderBook | undefined) => void)[];
  readonly controller: AbortController;
  lastWanted: number;
}

/**
 * Streamed books where the venue streams (capabilities.orderBookStream and
 * watchOrderBook), REST elsewhere. A stream that ends or fails falls back to
 * REST and is reopened on the next request.
 */
export class StreamingBooks implements BookSource {
  private readonly streams = new Map<string, Stream>();
  private generation = 0;
  private readonly firstBookTimeoutMs: number;

  constructor(options: {firstBookTimeoutMs?: number} = {}) {
    this.firstBookTimeoutMs = options.firstBookTimeoutMs ?? 5000;
  }

  /** Number of open streams (for tests and diagnostics). */
  get open(): number {
    return this.streams.size;
  }

  async get(venue: Venue, symbol: string, depth: number): Promise<OrderBook> {
    if (!venue.watchOrderBook || !venue.info.capabilities.orderBookStream) return venue.fetchOrderBook(symbol, depth);
    const key = bookKey(venue.info.id, symbol);
    let s = this.streams.get(key);
    if (s?.failed) {
      this.streams.delete(key);
      s = undefined;
    }
    if (!s) s = this.start(key, venue, symbol, depth);
    s.lastWanted = this.generation;
    if (s.latest) return s.latest;
    const first = await this.first(s);
    return first ?? venue.fetchOrderBook(symbol, depth);
  }

  private first(s: Stream): Promise<OrderBook | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), this.firstBookTimeoutMs);
      s.waiters.push((book) => {
        clearTimeout(timer);
        resolve(book);
      });
    });
  }

  private start(key: string, venue: Venue, symbol: string, depth: number): Stream {
    const s: Stream = {latest: undefined, failed: false, waiters: [], controller: new AbortController(), lastWanted: this.generation};
    this.streams.set(key, s);
    const wake = (book: OrderBook | undefined) => {
      const waiters = s.waiters.splice(0);
      for (const w of waiters) w(book);
    };
    void (async () => {
      try {
        for await (const book of venue.watchOrderBook!(symbol, depth, s.controller.signal)) {
          s.latest = book;
          wake(book);
          if (s.controller.signal.aborted) break;
        }
      } catch {
        // fall through: the next get() reopens or uses REST
      }
      s.failed = true;
      wake(undefined);
    })();
    return s;
  }

  /** Marks the start of a tick; streams unused for `keepTicks` ticks are closed. */
  tick(keepTicks = 3): void {
    this.generation++;
    for (const [key, s] of this.streams) {
      if (this.generation - s.lastWanted > keepTicks) {
        s.controller.abort();
        this.streams.delete(key);
      }
    }
  }

  close(): void {
    for (const s of this.streams.values()) s.controller.abort();
    this.streams.clear();
  }
}

export interface QuoteSource {
  /** Best bid/ask of `symbols` on `venue`, none older than `maxAgeMs` when the venue can answer. */
  get(venue: Venue, symbols: readonly string[], maxAgeMs: number): Promise<readonly Quote[]>;
}

export const restQuotes: QuoteSource = {
  get: (venue, symbols) => venue.fetchQuotes(symbols),
};

interface QuoteStream {
  readonly symbols: string;
  readonly latest: Map<string, Quote>;
  controller: AbortController;
  running: boolean;
  /** Consecutive failures since the last update. */
  failures: number;
  retryAt: number;
  lastError?: string;
  updates: number;
}

export interface StreamingQuotesOptions {
  readonly clock: Clock;
  /** First reconnect delay (default 1000 ms), doubled per consecutive failure up to maxBackoffMs (default 30000 ms). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** Streamed best bid/ask where the venue streams (capabilities.quoteStream and watchQuotes), REST elsewhere. */
export class StreamingQuotes implements QuoteSource {
  private readonly streams = new Map<string, QuoteStream>();
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: StreamingQuotesOptions) {
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** Per venue: is its stream up, how many updates it delivered, its consecutive failures (for tests and diagnostics). */
  status(venue: string): {streaming: boolean; updates: number; failures: number; lastError?: string} | undefined {
    const s = this.streams.get(venue);
    return s ? {streaming: s.running, updates: s.updates, failures: s.failures, ...(s.lastError === undefined ? {} : {lastError: s.lastError})} : undefined;
  }

  async get(venue: Venue, symbols: readonly string[], maxAgeMs: number): Promise<readonly Quote[]> {
    if (!venue.watchQuotes || venue.info.capabilities.quoteStream !== true || symbols.length === 0) return venue.fetchQuotes(symbols);
    const id = venue.info.id;
    const key = [...new Set(symbols)].sort().join('\u0000');
    let s = this.streams.get(id);
    if (s && s.symbols !== key) {
      s.controller.abort();
      s = undefined;
    }
    if (!s) {
      s = {symbols: key, latest: new Map(), controller: new AbortController(), running: false, failures: 0, retryAt: 0, updates: 0};
      this.streams.set(id, s);
    }
    const now = this.options.clock.now();
    if (!s.running && now >= s.retryAt) this.start(s, venue, symbols);
    // Missing or older than half the max age: REST (the stream is not up yet, silent, or down).
    const due = symbols.filter((symbol) => {
      const q = s.latest.get(symbol);
      return !q || now - Math.min(q.timestamp, q.receivedAt) > maxAgeMs / 2;
    });
    if (due.length > 0) {
      for (const q of await venue.fetchQuotes(due)) this.keep(s, q);
    }
    return symbols.map((symbol) => s.latest.get(symbol)).filter((q): q is Quote => q !== undefined);
  }

  /** Keeps `quote` unless the one held is newer by the venue's clock. */
  private keep(s: QuoteStream, quote: Quote): void {
    const held = s.latest.get(quote.symbol);
    if (!held || held.timestamp <= quote.timestamp) s.latest.set(quote.symbol, quote);
  }

  private start(s: QuoteStream, venue: Venue, symbols: readonly string[]): void {
    s.running = true;
    s.controller = new AbortController();
    const signal = s.controller.signal;
    void (async () => {
      try {
        for await (const quotes of venue.watchQuotes!(symbols, signal)) {
          for (const q of quotes) this.keep(s, q);
          s.updates++;
          s.failures = 0;
          if (signal.aborted) break;
        }
        if (!signal.aborted) s.lastError = 'the stream ended';
      } catch (error) {
        s.lastError = errorMessage(error);
      }
      s.running = false;
      if (signal.aborted) return;
      s.failures++;
      s.retryAt = this.options.clock.now() + Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (s.failures - 1));
    })();
  }

  close(): void {
    for (const s of this.streams.values()) s.controller.abort();
    this.streams.clear();
  }
}
