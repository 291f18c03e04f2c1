/**
 * The collector loop against hand-written venues and a recording bus (a
 * fake that can refuse a publish: a refusing NATS server cannot be made on
 * demand in a shared test run). The NATS implementation itself is tested
 * against the real server in test/bus.
 */
import {describe, expect, it} from 'vitest';
import {collect} from '../../src/core/bus/collector.js';
import {BusUnavailableError, type BookUpdate, type BusBook, type CollectorStatus, type LostPublish, type MarketBus, type VenueMeta} from '../../src/core/bus/port.js';
import type {Market, OrderBook} from '../../src/core/types.js';
import type {Venue, VenueInfo} from '../../src/core/venues/port.js';

class RecordingBus implements MarketBus {
  published: BusBook[] = [];
  metas: VenueMeta[] = [];
  statuses: CollectorStatus[] = [];
  /** Refuses the publish of this sequence once. */
  refuseSequence: number | undefined;
  /** Takes the publish of this sequence, then reports it lost (as a missing acknowledgement would). */
  loseSequence: number | undefined;
  async publishBook(book: BusBook, lost?: LostPublish) {
    if (book.sequence === this.refuseSequence) {
      this.refuseSequence = undefined;
      throw new BusUnavailableError('nats://fake', 'refused');
    }
    if (book.sequence === this.loseSequence) {
      this.loseSequence = undefined;
      setImmediate(() => lost?.(book, new BusUnavailableError('nats://fake', 'no acknowledgement')));
      return;
    }
    this.published.push(book);
  }
  async flush() {}
  async latestBook() {
    return undefined;
  }
  async latestBooks() {
    return [];
  }
  async listBooks() {
    return [];
  }
  async putMeta(meta: VenueMeta) {
    this.metas.push(meta);
  }
  async getMeta() {
    return undefined;
  }
  async listVenues() {
    return [];
  }
  async putStatus(status: CollectorStatus) {
    this.statuses.push(status);
  }
  async listStatus() {
    return this.statuses;
  }
  async *watchBooks(): AsyncIterable<BookUpdate> {}
  async close() {}
}

const market: Market = {symbol: 'BTC/USD', id: 'BTCUSD', base: 'BTC', quote: 'USD', baseId: 'BTC', quoteId: 'USD', type: 'spot', active: true, taker: 0.001, maker: 0, amountStep: 0.0001, priceStep: 0.1, minAmount: undefined, maxAmount: undefined, minCost: undefined};

function info(id: string, streams: boolean): VenueInfo {
  return {id, exchange: 'fake', simulated: false, sandbox: false, mode: 'live', hasKeys: false, rateLimitMs: 0, capabilities: {bidsAsks: true, orderBookStream: streams, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false}};
}

function book(venue: string, bid: number): OrderBook {
  return {venue, symbol: 'BTC/USD', bids: [[bid, 1]], asks: [[bid + 1, 1]], timestamp: 1000 + bid, receivedAt: 1000 + bid};
}

/** Streams two books, fails, then (on the reconnect) streams books until aborted. */
function streamingVenue(id: string): Venue & {opened: number} {
  const v = {
    info: info(id, true),
    opened: 0,
    loadMarkets: async () => [market],
    async *watchOrderBook(_symbol: string, _depth?: number, signal?: AbortSignal) {
      v.opened++;
      if (v.opened === 1) {
        yield book(id, 1);
        yield book(id, 2);
        throw new Error('socket closed');
      }
      for (let i = 3; !signal?.aborted; i++) {
        yield book(id, i);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
  return v as unknown as Venue & {opened: number};
}

describe('the collector', () => {
  it('publishes metadata and books with rising sequences; a stream failure reconnects and marks the next book as a resync', async () => {
    const bus = new RecordingBus();
    const venue = streamingVenue('alpha');
    const controller = new AbortController();
    const status = collect({
      venues: [venue],
      bus,
      clock: {now: () => Date.now()},
      signal: controller.signal,
      backoff: {minMs: 1, maxMs: 5},
      statusMs: 10,
      onStatus: () => {
        if (bus.published.length >= 6) controller.abort();
      },
    });
    const last = await status;
    expect(bus.metas.map((m) => m.venue)).toEqual(['alpha']);
    expect(bus.metas[0]!.markets).toEqual([market]);
    expect(venue.opened).toBe(2);
    const seqs = bus.published.map((b) => b.sequence);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(bus.published[2]!.resync).toBe(true);
    expect(bus.published.filter((b) => b.resync).length).toBe(1);
    expect(last.gaps).toBe(1);
    expect(last.resyncs).toBe(1);
    expect(last.venueErrors).toBe(1);
    expect(last.stopped).toBe(true);
    expect(bus.statuses.at(-1)!.stopped).toBe(true);
  });

  it('a publish the bus refuses is a gap: the sequence skips and the next book is a resync', async () => {
    const bus = new RecordingBus();
    let n = 0;
    const venue = {
      info: info('beta', false),
      loadMarkets: async () => [market],
      fetchOrderBook: async () => book('beta', ++n),
    } as unknown as Venue;
    const controller = new AbortController();
    bus.refuseSequence = 2;
    const last = await collect({
      venues: [venue],
      bus,
      clock: {now: () => Date.now()},
      signal: controller.signal,
      pollMs: 1,
      statusMs: 10,
      onStatus: () => {
        if (bus.published.length >= 4) controller.abort();
      },
    });
    const seqs = bus.published.map((b) => b.sequence);
    expect(seqs.slice(0, 3)).toEqual([1, 3, 4]);
    expect(bus.published[1]!.resync).toBe(true);
    expect(last.gaps).toBe(1);
    expect(last.busErrors).toBeGreaterThanOrEqual(1);
  });

  it('an update the bus took but then reports lost is a gap: a later book of that symbol is a resync', async () => {
    const bus = new RecordingBus();
    let n = 0;
    const venue = {
      info: info('gamma', false),
      loadMarkets: async () => [market],
      fetchOrderBook: async () => book('gamma', ++n),
    } as unknown as Venue;
    const controller = new AbortController();
    bus.loseSequence = 2;
    const events: string[] = [];
    const last = await collect({
      venues: [venue],
      bus,
      clock: {now: () => Date.now()},
      signal: controller.signal,
      pollMs: 1,
      statusMs: 10,
      onEvent: (e) => events.push(e),
      onStatus: () => {
        if (bus.published.some((b) => b.resync)) controller.abort();
      },
    });
    const seqs = bus.published.map((b) => b.sequence);
    expect(seqs[0]).toBe(1);
    expect(seqs).not.toContain(2);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const resynced = bus.published.filter((b) => b.resync);
    expect(resynced).toHaveLength(1);
    expect(resynced[0]!.sequence).toBeGreaterThan(2);
    expect(last.gaps).toBe(1);
    expect(last.resyncs).toBe(1);
    expect(last.busErrors).toBe(1);
    expect(events.length).toBeGreaterThan(0);
  });
});
