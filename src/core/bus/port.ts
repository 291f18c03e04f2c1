/**
 * The market-data bus port: what collectors publish and readers (prices,
 * arb scan) read, whatever carries it. NATS JetStream implements it
 * (nats.ts); a Kafka implementation would implement the same interface
 * (see docs/scale-out.md).
 *
 * Invariants
 * 1. A published book is a full snapshot (never a diff): any one message, or
 *    the latest value, is enough to rebuild the book.
 * 2. `sequence` rises by exactly one per publish of the same venue/symbol
 *    from one collector run; a reader that sees it jump missed updates and
 *    reads the latest book instead (see gaps.ts).
 * 3. Subject and key tokens are reversible: `decodeToken(encodeToken(s)) === s`.
 */
import {ExitCode, UsageError, XarbError} from '../errors.js';
import {busUrls, isBusUrl, redactBusUrl} from '../urls.js';
import type {Currency, Market, OrderBook} from '../types.js';
import type {VenueCapabilities} from '../venues/port.js';

/** A normalized book on the bus: canonical symbol, venue, levels, both timestamps and a sequence. */
export interface BusBook extends OrderBook {
  /** Per venue/symbol, +1 on every publish of one collector run. */
  readonly sequence: number;
  /** The venue's own update id when it gives one (ccxt's nonce). */
  readonly venueSequence?: number;
  /** Set on a snapshot republished after a gap. */
  readonly resync?: boolean;
}

/** A venue's market metadata as readers need it (fees, steps, minimums), so they need no venue. */
export interface VenueMeta {
  readonly venue: string;
  readonly exchange: string;
  readonly simulated: boolean;
  readonly sandbox: boolean;
  readonly capabilities: VenueCapabilities;
  readonly markets: readonly Market[];
  readonly currencies?: readonly Currency[];
  readonly publishedAt: number;
}

/** What a collector writes every status interval (`xarb collect status`). */
export interface CollectorStatus {
  readonly collector: string;
  readonly startedAt: number;
  readonly at: number;
  /** The collector's status interval, ms. */
  readonly intervalMs: number;
  /** Set on the last report of a collector that stopped. */
  readonly stopped?: boolean;
  readonly venues: readonly string[];
  readonly symbols: readonly string[];
  /** Book updates published since the start. */
  readonly published: number;
  /** Book updates per second over the last interval. */
  readonly rate: number;
  /** Median and maximum of (publish time - venue timestamp) over the last interval, ms. */
  readonly lagMs: {readonly median: number; readonly max: number};
  readonly gaps: number;
  readonly resyncs: number;
  readonly venueErrors: number;
  readonly busErrors: number;
  /** Per venue: updates in the last interval and the last error, if any. */
  readonly perVenue: readonly {readonly venue: string; readonly updates: number; readonly mode: 'stream' | 'poll'; readonly lastError?: string}[];
}

export interface BusNames {
  /** JetStream stream holding every book update (bounded retention). */
  readonly stream: string;
  /** First subject token: books go to `<prefix>.book.<venue>.<symbol>`. */
  readonly subjectPrefix: string;
  /** Key-value bucket with the latest book per venue/symbol. */
  readonly booksBucket: string;
  /** Key-value bucket with each venue's market metadata and collector status. */
  readonly metaBucket: string;
}

export const DEFAULT_BUS_NAMES: BusNames = {stream: 'XARB_BOOKS', subjectPrefix: 'xarb', booksBucket: 'xarb-books', metaBucket: 'xarb-markets'};

export interface BookUpdate {
  readonly book: BusBook;
  /** Local time the reader got it (ms). */
  readonly arrivedAt: number;
}

/** Told about a book the bus took but could not store. */
export type LostPublish = (book: BusBook, error: unknown) => void;

/** The port. Every method may throw BusUnavailableError (exit 4) when the bus cannot be reached. */
export interface MarketBus {
  /**
   * Publishes one book to its subject and records it as the latest for its
   * venue/symbol. Resolves once the bus has taken it: publishes are pipelined,
   * so this waits only while a bounded window of publishes is unacknowledged
   * (back-pressure); it rejects (BusUnavailableError) when the bus is
   * disconnected, at once rather than buffering. A book taken but then not
   * stored (a negative or missing acknowledgement, the connection lost) is
   * passed to `lost`: for the collector, a gap.
   */
  publishBook(book: BusBook, lost?: LostPublish): Promise<void>;
  /** Waits until every publish so far is acknowledged or reported lost, and the latest books are written; rejects if any was lost since the last flush. */
  flush(): Promise<void>;
  latestBook(venue: string, symbol: string): Promise<BusBook | undefined>;
  /**
   * A hint that `latestBook` will be asked for these symbols of these venues
   * (undefined: of every venue the next listVenues finds) soon: a bus may
   * start reading them now, with the metadata, each read answering the next
   * latestBook of its venue and symbol once.
   */
  prefetchBooks?(venues: readonly string[] | undefined, symbols: readonly string[]): void;
  /** Latest books of the given venues (all when omitted). */
  latestBooks(venues?: readonly string[]): Promise<BusBook[]>;
  /** venue/symbol pairs that have a latest book. */
  listBooks(): Promise<{venue: string; symbol: string}[]>;
  putMeta(meta: VenueMeta): Promise<void>;
  getMeta(venue: string): Promise<VenueMeta | undefined>;
  listVenues(): Promise<string[]>;
  putStatus(status: CollectorStatus): Promise<void>;
  listStatus(): Promise<CollectorStatus[]>;
  /** New book updates as they are published, until the signal aborts. */
  watchBooks(signal: AbortSignal): AsyncIterable<BookUpdate>;
  close(): Promise<void>;
}

