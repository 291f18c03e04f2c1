/**
 * Streaming reads for `xarb export`: fills, orders and balance snapshots,
 * oldest first, one row at a time (statement iterators, never the whole table
 * in memory). While an iterator is open, the connection runs nothing else.
 * Time windows are [since, until] in ms; `venues` limits to those venues.
 */
import type {Db} from './db.js';
import {toFill, type JournalFill} from './fills.js';
import {toOrder, type JournalOrder} from './orders.js';

export interface ExportFilter {
  readonly since?: number;
  readonly until?: number;
  readonly venues?: readonly string[];
}

export interface BalanceExportRow {
  readonly runId: number;
  readonly ts: number;
  readonly venue: string;
  readonly asset: string;
  readonly free: string;
  readonly used: string;
  readonly total: string;
  /** Price of the asset in `quote` at the snapshot (analytics), when known. */
  readonly price: number | undefined;
  /** Value in `quote` (decimal string), when priced. */
  readonly value: string | undefined;
  readonly quote: string;
}

const params = (f: ExportFilter) => ({
  since: f.since ?? 0,
  until: f.until ?? Number.MAX_SAFE_INTEGER,
  venues: f.venues && f.venues.length > 0 ? JSON.stringify(f.venues) : null,
});

const VENUE_FILTER = '(:venues IS NULL OR venue IN (SELECT value FROM json_each(:venues)))';

export class ExportRepo {
  constructor(private readonly db: Db) {}

  *fills(filter: ExportFilter = {}): Generator<JournalFill> {
    const rows = this.db
      .prepare<Parameters<typeof toFill>[0]>(`SELECT * FROM fills WHERE ts >= :since AND ts <= :until AND ${VENUE_FILTER} ORDER BY ts, venue, symbol, trade_id`)
      .iterate(params(filter));
    for (const row of rows) yield toFill(row);
  }

  *orders(filter: ExportFilter = {}): Generator<JournalOrder> {
    const rows = this.db
      .prepare<Parameters<typeof toOrder>[0]>(`SELECT * FROM orders WHERE created_at >= :since AND created_at <= :until AND ${VENUE_FILTER} ORDER BY created_at, id`)
      .iterate(params(filter));
    for (const row of rows) yield toOrder(row);
  }

  *balances(filter: ExportFilter = {}): Generator<BalanceExportRow> {
    const rows = this.db
      .prepare<{run_id: number; ts: number; venue: string; asset: string; free: string; used: string; total: string; price: number | null; value: string | null; quote: string}>(
        `SELECT s.run_id, s.ts, s.venue, a.asset, a.free, a.used, a.total, a.price, a.value, r.quote
           FROM balance_snapshot_assets a
           JOIN balance_snapshots s ON s.id = a.snapshot_id
           JOIN balance_runs r ON r.id = s.run_id
          WHERE s.status = 'ok' AND s.ts >= :since AND s.ts <= :until AND (:venues IS NULL OR s.venue IN (SELECT value FROM json_each(:venues)))
          ORDER BY s.ts, s.run_id, s.venue, a.asset`,
      )
      .iterate(params(filter));
    for (const r of rows) {
      yield {runId: r.run_id, ts: r.ts, venue: r.venue, asset: r.asset, free: r.free, used: r.used, total: r.total, price: r.price ?? undefined, value: r.value ?? undefined, quote: r.quote};
    }
  }
}
