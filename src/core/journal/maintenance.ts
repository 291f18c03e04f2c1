/**
 * Keeping the journal small and safe: retention of snapshot-like history,
 * consistent online backups, and size per table.
 *
 * Invariants:
 * - Retention only deletes history that nothing else depends on: price
 *   snapshots, arb observations (the episodes in arb_opportunities stay),
 *   latency rows and balance runs. The newest good balance snapshot of each
 *   venue is always kept (portfolio totals fall back on it). Orders, fills,
 *   events, risk state, reconcile runs and transfers are never pruned.
 * - A days setting of 0 keeps that table forever.
 * - Each prune runs in one transaction and records when it ran; the automatic
 *   prune runs at most once per `AUTO_PRUNE_EVERY_MS`.
 * - A backup is `VACUUM INTO` a new file (created 0600, never over an existing
 *   non-empty file): one consistent snapshot while other processes keep
 *   writing, compacted; it is then opened and integrity-checked.
 */
import {closeSync, openSync, rmSync, statSync} from 'node:fs';
import {DEFAULT_RETENTION_DAYS} from '../config/schema.js';
import {UsageError} from '../errors.js';
import type {Clock} from '../types.js';
import {openDb, JournalError, type Db} from './db.js';
import {checkHealth, JournalMetaRepo} from './meta.js';

const DAY_MS = 86_400_000;
export const AUTO_PRUNE_EVERY_MS = DAY_MS;

