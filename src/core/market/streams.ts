/**
 * Where order books come from. REST by default; under --watch, streamed
 * books (ccxt.pro websockets) where the venue streams, REST elsewhere. Shared
 * by `prices --watch` and `arb scan --watch`.
 */
import type {OrderBook} from '../types.js';
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
