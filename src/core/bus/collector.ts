/**
 * The collector loop behind `xarb collect`: keeps each venue's books warm
 * (streamed where the venue streams, polled otherwise) and publishes every
 * update to the market-data bus, with each venue's market metadata so
 * readers need no venue. It never prints: status goes to `onStatus` and to
 * the bus (`xarb collect status` reads it).
 *
 * Invariants
 * 1. Every published book is a full snapshot with a per venue/symbol
 *    sequence rising by one (port.ts).
 * 2. A venue stream that fails, or a publish the bus refused or did not
 *    store (reported later through `lost`: publishes are pipelined), is a
 *    gap: the next book of that venue/symbol is published with
 *    `resync: true` as soon as it is in hand (after the bus is back, for a
 *    bus failure). Sequences are never reused, so readers see the jump.
 * 3. Failures are retried with exponential backoff (gaps.ts backoffMs); one
 *    failing venue never stops the others.
 * 4. Aborting the signal ends every loop; what was published is flushed.
 */
import {abortableSleep} from '../duration.js';
import {errorMessage} from '../errors.js';
import {matchMarkets, parseSymbol} from '../symbols/index.js';
import type {Clock, Market, OrderBook} from '../types.js';
import type {Venue} from '../venues/port.js';
import {backoffMs} from './gaps.js';
import type {BusBook, CollectorStatus, LostPublish, MarketBus, VenueMeta} from './port.js';

export interface CollectOptions {
  readonly venues: readonly Venue[];
  readonly bus: MarketBus;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Canonical symbols; default: every symbol listed on two or more of the venues (all of one venue's when alone). */
  readonly symbols?: readonly string[];
  /** Book levels per side (default 50). */
  readonly depth?: number;
  /** Time between polls of a venue that does not stream (default 1 s). */
  readonly pollMs?: number;
  /** Time between status reports (default 10 s). */
  readonly statusMs?: number;
  /** Name of this collector in the status bucket (default collector-<pid>). */
  readonly name?: string;
  readonly onStatus?: (status: CollectorStatus) => void;
  /** Notable events: a venue failing or coming back, a gap, the bus failing. */
  readonly onEvent?: (text: string) => void;
  readonly backoff?: {readonly minMs?: number; readonly maxMs?: number};
}

interface VenueCounters {
  updates: number;
  mode: 'stream' | 'poll';
  lastError?: string;
}

/** Symbols each venue should collect (pure). */
export function collectPlan(markets: ReadonlyMap<string, readonly Market[]>, symbols?: readonly string[]): Map<string, string[]> {
  const plan = new Map<string, string[]>();
  if (symbols && symbols.length > 0) {
    const wanted = symbols.map((s) => parseSymbol(s));
    for (const [venue, list] of markets) plan.set(venue, [...new Set(wanted.flatMap((w) => matchMarkets(list, w).map((m) => m.symbol)))]);
    return plan;
  }
  const count = new Map<string, number>();
  for (const list of markets.values()) for (const m of list) if (m.active) count.set(m.symbol, (count.get(m.symbol) ?? 0) + 1);
  const min = markets.size > 1 ? 2 : 1;
  for (const [venue, list] of markets) plan.set(venue, list.filter((m) => m.active && (count.get(m.symbol) ?? 0) >= min).map((m) => m.symbol));
  return plan;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export class Collector {
  private readonly o: CollectOptions;
  private readonly name: string;
  private readonly sequences = new Map<string, number>();
  private readonly resync = new Set<string>();
  private readonly counters = new Map<string, VenueCounters>();
  private readonly startedAt: number;
  private published = 0;
  private lastPublished = 0;
  private lastStatusAt: number;
  private lags: number[] = [];
  private gaps = 0;
  private resyncs = 0;
  private venueErrors = 0;
  private busErrors = 0;
  private busDown = false;
  private symbols = new Set<string>();

  constructor(options: CollectOptions) {
    this.o = options;
    this.name = options.name ?? `collector-${process.pid}`;
    this.startedAt = options.clock.now();
    this.lastStatusAt = this.startedAt;
  }

  /** Runs until the signal aborts; returns the last status. */
  async run(): Promise<CollectorStatus> {
    const markets = await this.loadAll();
    const plan = collectPlan(markets, this.o.symbols);
    for (const list of plan.values()) for (const s of list) this.symbols.add(s);
    const loops = [...plan].flatMap(([venueId, symbols]) => {
      const venue = this.o.venues.find((v) => v.info.id === venueId)!;
      const streams = Boolean(venue.watchOrderBook && venue.info.capabilities.orderBookStream);
      this.counters.set(venueId, {updates: 0, mode: streams ? 'stream' : 'poll'});
      return streams ? symbols.map((s) => this.streamLoop(venue, s)) : [this.pollLoop(venue, symbols)];
    });
    const status = this.statusLoop();
    await Promise.all(loops);
    await this.flush();
    await status;
    const last = {...this.status(), stopped: true};
    await this.o.bus.putStatus(last).catch(() => {});
    return last;
  }

  /** Markets (and currencies where the venue has them) of every venue, retried with backoff; published as metadata. */
  private async loadAll(): Promise<Map<string, readonly Market[]>> {
    const out = new Map<string, readonly Market[]>();
    await Promise.all(
      this.o.venues.map(async (venue) => {
        for (let attempt = 0; !this.o.signal.aborted; attempt++) {
          try {
            const markets = await venue.loadMarkets();
            const currencies = venue.info.capabilities.currencies ? await venue.fetchCurrencies().catch(() => undefined) : undefined;
            const meta: VenueMeta = {
              venue: venue.info.id,
              exchange: venue.info.exchange,
              simulated: venue.info.simulated,
              sandbox: venue.info.sandbox,
              capabilities: venue.info.capabilities,
              markets,
              ...(currencies ? {currencies} : {}),
              publishedAt: this.o.clock.now(),
            };
            await this.withBus(() => this.o.bus.putMeta(meta));
            out.set(venue.info.id, markets);
            return;
          } catch (error) {
            this.venueErrors++;
            this.o.onEvent?.(`${venue.info.id}: markets failed: ${errorMessage(error)}; retrying`);
            await abortableSleep(backoffMs(attempt, this.o.backoff), this.o.signal);
          }
        }
      }),
    );
    return out;
  }

  /** Retries a bus operation until it succeeds or the collector stops. */
  private async withBus(fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn();
        if (this.busDown) {
          this.busDown = false;
          this.o.onEvent?.('bus: back');
        }
        return;
      } catch (error) {
        this.busErrors++;
        if (!this.busDown) this.o.onEvent?.(`bus: ${errorMessage(error)}; retrying`);
        this.busDown = true;
        if (this.o.signal.aborted) throw error;
        await abortableSleep(backoffMs(attempt, this.o.backoff), this.o.signal);
      }
    }
  }

