import {connect} from '@nats-io/transport-node';
import {jetstream, jetstreamManager} from '@nats-io/jetstream';
import {Kvm} from '@nats-io/kv';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {dropBus, NatsBus} from '../../src/core/bus/nats.js';
import {BusUnavailableError, parseBusUrl, type BookUpdate, type BusBook, type VenueMeta} from '../../src/core/bus/port.js';
import {busVenues} from '../../src/core/bus/venue.js';
import {NotSupportedError, UsageError, VenueUnavailableError} from '../../src/core/errors.js';
import {skipWithoutNats, testSource, until} from '../support/nats.js';
import {startTcpProxy} from '../support/tcp-proxy.js';

const skip = await skipWithoutNats();

function book(venue: string, symbol: string, sequence: number, bid = 100): BusBook {
  return {venue, symbol, bids: [[bid, 1], [bid - 1, 2]], asks: [[bid + 1, 1.5], [bid + 2, 3]], timestamp: 1_700_000_000_000 + sequence, receivedAt: 1_700_000_000_050 + sequence, sequence};
}

const meta: VenueMeta = {
  venue: 'alpha',
  exchange: 'fake',
  simulated: false,
  sandbox: false,
  capabilities: {bidsAsks: true, orderBookStream: true, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false},
  markets: [{symbol: 'BTC/USD', id: 'BTCUSD', base: 'BTC', quote: 'USD', baseId: 'BTC', quoteId: 'USD', type: 'spot', active: true, taker: 0.001, maker: 0, amountStep: 0.0001, priceStep: 0.1, minAmount: 0.0001, maxAmount: undefined, minCost: 5}],
  publishedAt: 1_700_000_000_000,
};

