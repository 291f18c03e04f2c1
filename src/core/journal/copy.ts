/**
 * `xarb journal copy --to postgres://...`: moves a SQLite journal onto
 * PostgreSQL, whole.
 *
 * Invariants:
 * - The target must be a new journal (no tables, or a migrated schema with
 *   no rows): a copy never merges into a journal with its own history.
 * - The source is at the schema version the PostgreSQL schema matches
 *   (opening it through the usual rules migrates it first).
 * - Everything is copied in one target transaction, in foreign-key order,
 *   ids kept (identity counters moved past them), the journal's identity
 *   (journal_meta) kept: the target is the same journal, not a new one.
 *   Locks are not copied (they belong to running processes).
 * - The copy is checked table by table (row counts) before it commits; a
 *   mismatch rolls it back. The source is never changed, except for one
 *   `journal.copied` event recording where it went.
 */
import {UsageError} from '../errors.js';
import type {Clock} from '../types.js';
import {JournalError, migrate, type Db} from './db.js';
import {EventsRepo} from './events.js';
import {openPgDb, type PgDb} from './pg/db.js';
import {pgMigrations, PG_MATCHES_SQLITE_VERSION} from './pg/migrations.js';
import {pgTables} from './pg/open.js';

/** Every journal table in an order that respects foreign keys; `locks` and `schema_version` are not copied. */
export const COPIED_TABLES = [
  'journal_meta',
  'events',
  'market_cache',
  'price_snapshots',
  'latency',
  'plans',
  'orders',
  'fills',
  'risk_state',
  'risk_daily_volume',
  'risk_open_orders',
  'paper_balances',
  'paper_orders',
  'paper_trades',
  'arb_opportunities',
  'arb_observations',
  'balance_runs',
  'balance_snapshots',
  'balance_snapshot_assets',
  'reconcile_runs',
  'reconcile_venue_results',
  'reconcile_discrepancies',
  'reconcile_watermarks',
  'reconcile_baselines',
  'rebalance_plans',
  'rebalance_steps',
  'transfers',
] as const;

/** Tables whose `id` is an identity column on PostgreSQL: its counter is moved past the copied ids. */
const IDENTITY_TABLES = new Set(['events', 'price_snapshots', 'latency', 'orders', 'arb_opportunities', 'arb_observations', 'balance_runs', 'balance_snapshots', 'reconcile_runs', 'reconcile_discrepancies']);

/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters per statement). */
const BATCH_ROWS = 400;

export interface CopyResult {
  readonly to: string;
  readonly tables: readonly {table: string; rows: number}[];
  readonly rows: number;
  readonly journalId: string | undefined;
}

const quote = (name: string) => `"${name}"`;

function columnsOf(db: Db, table: string): string[] {
  return db
    .prepare<{name: string}>(`SELECT name FROM pragma_table_info(?) ORDER BY cid`)
    .all([table])
    .map((r) => r.name);
}

function count(db: Db, table: string): number {
  return db.prepare<{n: number}>(`SELECT COUNT(*) AS n FROM ${quote(table)}`).get()?.n ?? 0;
}

function copyTable(from: Db, to: PgDb, table: string): number {
  const columns = columnsOf(from, table);
  if (columns.length === 0) throw new JournalError(`the source journal has no table ${table}`);
  const list = columns.map(quote).join(', ');
  // paper_trades keeps SQLite's insertion order through its generated rowid on PostgreSQL.
  const order = table === 'paper_trades' ? ' ORDER BY rowid' : '';
  const rows = from.prepare<Record<string, unknown>>(`SELECT ${list} FROM ${quote(table)}${order}`).all();
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO ${quote(table)} (${list}) VALUES ${batch.map(() => tuple).join(', ')}`;
    to.prepare(sql).run(batch.flatMap((row) => columns.map((c) => row[c] as string | number | null)));
  }
  if (IDENTITY_TABLES.has(table) && rows.length > 0) {
    to.prepare(`SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT MAX(id) FROM ${quote(table)}))`).get([table]);
  }
  return rows.length;
}

/** Copies the SQLite journal `from` into the PostgreSQL journal at `url` (see the invariants above). */
export function copyJournal(from: Db, url: string, clock: Clock): CopyResult {
  if (from.dialect !== 'sqlite') throw new UsageError('the journal in use is already on PostgreSQL', 'copy reads a journal.db file: unset journal.url / XARB_JOURNAL_URL to copy from the file');
  const version = from.prepare<{v: number | null}>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0;
  if (version !== PG_MATCHES_SQLITE_VERSION) {
    throw new UsageError(`the journal is at schema version ${version}; this xarb copies version ${PG_MATCHES_SQLITE_VERSION}`, 'run any xarb command once to migrate it, or use the xarb version that wrote it');
  }
  const to = openPgDb(url);
  try {
    const existing = pgTables(to);
    if (existing.length > 0 && !existing.includes('schema_version')) throw new UsageError(`${to.path} holds tables that are not an xarb journal`, 'give an empty schema (?schema=name in the URL)');
    migrate(to, pgMigrations);
    const busy = COPIED_TABLES.filter((t) => count(to, t) > 0);
    if (busy.length > 0) {
      throw new UsageError(`the target journal ${to.path} is not empty (${busy.slice(0, 4).join(', ')}${busy.length > 4 ? ', …' : ''} have rows)`, 'copy into a new schema (?schema=name in the URL) or an empty database; a copy never merges two journals');
    }
    const tables = to.tx(() => {
      const copied = COPIED_TABLES.map((table) => ({table, rows: copyTable(from, to, table)}));
      for (const {table, rows} of copied) {
        const there = count(to, table);
        if (there !== rows) throw new JournalError(`copy check failed: ${table} has ${rows} rows in the source and ${there} in the target; nothing was committed`);
      }
      return copied;
    });
    const journalId = to.prepare<{value: string}>("SELECT value FROM journal_meta WHERE key = 'journal_id'").get()?.value;
    new EventsRepo(from, clock).append({kind: 'journal.copied', data: {to: to.path, rows: tables.reduce((a, t) => a + t.rows, 0)}});
    return {to: to.path, tables, rows: tables.reduce((a, t) => a + t.rows, 0), journalId};
  } finally {
    to.close();
  }
}
