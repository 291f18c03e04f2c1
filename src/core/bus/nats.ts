/**
 * The market-data bus on NATS JetStream: the only module that imports the
 * NATS client packages.
 *
 * - Every book goes to `<prefix>.book.<venue>.<symbol>` in one stream with
 *   bounded retention (max age and max messages per subject), in the binary
 *   form of codec.ts.
 * - The latest book per venue/symbol is a key-value bucket entry
 *   (`<venue>.<symbol>`, history 1). Puts are coalesced: a key updated many
 *   times within `latestEveryMs` is written once, with its newest book.
 * - Market metadata (`venue.<venue>`) and collector status (`status.<id>`)
 *   live in a second bucket, as JSON.
 * - Publishes are pipelined: each book (and each latest-book put) is sent
 *   with a reply subject on which JetStream acknowledges it, and at most
 *   `maxInFlight` may be unacknowledged at once (publishBook waits for room).
 *   A negative acknowledgement, none within `ackTimeoutMs`, or the
 *   connection dropping before it, makes the book lost (the caller's `lost`
 *   callback: a gap). While disconnected, publishBook rejects at once rather
 *   than buffering.
 * - Readers of single entries (latestBook, getMeta, listVenues, listStatus)
 *   ask JetStream directly (nats-direct.ts: one request per key, one for a
 *   key listing), so a short command loads and opens no JetStream or
 *   key-value client; the rest opens them on first use.
 * - A reader (opened without `create`) sends those requests on a plain
 *   connection of its own (nats-wire.ts) and starts the NATS client only when
 *   something else is asked of it (watching, the key-value client,
 *   publishing), or when that connection is lost (the client reconnects), or
 *   when the server needs TLS or credentials.
 * - The connection reconnects forever with backoff; a creating bus (the
 *   collector) makes sure the stream and buckets exist again after a
 *   reconnect (a server restarted on an empty store).
 */
