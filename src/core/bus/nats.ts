/**
 * The market-data bus on NATS JetStream: the only module that imports the
 * NATS client packages.
 *
 * - Every book goes to `<prefix>.book.<venue>.<symbol>` in one stream with
 *   bounded retention (max age and max messages per subject).
 * - The latest book per venue/symbol is a key-value bucket entry
 *   (`<venue>.<symbol>`, history 1). Puts are coalesced: a key updated many
 *   times between two flushes is written once, with its newest book.
 * - Market metadata (`venue.<venue>`) and collector status (`status.<id>`)
 *   live in a second bucket.
 * - Book updates are published without a per-message acknowledgement and
 *   confirmed in bulk (a server round trip every `maxInFlight` publishes and
 *   on `flush()`); latest-book puts are acknowledged.
 * - The connection reconnects forever with backoff; while it is down,
 *   publishes fail and the caller (the collector) counts and retries.
 */
import {connect, type NatsConnection} from '@nats-io/transport-node';
import {DiscardPolicy, jetstream, jetstreamManager, StorageType, type JetStreamManager} from '@nats-io/jetstream';
import {Kvm, type KV} from '@nats-io/kv';
import {
  bookKey,
  bookSubject,
  BusUnavailableError,
  checkBusNames,
  decodeToken,
  parseBusUrl,
  encodeToken,
  parseBookKey,
  type BookUpdate,
  type BusBook,
  type BusNames,
  type CollectorStatus,
  type MarketBus,
  type VenueMeta,
} from './port.js';