  /** Marks a venue/symbol as having missed updates: one gap, however many updates it loses before its next book. */
  private markGap(key: string): void {
    if (this.resync.has(key)) return;
    this.resync.add(key);
    this.gaps++;
  }

  /** A book the bus took but could not store (publishes are pipelined, so this comes later). */
  private readonly lost: LostPublish = (book, error) => {
    this.markGap(`${book.venue}\u0000${book.symbol}`);
    this.busErrors++;
    if (!this.busDown) this.o.onEvent?.(`bus: update not stored: ${errorMessage(error)}`);
    this.busDown = true;
  };

  /** `key` is the book's venue \u0000 symbol (callers that loop over one symbol build it once). */
  private async publish(book: OrderBook, key = `${book.venue}\u0000${book.symbol}`): Promise<void> {
    const sequence = (this.sequences.get(key) ?? 0) + 1;
    const resync = this.resync.delete(key);
    const out: BusBook = resync ? {...book, sequence, resync: true} : {...book, sequence};
    // The sequence is used whatever happens: a lost update shows as a jump to readers.
    this.sequences.set(key, sequence);
    try {
      await this.o.bus.publishBook(out, this.lost);
      if (resync) this.resyncs++;
      this.published++;
      this.counters.get(book.venue)!.updates++;
      this.lags.push(Math.max(0, this.o.clock.now() - book.timestamp));
      if (this.busDown) {
        this.busDown = false;
        this.o.onEvent?.('bus: back');
      }
    } catch (error) {
      // The update is lost: readers will see the sequence jump; the next book is a resync.
      if (resync) this.resync.add(key);
      this.markGap(key);
      this.busErrors++;
      if (!this.busDown) this.o.onEvent?.(`bus: publish failed: ${errorMessage(error)}`);
      this.busDown = true;
    }
  }