import type {Msg, NatsConnection, Subscription} from '@nats-io/transport-node';
import type {JetStreamManager} from '@nats-io/jetstream';
import type {KV, Kvm} from '@nats-io/kv';
import {decodeBook, encodeBook} from './codec.js';
import {lastMessage, streamAllowsDirect, streamSubjects, type LastMessage, type Requester} from './nats-direct.js';
import {openWire, type WireConnection} from './nats-wire.js';
import {
  bookKey,
  bookSubject,
  busCredentials,
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
  type LostPublish,
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
  /** Publishes that may be unacknowledged at once (default 1024). */
  readonly maxInFlight?: number;
  /** A publish not acknowledged within this is lost (default 5 s). */
  readonly ackTimeoutMs?: number;
  /** Coalescing window for latest-book puts, ms (default 100). */
  readonly latestEveryMs?: number;
  /** Create the stream and buckets when missing (collectors); readers only open them. */
  readonly create?: boolean;
  /** Called on connection status changes (disconnect, reconnecting, reconnect). */
  readonly onStatus?: (event: string) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SETTLED = Promise.resolve();

function encode(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function decode<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A publish waiting for its acknowledgement: a book (stream) or a latest-book put. */
interface Pending {
  readonly at: number;
  readonly book?: BusBook;
  readonly lost?: LostPublish;
  readonly key?: string;
  readonly data?: Uint8Array;
}

/** How a stored message's acknowledgement starts (an error comes first when there is one). */
const STORED = encoder.encode('{"stream":');

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/** Why an acknowledgement is negative, or undefined for a stored message. */
function ackFailure(msg: Msg): string | undefined {
  const code = msg.headers?.code ?? 0;
  if (code >= 300) return `no stream took it (${code}${msg.headers?.description ? ` ${msg.headers.description}` : ''})`;
  const data = msg.data;
  if (data.length === 0) return 'empty acknowledgement';
  if (startsWith(data, STORED)) return undefined;
  const text = decoder.decode(data);
  if (!text.includes('"error"')) return undefined;
  try {
    const e = (JSON.parse(text) as {error?: {description?: string; code?: number}}).error;
    return `refused: ${e?.description ?? 'error'}${e?.code ? ` (${e.code})` : ''}`;
  } catch {
    return `refused: ${text.slice(0, 200)}`;
  }
}

export class NatsBus implements MarketBus {
  readonly names: BusNames;
  readonly url: string;
  private readonly maxInFlight: number;
  private readonly ackTimeoutMs: number;
  /** The inbox prefix acknowledgements come back on: set up with the acknowledgement subscription. */
  private ackPrefix = '';
  /** The acknowledgement subscription and its timeout sweeper: set up by the first publish (readers never publish). */
  private ackSub: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly pending = new Map<number, Pending>();
  /** Publishes not yet handed to the client: subject, data, id, ... */
  private outbox: (string | Uint8Array | number)[] = [];
  private outboxTimer: NodeJS.Immediate | undefined;
  private nextId = 0;
  private connected = true;
  /** publishBook calls waiting for room in the window; drain waiters for an empty window. */
  private roomWaiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private lostSinceFlush = 0;
  private lastLoss: unknown;
  private readonly latest = new Map<string, Uint8Array>();
  private latestTimer: NodeJS.Timeout | undefined;
  /** venue -> symbol -> [subject, key]: built once per venue/symbol. */
  private readonly addresses = new Map<string, Map<string, readonly [string, string]>>();

  /** The JetStream manager and both buckets: opened by a creating bus at once, by a reader on first need (see jetStream). */
  private parts: Promise<JetStreamParts> | undefined;
  /** Metadata entries listVenues read, each handed once to the getMeta that follows (one get per key). */
  private readonly metaRead = new Map<string, Promise<LastMessage | undefined>>();
  /** Books prefetchBooks started reading, each handed once to the latestBook of its key. */
  private readonly bookRead = new Map<string, Promise<LastMessage | undefined>>();
  /** Symbols whose books the next listVenues reads for every venue it finds (prefetchBooks without venues). */
  private prefetchSymbols: readonly string[] | undefined;
  private readonly requestTimeoutMs: number;
  /** Per bucket: whether its stream serves direct gets (asked once; a reader asks at open, in parallel). */
  private readonly direct = new Map<string, Promise<boolean>>();

  /** The NATS client's connection: a creating bus's from the start, a reader's once it needs one (see connection). */
  private nc: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;

  private constructor(
    url: string,
    names: BusNames,
    nc: NatsConnection | undefined,
    /** A reader's plain connection for single-entry reads (nats-wire.ts). */
    private readonly wire: WireConnection | undefined,
    parts: JetStreamParts | undefined,
    private readonly options: NatsBusOptions,
  ) {
    this.nc = nc;
    this.url = url;
    this.names = names;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1024);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.requestTimeoutMs = options.timeoutMs ?? 5000;
    if (parts) this.parts = Promise.resolve(parts);
  }

  /** Connects and opens (or, with `create`, creates) the stream and buckets. Throws BusUnavailableError. */
  static async open(options: NatsBusOptions): Promise<NatsBus> {
    const parsed = parseBusUrl(options.url);
    const names = {...parsed.names, ...options.names};
    checkBusNames(names);
    const url = parsed.servers.join(',');
    if (!options.create) {
      let wire: WireConnection | undefined;
      try {
        wire = await openWire(parsed.servers, options.timeoutMs ?? 2000);
      } catch (error) {
        throw new BusUnavailableError(url, `cannot connect (${reason(error)})`, error);
      }
      // A reader only connects: its first read says whether JetStream and the buckets are there.
      if (wire) return new NatsBus(url, names, undefined, wire, undefined, options).startReading();
    }
    const nc = await connectClient(url, parsed.servers, options);
    try {
      const bus = new NatsBus(url, names, nc, undefined, options.create ? await openJetStream(nc, names, options) : undefined, options);
      bus.watchStatus(nc);
      return options.create ? bus : bus.startReading();
    } catch (error) {
      await nc.close().catch(() => {});
      if (error instanceof BusUnavailableError) throw error;
      throw new BusUnavailableError(url, `JetStream is not available (${reason(error)})`, error);
    }
  }

  /**
   * Asks at once whether the books bucket serves direct gets (in parallel
   * with the reader's first request, the metadata keys, whose answer says
   * the same of the metadata bucket).
   */
  private startReading(): this {
    this.allowsDirect(this.names.booksBucket).catch(() => {});
    return this;
  }

  /** The NATS client's connection, opened on first need for a reader (BusUnavailableError when it cannot connect). */
  private connection(): Promise<NatsConnection> {
    if (this.nc) return Promise.resolve(this.nc);
    if (!this.connecting) {
      const connecting = connectClient(this.url, this.url.split(','), this.options).then((nc) => {
        this.nc = nc;
        this.watchStatus(nc);
        return nc;
      });
      this.connecting = connecting;
      // A failed connect is tried again by the next call.
      connecting.catch(() => {
        if (this.connecting === connecting) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  /** Where single-entry reads go: the reader's plain connection while it is up, else the client's. */
  private requester(): Requester | Promise<Requester> {
    return this.wire?.open ? this.wire : this.connection();
  }

  private watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.disconnected();
        else if (s.type === 'reconnect') this.reconnected();
        this.options.onStatus?.(s.type);
      }
    })().catch(() => {});
  }

  private disconnected(): void {
    this.connected = false;
    // What was sent on the lost connection may or may not be stored; no acknowledgement will come.
    this.failAll('connection lost before the server acknowledged');
  }

  private reconnected(): void {
    this.connected = true;
    if (this.options.create && this.parts) {
      this.parts
        .then((parts) => ensureAll(parts.modules, parts.jsm, parts.kvm, this.names, this.options))
        .catch((error: unknown) => this.options.onStatus?.(`stream and buckets not ready: ${reason(error)}`));
    }
    this.scheduleLatest();
  }

  publishBook(book: BusBook, lost?: LostPublish): Promise<void> {
    // A reader that publishes (nothing does today) starts the client first.
    if (!this.nc) return this.connection().then(() => this.publishBook(book, lost));
    if (this.pending.size >= this.maxInFlight) return this.publishWhenRoom(book, lost);
    // With room in the window (nearly always) no promise of its own: one shared, already settled.
    try {
      this.publishNow(book, lost);
      return SETTLED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async publishWhenRoom(book: BusBook, lost?: LostPublish): Promise<void> {
    while (this.pending.size >= this.maxInFlight && this.connected && !this.closed) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    this.publishNow(book, lost);
  }

  /** Whether the bus's connections are closed (or, for a reader without the client yet, its own connection is gone). */
  private get closed(): boolean {
    return this.nc ? this.nc.isClosed() : !this.wire?.open;
  }

  private publishNow(book: BusBook, lost?: LostPublish): void {
    if (this.closed) throw new BusUnavailableError(this.url, 'connection closed');
    if (!this.connected) throw new BusUnavailableError(this.url, 'disconnected; reconnecting');
    const address = this.address(book.venue, book.symbol);
    const data = encodeBook(book);
    this.send(address[0], data, {at: Date.now(), book, lost});
    this.latest.set(address[1], data);
    this.scheduleLatest();
  }

  private address(venue: string, symbol: string): readonly [string, string] {
    let symbols = this.addresses.get(venue);
    if (!symbols) {
      symbols = new Map();
      this.addresses.set(venue, symbols);
    }
    let address = symbols.get(symbol);
    if (!address) {
      address = [bookSubject(this.names, venue, symbol), bookKey(venue, symbol)] as const;
      symbols.set(symbol, address);
    }
    return address;
  }

  /**
   * Queues a publish; queued publishes go out together on the next turn of
   * the event loop, so a burst is one socket write (the client writes after
   * every microtask turn otherwise, one write per awaited publish).
   */
  private send(subject: string, data: Uint8Array, pending: Pending): void {
    if (!this.ackSub) {
      this.ackPrefix = `${natsClient!.createInbox()}.`;
      this.ackSub = this.nc!.subscribe(`${this.ackPrefix}*`, {callback: (_error, msg) => this.onAck(msg)});
      this.sweeper = setInterval(() => this.sweep(), Math.min(500, this.ackTimeoutMs));
      this.sweeper.unref();
    }
    const id = ++this.nextId;
    this.pending.set(id, pending);
    this.outbox.push(subject, data, id);
    this.outboxTimer ??= setImmediate(() => this.sendOutbox());
  }

  private sendOutbox(): void {
    this.outboxTimer = undefined;
    const out = this.outbox;
    this.outbox = [];
    for (let i = 0; i < out.length; i += 3) {
      const id = out[i + 2] as number;
      if (!this.pending.has(id)) continue;
      try {
        if (!this.connected) throw new Error('disconnected before sending');
        this.nc!.publish(out[i] as string, out[i + 1] as Uint8Array, {reply: `${this.ackPrefix}${id}`});
      } catch (error) {
        const p = this.pending.get(id)!;
        this.pending.delete(id);
        this.fail(p, new BusUnavailableError(this.url, reason(error), error));
      }
    }
    this.released();
  }

  private onAck(msg: Msg): void {
    const id = Number(msg.subject.slice(this.ackPrefix.length));
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const failure = ackFailure(msg);
    if (failure) this.fail(p, new BusUnavailableError(this.url, failure));
    this.released();
  }

  private fail(p: Pending, error: unknown): void {
    this.lostSinceFlush++;
    this.lastLoss = error;
    if (p.book) {
      try {
        p.lost?.(p.book, error);
      } catch {
        // the caller's bookkeeping must not break the bus
      }
    } else if (p.key && p.data && !this.latest.has(p.key)) {
      // Keep the newest book of that key for the next write (a newer one may already wait).
      this.latest.set(p.key, p.data);
      this.scheduleLatest();
    }
  }

  private failAll(why: string): void {
    if (this.pending.size === 0) {
      this.released(true);
      return;
    }
    const error = new BusUnavailableError(this.url, why);
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) this.fail(p, error);
    this.released(true);
  }

  /** Lost after ackTimeoutMs without an answer (sent in order, so the oldest come first). */
  private sweep(): void {
    const now = Date.now();
    let expired = false;
    for (const [id, p] of this.pending) {
      if (now - p.at < this.ackTimeoutMs) break;
      this.pending.delete(id);
      this.fail(p, new BusUnavailableError(this.url, `no acknowledgement within ${this.ackTimeoutMs} ms`));
      expired = true;
    }
    if (expired) this.released(true);
  }

  /**
   * Wakes the publishers waiting for room once the window is half empty (or
   * at once when `everyone`): woken together, their publishes go out in one
   * socket write instead of one write per acknowledgement.
   */
  private released(everyone = false): void {
    if (this.roomWaiters.length > 0 && (everyone || this.pending.size <= this.maxInFlight / 2)) {
      // As many as there is room for (the others would only wait again).
      const waiters = everyone ? this.roomWaiters.splice(0) : this.roomWaiters.splice(0, this.maxInFlight - this.pending.size);
      for (const w of waiters) w();
    }
    if (this.pending.size === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  private scheduleLatest(): void {
    if (this.latestTimer || this.latest.size === 0) return;
    this.latestTimer = setTimeout(() => {
      this.latestTimer = undefined;
      this.writeLatest();
    }, this.options.latestEveryMs ?? 100);
  }

  /** Sends the newest book of every key updated since the last write, acknowledged like the books. */
  private writeLatest(): void {
    clearTimeout(this.latestTimer);
    this.latestTimer = undefined;
    if (!this.connected || !this.nc || this.nc.isClosed() || this.latest.size === 0) return;
    const at = Date.now();
    const prefix = `$KV.${this.names.booksBucket}.`;
    for (const [key, data] of this.latest) this.send(prefix + key, data, {at, key, data});
    this.latest.clear();
  }

  async flush(): Promise<void> {
    this.writeLatest();
    if (this.pending.size > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    if (this.closed) throw new BusUnavailableError(this.url, 'connection closed');
    if (!this.connected) throw new BusUnavailableError(this.url, 'disconnected; latest books not written');
    const lost = this.lostSinceFlush;
    this.lostSinceFlush = 0;
    if (lost > 0) throw new BusUnavailableError(this.url, `${lost} publish(es) not stored (${reason(this.lastLoss)})`, this.lastLoss);
  }

  /** The JetStream manager and both buckets, loaded and opened on first use. */
  private jetStream(): Promise<JetStreamParts> {
    if (!this.parts) {
      const opening = this.connection().then((nc) => openJetStream(nc, this.names, this.options));
      this.parts = opening;
      // A failed open is tried again by the next call.
      opening.catch(() => {
        if (this.parts === opening) this.parts = undefined;
      });
    }
    return this.parts;
  }

  private allowsDirect(bucket: string): Promise<boolean> {
    let direct = this.direct.get(bucket);
    if (!direct) {
      const requester = this.requester();
      const asking = requester instanceof Promise ? requester.then((r) => streamAllowsDirect(r, `KV_${bucket}`, this.requestTimeoutMs)) : streamAllowsDirect(requester, `KV_${bucket}`, this.requestTimeoutMs);
      direct = asking;
      this.direct.set(bucket, asking);
      // A failed question is asked again by the next read.
      asking.catch(() => {
        if (this.direct.get(bucket) === asking) this.direct.delete(bucket);
      });
    }
    return direct;
  }

  /** The last entry of a key in a bucket: one request (after the bucket's first), without the key-value client. */
  private async lastEntry(bucket: string, key: string): Promise<LastMessage | undefined> {
    const direct = await this.allowsDirect(bucket);
    return lastMessage(await this.requester(), `KV_${bucket}`, `$KV.${bucket}.${key}`, direct, this.requestTimeoutMs);
  }

  prefetchBooks(venues: readonly string[] | undefined, symbols: readonly string[]): void {
    if (!venues) {
      this.prefetchSymbols = symbols;
      return;
    }
    for (const venue of venues) {
      for (const symbol of symbols) {
        const key = bookKey(venue, symbol);
        if (this.bookRead.has(key)) continue;
        const read = this.lastEntry(this.names.booksBucket, key);
        // A prefetch nobody takes must not be an unhandled rejection; the one who takes it sees the error.
        read.catch(() => {});
        this.bookRead.set(key, read);
      }
    }
  }

  async latestBook(venue: string, symbol: string): Promise<BusBook | undefined> {
    const key = bookKey(venue, symbol);
    const read = this.bookRead.get(key);
    this.bookRead.delete(key);
    const entry = await this.guard(() => read ?? this.lastEntry(this.names.booksBucket, key));
    return entry && entry.operation === 'PUT' && entry.data.length > 0 ? decodeBook(entry.data) : undefined;
  }

  async latestBooks(venues?: readonly string[]): Promise<BusBook[]> {
    // One venue filters on the server; several filter here (multiple filters need NATS 2.10).
    const filter = venues && venues.length === 1 ? `${encodeToken(venues[0]!)}.>` : '>';
    const wanted = venues && venues.length > 1 ? new Set(venues) : undefined;
    return this.guard(async () => {
      const {books} = await this.jetStream();
      const status = await books.status();
      if (status.values === 0) return [];
      const out: BusBook[] = [];
      const iter = await books.watch({key: filter, ignoreDeletes: true});
      try {
        let timer: NodeJS.Timeout | undefined;
        // The watch replays the last value of every key, then waits for updates: stop at the end of the replay.
        const idle = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 500);
        });
        const read = (async () => {
          for await (const e of iter) {
            if (e.operation === 'PUT' && e.length > 0) {
              const b = decodeBook(e.value);
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
      const {books} = await this.jetStream();
      for await (const key of await books.keys()) {
        const parsed = parseBookKey(key);
        if (parsed) out.push(parsed);
      }
      return out;
    });
  }

  async putMeta(meta: VenueMeta): Promise<void> {
    await this.guard(async () => (await this.jetStream()).meta.put(`venue.${encodeToken(meta.venue)}`, encode(meta)));
  }

  async getMeta(venue: string): Promise<VenueMeta | undefined> {
    const key = `venue.${encodeToken(venue)}`;
    const read = this.metaRead.get(key);
    this.metaRead.delete(key);
    const entry = await this.guard(() => read ?? this.lastEntry(this.names.metaBucket, key));
    return entry && entry.operation === 'PUT' && entry.data.length > 0 ? decode<VenueMeta>(entry.data) : undefined;
  }

  /** Venues with metadata: the bucket's `venue.*` subjects, then each one's last entry (a deleted venue is left out). */
  async listVenues(): Promise<string[]> {
    return this.guard(async () => {
      const keys = await this.metaKeys('venue');
      const symbols = this.prefetchSymbols;
      this.prefetchSymbols = undefined;
      // Sent with the metadata reads: the books then need no round trip of their own.
      if (symbols) this.prefetchBooks(keys.map(parseKeyTail), symbols);
      const entries = await Promise.all(keys.map((k) => this.lastEntry(this.names.metaBucket, k)));
      const out: string[] = [];
      keys.forEach((key, i) => {
        const entry = entries[i];
        if (!entry || entry.operation !== 'PUT') return;
        // getMeta takes it from here instead of asking again.
        this.metaRead.set(key, Promise.resolve(entry));
        out.push(parseKeyTail(key));
      });
      return out.sort();
    });
  }

  /** Keys `<kind>.*` of the metadata bucket that hold a message (a delete marker included). */
  private async metaKeys(kind: string): Promise<string[]> {
    const prefix = `$KV.${this.names.metaBucket}.`;
    const bucket = this.names.metaBucket;
    const {subjects, allowDirect} = await streamSubjects(await this.requester(), `KV_${bucket}`, `${prefix}${kind}.*`, this.requestTimeoutMs);
    if (!this.direct.has(bucket)) this.direct.set(bucket, Promise.resolve(allowDirect));
    return subjects.map((s) => s.slice(prefix.length));
  }

  async putStatus(status: CollectorStatus): Promise<void> {
    await this.guard(async () => (await this.jetStream()).meta.put(`status.${encodeToken(status.collector)}`, encode(status)));
  }

  async listStatus(): Promise<CollectorStatus[]> {
    return this.guard(async () => {
      const keys = (await this.metaKeys('status')).sort();
      const entries = await Promise.all(keys.map((k) => this.lastEntry(this.names.metaBucket, k)));
      return entries.filter((e) => e && e.operation === 'PUT' && e.data.length > 0).map((e) => decode<CollectorStatus>(e!.data));
    });
  }

  async *watchBooks(signal: AbortSignal): AsyncIterable<BookUpdate> {
    // With the client already connected, subscribed before the first await (callers read the latest books after).
    const nc = this.nc ?? (await this.guard(() => this.connection()));
    const sub = nc.subscribe(`${this.names.subjectPrefix}.book.>`);
    const stop = () => sub.unsubscribe();
    signal.addEventListener('abort', stop, {once: true});
    try {
      for await (const m of sub) yield {book: decodeBook(m.data), arrivedAt: Date.now()};
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
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.outboxTimer) clearImmediate(this.outboxTimer);
    this.outboxTimer = undefined;
    this.outbox = [];
    this.ackSub?.unsubscribe();
    this.wire?.close();
    const nc = this.nc ?? (await this.connecting?.catch(() => undefined));
    await nc?.close().catch(() => {});
    this.failAll('bus closed');
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof BusUnavailableError) throw error;
      throw new BusUnavailableError(this.url, reason(error), error);
    }
  }
}

/**
 * The servers as the NATS client takes them, and the credentials a server
 * address carries (`nats://user:pass@host`, `nats://token@host`) as its
 * options: the client does not read them from the address. One set of
 * credentials serves every server (the first address that carries some).
 */
function clientServers(servers: readonly string[]): {servers: string[]; user?: string; pass?: string; token?: string} {
  const parts = servers.map(busCredentials);
  const credentials = parts.find((p) => p.user !== undefined || p.token !== undefined);
  const out: {servers: string[]; user?: string; pass?: string; token?: string} = {servers: parts.map((p) => p.address.replace(/^nats:\/\//, ''))};
  if (credentials?.token !== undefined) out.token = credentials.token;
  if (credentials?.user !== undefined) {
    out.user = credentials.user;
    out.pass = credentials.pass;
  }
  return out;
}

/** The NATS client's connection to `servers` (it reconnects forever once connected); BusUnavailableError when it cannot connect. */
async function connectClient(url: string, servers: readonly string[], options: NatsBusOptions): Promise<NatsConnection> {
  try {
    const {connect} = await loadNatsClient();
    return await connect({...clientServers(servers), timeout: options.timeoutMs ?? 2000, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250, reconnectJitter: 250, waitOnFirstConnect: false});
  } catch (error) {
    throw new BusUnavailableError(url, `cannot connect (${reason(error)})`, error);
  }
}

/** The NATS client, loaded by the first connection that needs it (a reader may never: see nats-wire.ts). */
let natsClient: typeof import('@nats-io/transport-node') | undefined;

async function loadNatsClient(): Promise<typeof import('@nats-io/transport-node')> {
  natsClient ??= commonJs(await import('@nats-io/transport-node'));
  return natsClient;
}

/** `venue.<token>` -> the venue name. */
function parseKeyTail(key: string): string {
  return decodeToken(key.slice(key.indexOf('.') + 1));
}

/** The JetStream and key-value client modules: loaded only when a bus needs them (a separate chunk in the build). */
type JetStreamModules = typeof import('@nats-io/jetstream') & typeof import('@nats-io/kv');

interface JetStreamParts {
  readonly modules: JetStreamModules;
  readonly jsm: JetStreamManager;
  readonly kvm: Kvm;
  readonly books: KV;
  readonly meta: KV;
}

/**
 * A CommonJS package's exports from a dynamic import: Node gives them as
 * `default` (and the names it detects), the bundled build as `default` only.
 */
function commonJs<T>(namespace: T): T {
  return (namespace as {default?: T}).default ?? namespace;
}

/** Loads the JetStream client and opens (with `create`, creates) the stream and both buckets. */
async function openJetStream(nc: NatsConnection, names: BusNames, options: NatsBusOptions): Promise<JetStreamParts> {
  const [jetStream, kv] = await Promise.all([import('@nats-io/jetstream').then(commonJs), import('@nats-io/kv').then(commonJs)]);
  const modules: JetStreamModules = {...jetStream, ...kv};
  const jsm = await modules.jetstreamManager(nc, {timeout: options.timeoutMs ?? 2000});
  const kvm = new modules.Kvm(modules.jetstream(nc, {timeout: options.timeoutMs ?? 5000}));
  const [books, meta] = options.create ? await ensureAll(modules, jsm, kvm, names, options) : await Promise.all([kvm.open(names.booksBucket), kvm.open(names.metaBucket)]);
  return {modules, jsm, kvm, books, meta};
}

/** The stream and both buckets, created when missing (idempotent: a collector's start, and after a reconnect). */
async function ensureAll(modules: JetStreamModules, jsm: JetStreamManager, kvm: Kvm, names: BusNames, options: NatsBusOptions): Promise<[KV, KV]> {
  await ensureStream(modules, jsm, names, options);
  const create = (bucket: string) => kvm.create(bucket, {history: 1, storage: modules.StorageType.File});
  return Promise.all([create(names.booksBucket), create(names.metaBucket)]);
}

async function ensureStream(modules: JetStreamModules, jsm: JetStreamManager, names: BusNames, options: NatsBusOptions): Promise<void> {
  const config = {
    name: names.stream,
    subjects: [`${names.subjectPrefix}.book.>`],
    max_age: (options.retentionMs ?? 3_600_000) * 1_000_000,
    max_msgs_per_subject: options.perSubject ?? 1000,
    storage: modules.StorageType.File,
    discard: modules.DiscardPolicy.Old,
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
  const {connect} = await loadNatsClient();
  const nc = await connect({...clientServers(servers), timeout: 2000});
  try {
    const {jetstreamManager} = commonJs(await import('@nats-io/jetstream'));
    const jsm = await jetstreamManager(nc);
    for (const s of [names.stream, `KV_${names.booksBucket}`, `KV_${names.metaBucket}`]) await jsm.streams.delete(s).catch(() => false);
  } finally {
    await nc.close();
  }
}
