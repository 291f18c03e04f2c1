/**
 * What the journal knows about itself: its id and creation time, when
 * retention last ran (table `journal_meta`, migration 7), and checks that a
 * file is a sound xarb journal (integrity, schema version, tables). The checks
 * only read.
 */
import {randomUUID} from '../crypto.js';
import type {Clock} from '../types.js';
import type {Db} from './db.js';

export type MetaKey = 'journal_id' | 'created_at' | 'last_prune_at' | 'integrity_checked_at';

export class JournalMetaRepo {
  constructor(private readonly db: Db) {}

  get(key: MetaKey): string | undefined {
    return this.db.prepare<{value: string}>('SELECT value FROM journal_meta WHERE key = ?').get([key])?.value;
  }

  set(key: MetaKey, value: string, now: number): void {
    this.db
      .prepare('INSERT INTO journal_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run([key, value, now]);
  }
}

export interface JournalHealth {
  /** User tables (SQLite's own excluded). */
  readonly tables: readonly string[];
  /** Highest applied migration, undefined when there is no schema_version table. */
  readonly version: number | undefined;
  /** `PRAGMA quick_check` problems; empty when the file is sound. */
  readonly problems: readonly string[];
}

/** Reads the table list, the schema version and runs SQLite's quick integrity check. */
export function checkHealth(db: Db, options: {integrity?: boolean} = {}): JournalHealth {
  const postgres = db.dialect === 'postgres';
  const tables = db
    .prepare<{name: string}>(
      postgres
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
  const version = tables.includes('schema_version') ? (db.prepare<{v: number | null}>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0) : undefined;
  // PostgreSQL checks its own pages (and its replicas); there is no quick check to run from here.
  const problems =
    options.integrity === false || postgres
      ? []
      : db
          .prepare<{quick_check: string}>('PRAGMA quick_check')
          .all()
          .map((r) => r.quick_check)
          .filter((r) => r !== 'ok');
  return {tables, version, problems};
}

/** Stamps a journal without an id (new, or from before ids) with one; returns it. */
export function ensureIdentity(db: Db, clock: Clock): {id: string; createdAt: string} {
  const meta = new JournalMetaRepo(db);
  return db.tx(() => {
    const now = clock.now();
    let id = meta.get('journal_id');
    let created = meta.get('created_at');
    if (!id) {
      id = randomUUID();
      meta.set('journal_id', id, now);
    }
    if (!created) {
      created = String(now);
      meta.set('created_at', created, now);
    }
    return {id, createdAt: new Date(Number(created)).toISOString()};
  });
}