export interface RetentionSettings {
  /** Days of price history (prices runs, watch refreshes). */
  readonly priceSnapshotsDays: number;
  /** Days of arb observations (the spread-over-time points of each episode). */
  readonly arbObservationsDays: number;
  /** Days of measured request latency (--route fastest uses the recent ones). */
  readonly latencyDays: number;
  /** Days of balance snapshots (balances/positions runs). */
  readonly balanceSnapshotsDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = DEFAULT_RETENTION_DAYS;

export interface PruneResult {
  readonly ranAt: string;
  /** Rows deleted per table. */
  readonly deleted: Readonly<Record<string, number>>;
  /** The cut-off per table (ISO), null when kept forever. */
  readonly cutoffs: Readonly<Record<string, string | null>>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Deletes history older than the retention settings; records when it ran. */
export function prune(db: Db, retention: RetentionSettings, clock: Clock): PruneResult {
  const now = clock.now();
  const cut = (days: number) => (days > 0 ? now - days * DAY_MS : undefined);
  const price = cut(retention.priceSnapshotsDays);
  const arb = cut(retention.arbObservationsDays);
  const latency = cut(retention.latencyDays);
  const balances = cut(retention.balanceSnapshotsDays);
  const deleted: Record<string, number> = {price_snapshots: 0, arb_observations: 0, latency: 0, balance_runs: 0, balance_snapshots: 0, balance_snapshot_assets: 0};
  db.tx(() => {
    if (price !== undefined) deleted.price_snapshots = db.prepare('DELETE FROM price_snapshots WHERE ts < ?').run([price]).changes;
    if (arb !== undefined) deleted.arb_observations = db.prepare('DELETE FROM arb_observations WHERE ts < ?').run([arb]).changes;
    if (latency !== undefined) deleted.latency = db.prepare('DELETE FROM latency WHERE ts < ?').run([latency]).changes;
    if (balances !== undefined) {
      // Runs older than the cut-off, except a run holding some venue's newest good snapshot.
      const keep = `SELECT run_id FROM balance_snapshots s WHERE s.status = 'ok' AND s.id = (
          SELECT s2.id FROM balance_snapshots s2 WHERE s2.venue = s.venue AND s2.status = 'ok' ORDER BY s2.ts DESC, s2.id DESC LIMIT 1)`;
      const old = `SELECT id FROM balance_runs WHERE ts < :cut AND id NOT IN (${keep})`;
      deleted.balance_snapshot_assets = db
        .prepare(`DELETE FROM balance_snapshot_assets WHERE snapshot_id IN (SELECT id FROM balance_snapshots WHERE run_id IN (${old}))`)
        .run({cut: balances}).changes;
      deleted.balance_snapshots = db.prepare(`DELETE FROM balance_snapshots WHERE run_id IN (${old})`).run({cut: balances}).changes;
      deleted.balance_runs = db.prepare(`DELETE FROM balance_runs WHERE ts < :cut AND id NOT IN (SELECT run_id FROM balance_snapshots)`).run({cut: balances}).changes;
    }
    new JournalMetaRepo(db).set('last_prune_at', String(now), now);
  });
  const when = (ms: number | undefined) => (ms === undefined ? null : iso(ms));
  return {
    ranAt: iso(now),
    deleted,
    cutoffs: {price_snapshots: when(price), arb_observations: when(arb), latency: when(latency), balance_runs: when(balances)},
  };
}

/** When retention last ran (ms), undefined when never. */
export function lastPruneAt(db: Db): number | undefined {
  const value = new JournalMetaRepo(db).get('last_prune_at');
  return value === undefined ? undefined : Number(value);
}

/** Prunes when the last prune is older than a day; returns what it did, or undefined when not due. */
export function pruneIfDue(db: Db, retention: RetentionSettings, clock: Clock): PruneResult | undefined {
  const last = lastPruneAt(db);
  if (last !== undefined && clock.now() - last < AUTO_PRUNE_EVERY_MS && last <= clock.now()) return undefined;
  return prune(db, retention, clock);
}

export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  readonly version: number | undefined;
}

/** A consistent online copy of the journal into a new file (0600), checked after writing. */
export function backupTo(db: Db, file: string): BackupResult {
  if (db.dialect === 'postgres') {
    throw new UsageError(
      `the journal is on PostgreSQL (${db.path}); xarb backs up only its journal.db file`,
      'back it up with the database\'s own tools, e.g. pg_dump --schema=<schema> (see docs/scale-out.md)',
    );
  }
  let fd: number;
  try {
    // Created here with 0600 so the copy is never readable by others, not even for a moment.
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${file} already exists`, 'give a new file name; a backup never overwrites a file');
    throw new UsageError(`cannot create ${file}: ${code ?? (error as Error).message}`, 'give a path in a folder you can write');
  }
  closeSync(fd);
  try {
    db.prepare('VACUUM INTO ?').run([file]);
  } catch (error) {
    rmSync(file, {force: true});
    throw new JournalError(`backup to ${file} failed: ${(error as Error).message}`, error);
  }
  const copy = openDb(file, {readonly: true});
  try {
    const health = checkHealth(copy);
    if (health.problems.length > 0) throw new JournalError(`the backup ${file} failed its integrity check: ${health.problems.slice(0, 3).join('; ')}`);
    return {file, bytes: statSync(file).size, version: health.version};
  } finally {
    copy.close();
  }
}

export interface TableStats {
  readonly table: string;
  readonly rows: number;
  /** Bytes of the table and its indexes. */
  readonly bytes: number;
}

export interface JournalStats {
  /** `dbstat`: measured from the pages; `estimate`: the file size shared out by rows; `postgres`: the server's relation sizes. */
  readonly method: 'dbstat' | 'estimate' | 'postgres';
  readonly tables: readonly TableStats[];
  readonly pageSize: number;
  readonly pages: number;
  readonly freePages: number;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows and bytes per table (with its indexes), largest first. */
export function journalStats(db: Db): JournalStats {
  const tables = checkHealth(db, {integrity: false}).tables;
  if (db.dialect === 'postgres') {
    const measured = tables.map((t) => ({
      table: t,
      rows: db.prepare<{n: number}>(`SELECT COUNT(*) AS n FROM ${quoteIdent(t)}`).get()?.n ?? 0,
      bytes: db.prepare<{b: number}>('SELECT pg_total_relation_size(CAST(? AS regclass)) AS b').get([quoteIdent(t)])?.b ?? 0,
    }));
    return {method: 'postgres', pageSize: 0, pages: 0, freePages: 0, tables: measured.sort((a, b) => b.bytes - a.bytes || a.table.localeCompare(b.table))};
  }
  const pageSize = db.prepare<{page_size: number}>('PRAGMA page_size').get()?.page_size ?? 0;
  const pages = db.prepare<{page_count: number}>('PRAGMA page_count').get()?.page_count ?? 0;
  const freePages = db.prepare<{freelist_count: number}>('PRAGMA freelist_count').get()?.freelist_count ?? 0;
  const rows = new Map(tables.map((t) => [t, db.prepare<{n: number}>(`SELECT COUNT(*) AS n FROM ${quoteIdent(t)}`).get()?.n ?? 0]));
  let method: JournalStats['method'] = 'dbstat';
  const bytes = new Map<string, number>();
  try {
    const owner = new Map(
      db
        .prepare<{name: string; tbl_name: string}>("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
        .all()
        .map((r) => [r.name, r.tbl_name]),
    );
    for (const r of db.prepare<{name: string; bytes: number}>('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all()) {
      const table = owner.get(r.name) ?? r.name;
      bytes.set(table, (bytes.get(table) ?? 0) + r.bytes);
    }
  } catch {
    // SQLite built without the dbstat table: share the used pages out by row count.
    method = 'estimate';
    const total = [...rows.values()].reduce((a, b) => a + b, 0);
    const used = (pages - freePages) * pageSize;
    for (const [t, n] of rows) bytes.set(t, total === 0 ? 0 : Math.round((used * n) / total));
  }
  return {
    method,
    pageSize,
    pages,
    freePages,
    tables: tables.map((t) => ({table: t, rows: rows.get(t) ?? 0, bytes: bytes.get(t) ?? 0})).sort((a, b) => b.bytes - a.bytes || a.table.localeCompare(b.table)),
  };
}
