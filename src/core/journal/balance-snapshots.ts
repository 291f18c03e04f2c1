/**
 * Repository for balance snapshots (migration 004). A run is written in one
 * transaction: the run, one row per venue asked, and the assets of every
 * venue that answered. Rows come back as domain values (decimal strings).
 */
import type {Balance} from '../types.js';
import type {Db} from './db.js';

export interface SnapshotAsset {
  readonly asset: string;
  readonly free: string;
  readonly used: string;
  readonly total: string;
  readonly price: number | undefined;
  readonly value: string | undefined;
}

export interface VenueSnapshotInput {
  readonly venue: string;
  /** When the venue's balances were read (default: the run's time). */
  readonly ts?: number;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  /** Value in the run's quote; for a failed venue, of its last snapshot; undefined when none. */
  readonly value: string | undefined;
  /** How many assets had no price. */
  readonly unpriced: number;
  /** Only for venues that answered. */
  readonly assets: readonly SnapshotAsset[];
}

export interface BalanceRunInput {
  readonly ts: number;
  readonly quote: string;
  readonly method: 'mid' | 'bid';
  readonly totalValue: string;
  readonly partial: boolean;
  /** The run asked every configured venue (no --venues filter). */
  readonly allVenues: boolean;
  readonly venues: readonly VenueSnapshotInput[];
}

export interface StoredSnapshot {
  readonly ts: number;
  readonly balances: readonly Balance[];
}

export interface HistoryVenue {
  readonly venue: string;
  readonly status: 'ok' | 'failed';
  readonly value: string | undefined;
  readonly unpriced: number;
}

export interface HistoryRun {
  readonly id: number;
  readonly ts: number;
  readonly quote: string;
  readonly method: 'mid' | 'bid';
  readonly totalValue: string;
  readonly partial: boolean;
  readonly allVenues: boolean;
  readonly venues: readonly HistoryVenue[];
}

export interface AssetHistoryRow {
  readonly runId: number;
  readonly ts: number;
  readonly venue: string;
  readonly total: string;
  readonly value: string | undefined;
}

interface RunRow {
  id: number;
  ts: number;
  quote: string;
  method: 'mid' | 'bid';
  total_value: string;
  partial: number;
  all_venues: number;
  venue: string | null;
  status: 'ok' | 'failed' | null;
  value: string | null;
  unpriced: number | null;
}

export class BalanceSnapshots {
  constructor(private readonly db: Db) {}

  /** Writes one run with its venues and assets; returns the run id. */
  record(run: BalanceRunInput): number {
    return this.db.tx(() => {
      const runId = Number(
        this.db
          .prepare('INSERT INTO balance_runs (ts, quote, method, total_value, partial, all_venues) VALUES (?, ?, ?, ?, ?, ?)')
          .run([run.ts, run.quote, run.method, run.totalValue, run.partial ? 1 : 0, run.allVenues ? 1 : 0]).lastInsertRowid,
      );
      const insertVenue = this.db.prepare('INSERT INTO balance_snapshots (run_id, venue, ts, status, error, value, unpriced) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const insertAsset = this.db.prepare('INSERT INTO balance_snapshot_assets (snapshot_id, asset, free, used, total, price, value) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const v of run.venues) {
        const snapshotId = insertVenue.run([runId, v.venue, v.ts ?? run.ts, v.status, v.error ?? null, v.value ?? null, v.unpriced]).lastInsertRowid;
        if (v.status !== 'ok') continue;
        for (const a of v.assets) insertAsset.run([snapshotId, a.asset, a.free, a.used, a.total, a.price ?? null, a.value ?? null]);
      }
      return runId;
    });
  }

  /** The most recent snapshot of a venue that answered, or undefined. */
  lastGood(venue: string): StoredSnapshot | undefined {
    const row = this.db
      .prepare<{id: number; ts: number}>("SELECT id, ts FROM balance_snapshots WHERE venue = ? AND status = 'ok' ORDER BY ts DESC, id DESC LIMIT 1")
      .get([venue]);
    if (!row) return undefined;
    const assets = this.db
      .prepare<{asset: string; free: string; used: string; total: string}>('SELECT asset, free, used, total FROM balance_snapshot_assets WHERE snapshot_id = ? ORDER BY asset')
      .all([row.id]);
    return {ts: row.ts, balances: assets.map((a) => ({asset: a.asset, free: a.free, used: a.used, total: a.total}))};
  }

  /** Runs valued in `quote` since `since` (inclusive), oldest first, with their venues. */
  history(options: {since: number; quote: string; until?: number}): HistoryRun[] {
    const rows = this.db
      .prepare<RunRow>(
        `SELECT r.id, r.ts, r.quote, r.method, r.total_value, r.partial, r.all_venues, s.venue, s.status, s.value, s.unpriced
           FROM balance_runs r LEFT JOIN balance_snapshots s ON s.run_id = r.id
          WHERE r.ts >= ? AND r.ts <= ? AND r.quote = ?
          ORDER BY r.ts, r.id, s.venue`,
      )
      .all([options.since, options.until ?? Number.MAX_SAFE_INTEGER, options.quote]);
    const runs: HistoryRun[] = [];
    let current: (HistoryRun & {venues: HistoryVenue[]}) | undefined;
    for (const r of rows) {
      if (!current || current.id !== r.id) {
        current = {id: r.id, ts: r.ts, quote: r.quote, method: r.method, totalValue: r.total_value, partial: r.partial === 1, allVenues: r.all_venues === 1, venues: []};
        runs.push(current);
      }
      if (r.venue !== null && r.status !== null) current.venues.push({venue: r.venue, status: r.status, value: r.value ?? undefined, unpriced: r.unpriced ?? 0});
    }
    return runs;
  }

  /** One asset's amount per venue per run since `since`, from venues that answered, oldest first. */
  assetHistory(options: {since: number; asset: string; quote: string}): AssetHistoryRow[] {
    return this.db
      .prepare<{run_id: number; ts: number; venue: string; total: string; value: string | null}>(
        `SELECT s.run_id, s.ts, s.venue, a.total, a.value
           FROM balance_snapshot_assets a
           JOIN balance_snapshots s ON s.id = a.snapshot_id
           JOIN balance_runs r ON r.id = s.run_id
          WHERE a.asset = ? AND s.ts >= ? AND r.quote = ?
          ORDER BY s.ts, s.run_id, s.venue`,
      )
      .all([options.asset, options.since, options.quote])
      .map((r) => ({runId: r.run_id, ts: r.ts, venue: r.venue, total: r.total, value: r.value ?? undefined}));
  }
}
