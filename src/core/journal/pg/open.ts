/**
 * Opening a journal kept on PostgreSQL (journal.url or XARB_JOURNAL_URL).
 *
 * Invariants:
 * - Opening connects, creates the schema when absent and applies the
 *   PostgreSQL migrations (./migrations.ts) in one transaction each, under the
 *   journal's advisory lock: of several hosts opening a new journal at once,
 *   one creates it and the others find it made.
 * - A schema at a version newer than this build knows is refused (upgrade
 *   xarb); one that has tables but no schema_version is not a journal and is
 *   refused, never written into.
 * - The journal gets its identity (id, creation time) once, in journal_meta,
 *   as the SQLite journal does. Durability, backups and replicas are the
 *   database's own (see docs/scale-out.md); there is no file to check.
 * - A password is never part of what is shown: messages carry the URL with
 *   the password replaced.
 */
import {systemClock, type Clock} from '../../types.js';
import {JournalError, migrate, type Db} from '../db.js';
import {ensureIdentity, JournalMetaRepo} from '../meta.js';
import {openPgDb, redactUrl, type PgDb} from './db.js';
import {pgMigrations} from './migrations.js';

export interface OpenedPgJournal {
  readonly db: PgDb;
  readonly id: string;
  readonly createdAt: string;
  readonly created: boolean;
  readonly backup: undefined;
  readonly migratedFrom: number | undefined;
}

/** Table names in the journal's schema. */
export function pgTables(db: Db): string[] {
  return db
    .prepare<{name: string}>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
    .all()
    .map((r) => r.name);
}

export function openPgJournal(options: {url: string; clock?: Clock}): OpenedPgJournal {
  const clock = options.clock ?? systemClock;
  const db = openPgDb(options.url);
  try {
    const tables = pgTables(db);
    if (tables.length > 0 && !tables.includes('schema_version')) {
      throw new JournalError(`${db.path} holds tables but is not an xarb journal (no schema_version table); choose another schema with ?schema=name in the URL`);
    }
    const before = tables.includes('schema_version') ? (db.prepare<{v: number | null}>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0) : 0;
    migrate(db, pgMigrations);
    const identity = ensureIdentity(db, clock);
    return {db, ...identity, created: before === 0, backup: undefined, migratedFrom: before > 0 && before < pgMigrations.length ? before : undefined};
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface PgInspection {
  readonly path: string;
  readonly state: 'ok' | 'empty' | 'newer' | 'not_journal' | 'unreachable';
  readonly version: number | undefined;
  readonly latest: number;
  readonly id: string | undefined;
  readonly problems: readonly string[];
}

/** Connects and reads the schema version and identity without changing anything (for `xarb doctor`). */
export function inspectPgJournal(url: string): PgInspection {
  const latest = pgMigrations.length;
  let db: PgDb;
  try {
    db = openPgDb(url, {connectTimeoutMs: 3000});
  } catch (error) {
    return {path: redactUrl(url), state: 'unreachable', version: undefined, latest, id: undefined, problems: [(error as Error).message]};
  }
  try {
    const tables = pgTables(db);
    const base = {path: db.path, latest, problems: [] as string[]};
    if (tables.length === 0) return {...base, state: 'empty', version: undefined, id: undefined};
    if (!tables.includes('schema_version')) return {...base, state: 'not_journal', version: undefined, id: undefined};
    const version = db.prepare<{v: number | null}>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0;
    const id = tables.includes('journal_meta') ? new JournalMetaRepo(db).get('journal_id') : undefined;
    return {...base, state: version > latest ? 'newer' : 'ok', version, id};
  } catch (error) {
    return {path: db.path, state: 'unreachable', version: undefined, latest, id: undefined, problems: [(error as Error).message]};
  } finally {
    db.close();
  }
}
