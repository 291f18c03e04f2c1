/**
 * Price history: every `prices` run records the quotes it saw, in one
 * transaction, so spreads can be charted later.
 */
import type {Db} from './db.js';

export interface PriceSnapshot {
  readonly ts: number;
  readonly venue: string;
  readonly symbol: string;
  readonly bid: number | undefined;
  readonly bidSize: number | undefined;
  readonly ask: number | undefined;
  readonly askSize: number | undefined;
  readonly quoteTs: number;
}

interface Row {
  ts: number;
  venue: string;
  symbol: string;
  bid: number | null;
  bid_size: number | null;
  ask: number | null;
  ask_size: number | null;
  quote_ts: number;
}

export class PriceSnapshotsRepo {
  constructor(private readonly db: Db) {}

  record(snapshots: readonly PriceSnapshot[]): void {
    if (snapshots.length === 0) return;
    const insert = this.db.prepare(
      'INSERT INTO price_snapshots (ts, venue, symbol, bid, bid_size, ask, ask_size, quote_ts) VALUES (@ts, @venue, @symbol, @bid, @bidSize, @ask, @askSize, @quoteTs)',
    );
    this.db.tx(() => {
      for (const s of snapshots) insert.run({...s});
    });
  }

  /** Snapshots for a symbol since a time, oldest first. */
  since(symbol: string, since: number, venue?: string): PriceSnapshot[] {
    const rows = venue
      ? this.db.prepare<Row>('SELECT * FROM price_snapshots WHERE symbol = ? AND ts >= ? AND venue = ? ORDER BY ts, id').all([symbol, since, venue])
      : this.db.prepare<Row>('SELECT * FROM price_snapshots WHERE symbol = ? AND ts >= ? ORDER BY ts, id').all([symbol, since]);
    return rows.map(toSnapshot);
  }

  /** Every snapshot whose quote time lies in [from, to], oldest first (at most `limit`). */
  between(from: number, to: number, limit = 100_000): PriceSnapshot[] {
    const rows = this.db.prepare<Row>('SELECT * FROM price_snapshots WHERE ts >= ? AND ts <= ? ORDER BY ts, id LIMIT ?').all([Math.floor(from), Math.ceil(to), limit]);
    return rows.map(toSnapshot);
  }
}

function toSnapshot(r: Row): PriceSnapshot {
  return {ts: r.ts, venue: r.venue, symbol: r.symbol, bid: r.bid ?? undefined, bidSize: r.bid_size ?? undefined, ask: r.ask ?? undefined, askSize: r.ask_size ?? undefined, quoteTs: r.quote_ts};
}