describe.skipIf(skip)('the NATS JetStream market-data bus', () => {
  const source = testSource('natsbus');
  let bus: NatsBus;

  beforeAll(async () => {
    bus = await NatsBus.open({url: source, create: true, latestEveryMs: 5});
  });
  afterAll(async () => {
    await bus?.close();
    await dropBus(source);
  });

  it('keeps the latest book per venue and symbol, with symbols that are not subject-safe', async () => {
    await bus.publishBook(book('alpha', 'BTC/USD', 1, 100));
    await bus.publishBook(book('alpha', 'BTC/USD', 2, 101));
    await bus.publishBook(book('alpha', 'BTC/USDT:USDT', 1, 200));
    await bus.publishBook(book('beta.x', 'BTC/USD', 1, 300));
    await bus.flush();
    expect(await bus.latestBook('alpha', 'BTC/USD')).toEqual(book('alpha', 'BTC/USD', 2, 101));
    expect(await bus.latestBook('alpha', 'BTC/USDT:USDT')).toEqual(book('alpha', 'BTC/USDT:USDT', 1, 200));
    expect(await bus.latestBook('alpha', 'ETH/USD')).toBeUndefined();
    const all = await bus.latestBooks();
    expect(all.map((b) => `${b.venue} ${b.symbol} ${b.sequence}`).sort()).toEqual(['alpha BTC/USD 2', 'alpha BTC/USDT:USDT 1', 'beta.x BTC/USD 1']);
    expect((await bus.latestBooks(['beta.x'])).map((b) => b.venue)).toEqual(['beta.x']);
    expect((await bus.listBooks()).length).toBe(3);
  });

  it('delivers every update to a watcher, in order', async () => {
    const controller = new AbortController();
    const seen: BookUpdate[] = [];
    const reading = (async () => {
      for await (const u of bus.watchBooks(controller.signal)) {
        seen.push(u);
        if (seen.filter((x) => x.book.symbol === 'ETH/USD').length === 3) controller.abort();
      }
    })();
    // The watcher is listening once a probe book reaches it.
    let probe = 0;
    await until(async () => {
      if (seen.length > 0) return true;
      await bus.publishBook(book('gamma', 'PROBE/USD', ++probe));
      await bus.flush();
      return false;
    }, 5000, 'the watcher to see a probe');
    for (let i = 1; i <= 3; i++) await bus.publishBook(book('gamma', 'ETH/USD', i, 10 + i));
    await bus.flush();
    await reading;
    const eth = seen.filter((u) => u.book.symbol === 'ETH/USD');
    expect(eth.map((u) => u.book.sequence)).toEqual([1, 2, 3]);
    expect(eth[2]!.book.bids[0]).toEqual([13, 1]);
  });

  it('stores market metadata and collector status for readers without venues', async () => {
    await bus.putMeta(meta);
    expect(await bus.getMeta('alpha')).toEqual(meta);
    expect(await bus.listVenues()).toEqual(['alpha']);
    const venues = await busVenues(bus);
    expect(venues.map((v) => v.info.id)).toEqual(['alpha']);
    const v = venues[0]!;
    expect(await v.loadMarkets()).toEqual(meta.markets);
    const b = await v.fetchOrderBook('BTC/USD', 1);
    expect(b.bids).toEqual([[101, 1]]);
    expect(b.timestamp).toBe(1_700_000_000_002);
    const [q] = await v.fetchQuotes(['BTC/USD']);
    expect(q).toMatchObject({venue: 'alpha', symbol: 'BTC/USD', bid: 101, ask: 102, receivedAt: 1_700_000_000_052});
    await expect(v.fetchOrderBook('ETH/USD')).rejects.toBeInstanceOf(VenueUnavailableError);
    expect(() => v.createOrder()).toThrow(NotSupportedError);
    await expect(busVenues(bus, ['nope'])).rejects.toBeInstanceOf(UsageError);
  });

  it('a reader goes on through the NATS client once its own connection is lost, and reconnects', async () => {
    await bus.putMeta(meta);
    const server = new URL(parseBusUrl(source).servers[0]!);
    const proxy = await startTcpProxy({host: server.hostname, port: Number(server.port || 4222)});
    const reader = await NatsBus.open({url: source.replace(/^nats:\/\/[^?]*/, `nats://127.0.0.1:${proxy.port}`), timeoutMs: 1000});
    try {
      expect(await reader.listVenues()).toEqual(['alpha']);
      expect(await reader.latestBook('alpha', 'BTC/USD')).toEqual(book('alpha', 'BTC/USD', 2, 101));
      proxy.cut();
      await expect(reader.latestBook('alpha', 'BTC/USD')).rejects.toBeInstanceOf(BusUnavailableError);
      proxy.restore();
      expect(await reader.latestBook('alpha', 'BTC/USD')).toEqual(book('alpha', 'BTC/USD', 2, 101));
      expect(await reader.listVenues()).toEqual(['alpha']);
    } finally {
      await reader.close();
      await proxy.close();
    }
  });

  it('books prefetched with the venues answer latestBook once; a prefetch nobody takes does no harm', async () => {
    await bus.publishBook(book('pf', 'BTC/USD', 1, 500));
    await bus.flush();
    const reader = await NatsBus.open({url: source});
    try {
      reader.prefetchBooks(['pf', 'nobody'], ['BTC/USD', 'ETH/USD']);
      expect(await reader.latestBook('pf', 'BTC/USD')).toEqual(book('pf', 'BTC/USD', 1, 500));
      expect(await reader.latestBook('pf', 'ETH/USD')).toBeUndefined();
      // Taken once: the next read asks the bus again.
      await bus.publishBook(book('pf', 'BTC/USD', 2, 501));
      await bus.flush();
      expect(await reader.latestBook('pf', 'BTC/USD')).toEqual(book('pf', 'BTC/USD', 2, 501));
    } finally {
      await reader.close();
    }
    // Without venues: read for every venue the next listing finds, along with their metadata.
    await bus.putMeta({...meta, venue: 'pf'});
    const lister = await NatsBus.open({url: source});
    try {
      lister.prefetchBooks(undefined, ['BTC/USD']);
      expect(await lister.listVenues()).toContain('pf');
      await bus.publishBook(book('pf', 'BTC/USD', 3, 502));
      await bus.flush();
      // The book read with the listing (before the newer one was published), then the newer one.
      expect(await lister.latestBook('pf', 'BTC/USD')).toEqual(book('pf', 'BTC/USD', 2, 501));
      expect(await lister.latestBook('pf', 'BTC/USD')).toEqual(book('pf', 'BTC/USD', 3, 502));
    } finally {
      await lister.close();
    }
    const noBuckets = await NatsBus.open({url: testSource('natsprefetch')});
    try {
      noBuckets.prefetchBooks(['pf'], ['BTC/USD']);
      await expect(noBuckets.latestBook('pf', 'BTC/USD')).rejects.toBeInstanceOf(BusUnavailableError);
      // Never taken: its failure must not surface as an unhandled rejection.
      noBuckets.prefetchBooks(['other'], ['BTC/USD']);
      await expect(noBuckets.listVenues()).rejects.toBeInstanceOf(BusUnavailableError);
    } finally {
      await noBuckets.close();
    }
  });

  it('publishes more than a few thousand updates without losing the latest', async () => {
    const n = 5000;
    for (let i = 1; i <= n; i++) await bus.publishBook(book('delta', `S${i % 50}/USD`, Math.ceil(i / 50), i));
    await bus.flush();
    const latest = await bus.latestBooks(['delta']);
    expect(latest.length).toBe(50);
    expect(Math.max(...latest.map((b) => b.bids[0]![0]))).toBe(n);
  });
});