const SAFE = /[A-Za-z0-9-]/;

/**
 * A subject/key token for any venue or symbol: letters, digits and `-` stay,
 * every other character becomes `_` plus two (or four) hex digits, so `.`,
 * `*`, `>` and spaces never reach a subject and the mapping reverses.
 */
export function encodeToken(text: string): string {
  if (text.length === 0) throw new RangeError('empty token');
  let out = '';
  for (const ch of text) {
    if (SAFE.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0)!;
      out += code < 0x100 ? `_${code.toString(16).toUpperCase().padStart(2, '0')}` : `__${code.toString(16).toUpperCase().padStart(6, '0')}`;
    }
  }
  return out;
}

export function decodeToken(token: string): string {
  return token.replace(/__([0-9A-F]{6})|_([0-9A-F]{2})/g, (_m, wide: string | undefined, narrow: string | undefined) => String.fromCodePoint(parseInt(wide ?? narrow!, 16)));
}

export function bookSubject(names: BusNames, venue: string, symbol: string): string {
  return `${names.subjectPrefix}.book.${encodeToken(venue)}.${encodeToken(symbol)}`;
}

export function bookKey(venue: string, symbol: string): string {
  return `${encodeToken(venue)}.${encodeToken(symbol)}`;
}

export function parseBookKey(key: string): {venue: string; symbol: string} | undefined {
  const parts = key.split('.');
  if (parts.length !== 2) return undefined;
  return {venue: decodeToken(parts[0]!), symbol: decodeToken(parts[1]!)};
}

/** Checks bus names: stream and bucket names are single tokens. */
export function checkBusNames(names: BusNames): void {
  for (const [field, value] of Object.entries(names)) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new RangeError(`bus ${field} must be letters, digits, - or _ (got ${JSON.stringify(value)})`);
  }
}

/** The user and password, or the token, a server address carries (`nats://user:pass@host`, `nats://token@host`), and the address without them. */
export function busCredentials(server: string): {address: string; user?: string; pass?: string; token?: string} {
  const match = /^((?:[a-z]+:\/\/)?)([^/@]+)@(.*)$/i.exec(server);
  if (!match) return {address: server};
  const [, scheme, secret, rest] = match as unknown as [string, string, string, string];
  const address = `${scheme}${rest}`;
  const colon = secret.indexOf(':');
  if (colon < 0) return {address, token: decodeURIComponent(secret)};
  return {address, user: decodeURIComponent(secret.slice(0, colon)), pass: decodeURIComponent(secret.slice(colon + 1))};
}

/** `input` as a bus source (each URL trimmed), or a UsageError naming where it came from (`from`: --source, XARB_MARKET_SOURCE); credentials are never shown. */
export function sourceUrl(input: string, from: string, hint: string): string {
  if (!isBusUrl(input)) throw new UsageError(`${from} must be a nats:// URL, got ${JSON.stringify(redactBusUrl(input))}`, hint);
  return busUrls(input).join(',');
}

/** The bus cannot be reached or refused an operation: exit 4, never a silent fall back to the venues. */
export class BusUnavailableError extends XarbError {
  constructor(url: string, message: string, cause?: unknown) {
    super(`market-data bus ${redactBusUrl(url)}: ${message}`, {
      exitCode: ExitCode.venueFailed,
      hint: 'check that the NATS server is running with JetStream (-js) and reachable, or drop --source to ask the venues directly',
      cause,
    });
  }
}

const NAME_PARAMS: Readonly<Record<string, keyof BusNames>> = {stream: 'stream', prefix: 'subjectPrefix', books: 'booksBucket', meta: 'metaBucket'};

/**
 * Splits a source URL into the servers to connect to and the bus names.
 * `nats://h1:4222,nats://h2:4222?stream=S&prefix=p&books=B&meta=M`: the
 * query (on the last URL) overrides the default names, so one string (a flag
 * or `market.source`) says where and which stream and buckets.
 */
export function parseBusUrl(source: string): {servers: string[]; names: BusNames} {
  const q = source.indexOf('?');
  const servers = (q < 0 ? source : source.slice(0, q)).split(',').map((s) => s.trim()).filter(Boolean);
  const names: Record<keyof BusNames, string> = {...DEFAULT_BUS_NAMES};
  if (q >= 0) {
    for (const [param, value] of new URLSearchParams(source.slice(q + 1))) {
      const field = NAME_PARAMS[param];
      if (!field) throw new RangeError(`unknown source parameter ${param} (known: ${Object.keys(NAME_PARAMS).join(', ')})`);
      names[field] = value;
    }
  }
  checkBusNames(names);
  return {servers, names};
}