  private async streamLoop(venue: Venue, symbol: string): Promise<void> {
    const depth = this.o.depth ?? 50;
    const key = `${venue.info.id}\u0000${symbol}`;
    for (let attempt = 0; !this.o.signal.aborted; ) {
      try {
        for await (const book of venue.watchOrderBook!(symbol, depth, this.o.signal)) {
          if (this.o.signal.aborted) break;
          attempt = 0;
          await this.publish(book, key);
        }
        if (this.o.signal.aborted) return;
        throw new Error('stream ended');
      } catch (error) {
        if (this.o.signal.aborted) return;
        this.venueFailed(venue, symbol, error);
        // Updates between the failure and the new stream's first book are lost.
        this.markGap(key);
        await abortableSleep(backoffMs(attempt++, this.o.backoff), this.o.signal);
      }
    }
  }

  private async pollLoop(venue: Venue, symbols: readonly string[]): Promise<void> {
    const depth = this.o.depth ?? 50;
    const every = this.o.pollMs ?? 1000;
    let attempt = 0;
    while (!this.o.signal.aborted) {
      const started = this.o.clock.now();
      let failed = false;
      for (const symbol of symbols) {
        if (this.o.signal.aborted) return;
        try {
          await this.publish(await venue.fetchOrderBook(symbol, depth));
        } catch (error) {
          failed = true;
          this.venueFailed(venue, symbol, error);
          this.resync.add(`${venue.info.id}\u0000${symbol}`);
        }
      }
      const wait = failed ? backoffMs(attempt++, {minMs: every, maxMs: this.o.backoff?.maxMs}) : Math.max(0, every - (this.o.clock.now() - started));
      if (!failed) attempt = 0;
      await abortableSleep(wait, this.o.signal);
    }
  }

  private venueFailed(venue: Venue, symbol: string, error: unknown): void {
    this.venueErrors++;
    const c = this.counters.get(venue.info.id);
    const text = errorMessage(error);
    if (c && c.lastError !== text) this.o.onEvent?.(`${venue.info.id} ${symbol}: ${text}; retrying with backoff`);
    if (c) c.lastError = text;
  }

  private async flush(): Promise<void> {
    try {
      await this.o.bus.flush();
    } catch (error) {
      this.busErrors++;
      this.o.onEvent?.(`bus: flush failed: ${errorMessage(error)}`);
    }
  }

  private async statusLoop(): Promise<void> {
    const every = this.o.statusMs ?? 10_000;
    while (!this.o.signal.aborted) {
      await abortableSleep(every, this.o.signal);
      if (this.o.signal.aborted) return;
      const status = this.status();
      this.o.onStatus?.(status);
      for (const c of this.counters.values()) {
        c.updates = 0;
        c.lastError = undefined;
      }
      await this.o.bus.putStatus(status).catch(() => {
        this.busErrors++;
      });
    }
  }

  /** The status of the interval since the last report (and totals since the start). */
  status(): CollectorStatus {
    const now = this.o.clock.now();
    const seconds = Math.max(0.001, (now - this.lastStatusAt) / 1000);
    const status: CollectorStatus = {
      collector: this.name,
      startedAt: this.startedAt,
      at: now,
      intervalMs: this.o.statusMs ?? 10_000,
      venues: [...this.counters.keys()].sort(),
      symbols: [...this.symbols].sort(),
      published: this.published,
      rate: Math.round(((this.published - this.lastPublished) / seconds) * 10) / 10,
      lagMs: {median: median(this.lags), max: this.lags.reduce((a, b) => Math.max(a, b), 0)},
      gaps: this.gaps,
      resyncs: this.resyncs,
      venueErrors: this.venueErrors,
      busErrors: this.busErrors,
      perVenue: [...this.counters].sort(([a], [b]) => (a < b ? -1 : 1)).map(([venue, c]) => ({venue, updates: c.updates, mode: c.mode, ...(c.lastError ? {lastError: c.lastError} : {})})),
    };
    this.lastPublished = this.published;
    this.lastStatusAt = now;
    this.lags = [];
    return status;
  }
}

export function collect(options: CollectOptions): Promise<CollectorStatus> {
  return new Collector(options).run();
}