describe.skipIf(skip)('a reader (a bus opened without create)', () => {
  const source = testSource('natsreader');
  const {servers, names} = parseBusUrl(source);
  const status = {
    collector: 'c1', startedAt: 1, at: 2, intervalMs: 10_000, venues: ['alpha'], symbols: ['BTC/USD'], published: 3, rate: 0.3,
    lagMs: {median: 1, max: 2}, gaps: 0, resyncs: 0, venueErrors: 0, busErrors: 0, perVenue: [{venue: 'alpha', updates: 3, mode: 'poll' as const}],
  };

  afterAll(async () => {
    await dropBus(source);
  });

  /** What a reader answers: venues, their metadata, a book, a missing book, collector status. */
  async function readAll(): Promise<unknown> {
    const reader = await NatsBus.open({url: source});
    try {
      return {
        venues: await reader.listVenues(),
        alpha: await reader.getMeta('alpha'),
        beta: await reader.getMeta('beta'),
        book: await reader.latestBook('alpha', 'BTC/USD'),
        missing: await reader.latestBook('alpha', 'ETH/USD'),
        status: await reader.listStatus(),
      };
    } finally {
      await reader.close();
    }
  }

  it('reads the same entries by direct gets as through the stream API (a bucket with direct gets off), without deleted ones', async () => {
    const writer = await NatsBus.open({url: source, create: true, latestEveryMs: 5});
    try {
      await writer.putMeta(meta);
      await writer.putMeta({...meta, venue: 'beta'});
      await writer.putStatus(status);
      await writer.publishBook(book('alpha', 'BTC/USD', 7, 123));
      await writer.flush();
    } finally {
      await writer.close();
    }
    const nc = await connect({servers: servers.map((s) => s.replace(/^nats:\/\//, ''))});
    try {
      const kv = await new Kvm(jetstream(nc)).open(names.metaBucket);
      await kv.delete('venue.beta');
      const expected = {venues: ['alpha'], alpha: meta, beta: undefined, book: book('alpha', 'BTC/USD', 7, 123), missing: undefined, status: [status]};
      expect(await readAll()).toEqual(expected);
      const jsm = await jetstreamManager(nc);
      for (const bucket of [names.booksBucket, names.metaBucket]) {
        const info = await jsm.streams.info(`KV_${bucket}`);
        expect(info.config.allow_direct).toBe(true);
        await jsm.streams.update(`KV_${bucket}`, {...info.config, allow_direct: false});
      }
      expect(await readAll()).toEqual(expected);
    } finally {
      await nc.close();
    }
  });

  it('fails with BusUnavailableError (exit 4) on its first read when the buckets do not exist', async () => {
    const reader = await NatsBus.open({url: testSource('natsnobucket')});
    try {
      const error = await reader.listVenues().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusUnavailableError);
      expect((error as BusUnavailableError).exitCode).toBe(4);
      await expect(reader.latestBook('alpha', 'BTC/USD')).rejects.toBeInstanceOf(BusUnavailableError);
    } finally {
      await reader.close();
    }
  });
});

describe.skipIf(skip)('publishes the server does not store', () => {
  it('are reported lost (one callback per book) and make flush reject', async () => {
    const source = testSource('natslost');
    const bus = await NatsBus.open({url: source, create: true});
    try {
      await dropBus(source);
      const lost: number[] = [];
      for (let i = 1; i <= 3; i++) await bus.publishBook(book('omega', 'BTC/USD', i), (b) => lost.push(b.sequence));
      await expect(bus.flush()).rejects.toBeInstanceOf(BusUnavailableError);
      expect(lost.sort()).toEqual([1, 2, 3]);
    } finally {
      await bus.close();
    }
  });
});

describe('an unreachable bus', () => {
  it('is BusUnavailableError with exit 4, quickly', async () => {
    const started = Date.now();
    const error = await NatsBus.open({url: 'nats://127.0.0.1:1', timeoutMs: 1000}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusUnavailableError);
    expect((error as BusUnavailableError).exitCode).toBe(4);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
