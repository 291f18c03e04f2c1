/**
 * Repository over `market_cache` (migration 001): venue metadata (markets,
 * currencies) kept between runs so a command does not reload markets every
 * time. One row per (venue, kind); the payload is opaque text owned by the
 * venue adapter. A row is served only while it is younger than the TTL and
 * its fingerprint (what the payload was fetched from: exchange, base URL,
 * sandbox, ...) matches; otherwise the caller refetches and overwrites it.
 */
import type {Db} from './db.js';

export interface MarketCacheEntry {
  readonly venue: string;
  readonly kind: string;
  readonly fingerprint: string;
  readonly fetchedAt: number;
  readonly payload: string;
}

interface Row {
  venue: string;
  kind: string;
  fingerprint: string;
  fetched_at: number;
  payload: string;
}

export class MarketCacheRepo {
  constructor(private readonly db: Db) {}

  get(venue: string, kind: string): MarketCacheEntry | undefined {
    const row = this.db.prepare<Row>('SELECT venue, kind, fingerprint, fetched_at, payload FROM market_cache WHERE venue = ? AND kind = ?').get([venue, kind]);
    return row ? {venue: row.venue, kind: row.kind, fingerprint: row.fingerprint, fetchedAt: row.fetched_at, payload: row.payload} : undefined;
  }

  /** The payload when the row exists, has this fingerprint and is younger than ttlMs at `now`. */
  getFresh(venue: string, kind: string, fingerprint: string, now: number, ttlMs: number): string | undefined {
    const entry = this.get(venue, kind);
    if (!entry || entry.fingerprint !== fingerprint) return undefined;
    const age = now - entry.fetchedAt;
    return age >= 0 && age < ttlMs ? entry.payload : undefined;
  }

  put(entry: MarketCacheEntry): void {
    this.db
      .prepare(
        `INSERT INTO market_cache (venue, kind, fingerprint, fetched_at, payload) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (venue, kind) DO UPDATE SET fingerprint = excluded.fingerprint, fetched_at = excluded.fetched_at, payload = excluded.payload`,
      )
      .run([entry.venue, entry.kind, entry.fingerprint, entry.fetchedAt, entry.payload]);
  }

  /** Drops a venue's cached metadata (all kinds), or everything when venue is omitted. Returns rows removed. */
  clear(venue?: string): number {
    if (venue === undefined) return this.db.prepare('DELETE FROM market_cache').run().changes;
    return this.db.prepare('DELETE FROM market_cache WHERE venue = ?').run([venue]).changes;
  }

  /** What is cached, without payloads (for `xarb exchanges`-style listings). */
  list(): readonly Omit<MarketCacheEntry, 'payload'>[] {
    return this.db
      .prepare<Omit<Row, 'payload'>>('SELECT venue, kind, fingerprint, fetched_at FROM market_cache ORDER BY venue, kind')
      .all()
      .map((row) => ({venue: row.venue, kind: row.kind, fingerprint: row.fingerprint, fetchedAt: row.fetched_at}));
  }
}