export interface NatsBusOptions {
  /** nats://host:port (comma-separated for a cluster), optionally with the names as a query (see parseBusUrl). */
  readonly url: string;
  /** Overrides the names given in the URL. */
  readonly names?: Partial<BusNames>;
  /** How long the stream keeps book updates (default 1 h). */
  readonly retentionMs?: number;
  /** Updates kept per venue/symbol subject (default 1000). */
  readonly perSubject?: number;
  /** Connect timeout (default 2 s). */
  readonly timeoutMs?: number;
  /** Publishes between two round trips to the server (default 4096). */
  readonly maxInFlight?: number;
  /** Coalescing window for latest-book puts, ms (default 50). */
  readonly latestEveryMs?: number;
  /** Create the stream and buckets when missing (collectors); readers only open them. */
  readonly create?: boolean;
  /** Called on connection status changes (reconnecting, reconnected). */
  readonly onStatus?: (event: string) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encode(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function decode<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class NatsBus implements MarketBus {
  readonly names: BusNames;
  readonly url: string;
  private sinceFlush = 0;
  private readonly latest = new Map<string, Uint8Array>();
  private latestTimer: NodeJS.Timeout | undefined;
  private latestWriting: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(
    url: string,
    names: BusNames,
    private readonly nc: NatsConnection,
    private readonly books: KV,
    private readonly meta: KV,
    private readonly options: NatsBusOptions,
  ) {
    this.url = url;
    this.names = names;
  }

  /** Connects and opens (or, with `create`, creates) the stream and buckets. Throws BusUnavailableError. */
  static async open(options: NatsBusOptions): Promise<NatsBus> {
    const parsed = parseBusUrl(options.url);
    const names = {...parsed.names, ...options.names};
    checkBusNames(names);
    const url = parsed.servers.join(',');
    let nc: NatsConnection;
    try {
      nc = await connect({servers: parsed.servers.map((s) => s.replace(/^nats:\/\//, '')), timeout: options.timeoutMs ?? 2000, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250, reconnectJitter: 250, waitOnFirstConnect: false});
    } catch (error) {
      throw new BusUnavailableError(url, `cannot connect (${reason(error)})`, error);
    }
    try {
      const jsm = await jetstreamManager(nc, {timeout: options.timeoutMs ?? 2000});
      const js = jetstream(nc, {timeout: options.timeoutMs ?? 5000});
      const kvm = new Kvm(js);
      if (options.create) await ensureStream(jsm, names, options);
      const open = (bucket: string) => (options.create ? kvm.create(bucket, {history: 1, storage: StorageType.File}) : kvm.open(bucket));
      const [books, meta] = await Promise.all([open(names.booksBucket), open(names.metaBucket)]);
      const bus = new NatsBus(url, names, nc, books, meta, options);
      bus.watchStatus();
      return bus;
    } catch (error) {
      await nc.close().catch(() => {});
      if (error instanceof BusUnavailableError) throw error;
      throw new BusUnavailableError(url, `JetStream is not available (${reason(error)})`, error);
    }
  }

  private watchStatus(): void {
    const report = this.options.onStatus;
    if (!report) return;
    void (async () => {
      for await (const s of this.nc.status()) report(s.type);
    })().catch(() => {});
  }

  async publishBook(book: BusBook): Promise<void> {
    if (this.failure) {
      const f = this.failure;
      this.failure = undefined;
      throw f;
    }
    if (this.nc.isClosed()) throw new BusUnavailableError(this.url, 'connection closed');
    // Core publish into the stream's subject: the server stores it without a per-message
    // round trip. Delivery is confirmed in bulk by flush(); readers see lost updates as
    // sequence gaps and read the latest book (acknowledged puts) instead.
    const data = encode(book);
    this.nc.publish(bookSubject(this.names, book.venue, book.symbol), data);
    this.latest.set(bookKey(book.venue, book.symbol), data);
    this.latestTimer ??= setTimeout(() => {
      this.latestTimer = undefined;
      void this.writeLatest();
    }, this.options.latestEveryMs ?? 50);
    if (++this.sinceFlush >= (this.options.maxInFlight ?? 4096)) {
      this.sinceFlush = 0;
      await this.guard(() => this.nc.flush());
    }
  }

  private writeLatest(): Promise<void> {
    const batch = [...this.latest];
    this.latest.clear();
    this.latestWriting = this.latestWriting.then(async () => {
      // A key-value put is a message on the bucket's subject; published like the books and
      // confirmed for the whole batch at once.
      // The last one is acknowledged: the bucket stores messages in order, so its
      // acknowledgement means the whole batch is stored.
      const last = batch.pop();
      try {
        for (const [key, data] of batch) this.nc.publish(`$KV.${this.names.booksBucket}.${key}`, data);
        if (last) await this.books.put(last[0], last[1]);
      } catch (error) {
        // Keep the newest books for the next write.
        for (const [key, data] of [...batch, ...(last ? [last] : [])]) if (!this.latest.has(key)) this.latest.set(key, data);
        this.failure ??= new BusUnavailableError(this.url, `latest-book write failed (${reason(error)})`, error);
      }
    });
    return this.latestWriting;
  }

  async flush(): Promise<void> {
    clearTimeout(this.latestTimer);
    this.latestTimer = undefined;
    this.sinceFlush = 0;
    await this.guard(() => this.nc.flush());
    await this.writeLatest();
    if (this.failure) {
      const f = this.failure;
      this.failure = undefined;
      throw f;
    }
  }

  async latestBook(venue: string, symbol: string): Promise<BusBook | undefined> {
    const entry = await this.guard(() => this.books.get(bookKey(venue, symbol)));
    return entry && entry.operation === 'PUT' && entry.length > 0 ? decode<BusBook>(entry.value) : undefined;
  }

  async latestBooks(venues?: readonly string[]): Promise<BusBook[]> {
    // One venue filters on the server; several filter here (multiple filters need NATS 2.10).
    const filter = venues && venues.length === 1 ? `${encodeToken(venues[0]!)}.>` : '>';
    const wanted = venues && venues.length > 1 ? new Set(venues) : undefined;
    return this.guard(async () => {
      const status = await this.books.status();
      if (status.values === 0) return [];
      const out: BusBook[] = [];
      const iter = await this.books.watch({key: filter, ignoreDeletes: true});
      try {
        let timer: NodeJS.Timeout | undefined;
        // The watch replays the last value of every key, then waits for updates: stop at the end of the replay.
        const idle = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 500);
        });
        const read = (async () => {
          for await (const e of iter) {
            if (e.operation === 'PUT' && e.length > 0) {
              const b = decode<BusBook>(e.value);
              if (!wanted || wanted.has(b.venue)) out.push(b);
            }
            if (e.delta === 0) break;
            timer?.refresh();
          }
        })();
        await Promise.race([read, idle]);
        clearTimeout(timer);
      } finally {
        iter.stop();
      }
      return out;
    });
  }

  async listBooks(): Promise<{venue: string; symbol: string}[]> {
    return this.guard(async () => {
      const out: {venue: string; symbol: string}[] = [];
      for await (const key of await this.books.keys()) {
        const parsed = parseBookKey(key);
        if (parsed) out.push(parsed);
      }
      return out;
    });
  }

  async putMeta(meta: VenueMeta): Promise<void> {
    await this.guard(() => this.meta.put(`venue.${encodeToken(meta.venue)}`, encode(meta)));
  }

  async getMeta(venue: string): Promise<VenueMeta | undefined> {
    const entry = await this.guard(() => this.meta.get(`venue.${encodeToken(venue)}`));
    return entry && entry.operation === 'PUT' && entry.length > 0 ? decode<VenueMeta>(entry.value) : undefined;
  }

  async listVenues(): Promise<string[]> {
    return this.guard(async () => {
      const out: string[] = [];
      for await (const key of await this.meta.keys('venue.*')) out.push(parseKeyTail(key));
      return out.sort();
    });
  }

  async putStatus(status: CollectorStatus): Promise<void> {
    await this.guard(() => this.meta.put(`status.${encodeToken(status.collector)}`, encode(status)));
  }

  async listStatus(): Promise<CollectorStatus[]> {
    return this.guard(async () => {
      const keys: string[] = [];
      for await (const key of await this.meta.keys('status.*')) keys.push(key);
      const entries = await Promise.all(keys.sort().map((k) => this.meta.get(k)));
      return entries.filter((e) => e && e.operation === 'PUT' && e.length > 0).map((e) => decode<CollectorStatus>(e!.value));
    });
  }

  async *watchBooks(signal: AbortSignal): AsyncIterable<BookUpdate> {
    const sub = this.nc.subscribe(`${this.names.subjectPrefix}.book.>`);
    const stop = () => sub.unsubscribe();
    signal.addEventListener('abort', stop, {once: true});
    try {
      for await (const m of sub) yield {book: decode<BusBook>(m.data), arrivedAt: Date.now()};
    } finally {
      signal.removeEventListener('abort', stop);
      if (!sub.isClosed()) sub.unsubscribe();
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } catch {
      // closing: what could not be written is lost with the connection
    }
    await this.nc.close().catch(() => {});
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new BusUnavailableError(this.url, reason(error), error);
    }
  }
}

/** `venue.<token>` -> the venue name. */
function parseKeyTail(key: string): string {
  return decodeToken(key.slice(key.indexOf('.') + 1));
}

async function ensureStream(jsm: JetStreamManager, names: BusNames, options: NatsBusOptions): Promise<void> {
  const config = {
    name: names.stream,
    subjects: [`${names.subjectPrefix}.book.>`],
    max_age: (options.retentionMs ?? 3_600_000) * 1_000_000,
    max_msgs_per_subject: options.perSubject ?? 1000,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
  };
  try {
    await jsm.streams.info(names.stream);
    await jsm.streams.update(names.stream, config);
  } catch {
    await jsm.streams.add(config);
  }
}

/** Deletes the stream and buckets a source URL names (tests and benches clean up after themselves). */
export async function dropBus(url: string): Promise<void> {
  const {servers, names} = parseBusUrl(url);
  const nc = await connect({servers: servers.map((s) => s.replace(/^nats:\/\//, '')), timeout: 2000});
  try {
    const jsm = await jetstreamManager(nc);
    for (const s of [names.stream, `KV_${names.booksBucket}`, `KV_${names.metaBucket}`]) await jsm.streams.delete(s).catch(() => false);
  } finally {
    await nc.close();
  }
}
