/**
 * The only module that imports better-sqlite3. It opens the journal file
 * (WAL), runs versioned migrations in one transaction each (refusing gaps and
 * unknown future versions), and caches prepared statements by SQL text so
 * every statement is prepared once per process.
 */
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {XarbError, ExitCode} from '../errors.js';
import {migrations, type Migration} from './migrations/index.js';

export type SqlValue = string | number | bigint | null | Buffer;
export type Params = Record<string, SqlValue | undefined> | SqlValue[];

export interface Statement<Row = Record<string, unknown>> {
  run(params?: Params): {changes: number; lastInsertRowid: number | bigint};
  get(params?: Params): Row | undefined;
  all(params?: Params): Row[];
  iterate(params?: Params): IterableIterator<Row>;
}

export interface TxOptions {
  /**
   * What the transaction waits for before it runs. 'journal' (the default):
   * the journal lock, so that it runs alone among the journal's writers, on
   * every host (SQLite has one writer at a time anyway). 'rows': on
   * PostgreSQL, only the row locks its statements take. For a transaction
   * that changes one journalled order, the row it has locked first
   * (OrdersRepo's status updates), with the usage aggregates moved by that
   * order's delta, and appends events: it may commit while another host
   * holds the journal lock for a risk check, because neither reads what the
   * other writes (see docs/scale-out.md). Should the server break a
   * deadlock with it, it runs again (fn must be such a change, which reads
   * its row again under the lock). So it does when a statement of its first
   * attempt finds the row other than assumed (see Db.assuming).
   */
  readonly lock?: 'journal' | 'rows';
}

/** SQLSTATE raised by `xarb_expect` (PostgreSQL): a row was not as a statement assumed (see Db.assuming). */
export const ASSUMPTION_FAILED = 'XA001';

export interface Db {
  /** Which database holds the journal; the SQL is shared (see pg/sql.ts), the housekeeping is not. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the journal is: a file path, or a PostgreSQL URL without its password and the schema. */
  readonly path: string;
  /** Prepared once per SQL text, then reused. */
  prepare<Row = Record<string, unknown>>(sql: string): Statement<Row>;
  /**
   * Runs fn inside BEGIN IMMEDIATE ... COMMIT (rolled back on throw). Nested
   * calls use savepoints; the outermost call's options apply.
   */
  tx<T>(fn: () => T, options?: TxOptions): T;
  /**
   * PostgreSQL, inside a status change of one order (TxOptions.lock 'rows')
   * on its first attempt: true. Its statements may then assume the order's
   * row is as the caller last read it instead of reading it under the lock
   * (a round trip less), provided each such statement fails with
   * ASSUMPTION_FAILED (`xarb_expect`) when the row is not: the transaction
   * is then rolled back and run again, and `assuming()` is false. For that
   * the error must reach the transaction's outermost call: nothing inside
   * such a transaction may catch a journal error and carry on. Otherwise
   * false or absent (SQLite reads in process, at no cost worth saving).
   */
  assuming?(): boolean;
  /**
   * Inserts `rows` (values in `columns` order) into `table`, skipping any row
   * whose `key` columns match one already there (ON CONFLICT DO NOTHING), in
   * one transaction (the caller's when inside db.tx); returns how many were
   * inserted. SQLite runs one prepared insert per row; PostgreSQL sends the
   * rows with one COPY into a temporary table and inserts from it.
   * Table and column names are the journal's own (letters, digits, _).
   */
  insertMany(table: string, columns: readonly string[], key: readonly string[], rows: readonly (readonly SqlValue[])[]): number;
  /** Runs a script as it is (several statements, no parameters), in this database's own dialect. */
  exec(sql: string): void;
  /**
   * A lock held by this connection until `unlock` or until the connection
   * ends (PostgreSQL advisory lock): a holder that died never blocks. Absent
   * on SQLite, where locks.ts keeps leased rows instead.
   */
  tryLock?(name: string): boolean;
  unlock?(name: string): void;
  /** SQLite: WAL mode, for a file opened with `wal: false` (see openDb). */
  enableWal?(): void;
  close(): void;
}

export class JournalError extends XarbError {
  constructor(message: string, cause?: unknown) {
    super(message, {exitCode: ExitCode.unexpected, hint: 'the journal could not be opened or updated; nothing was sent', cause});
  }
}

/** Whether a journal write was refused by a unique key (the row is there already), on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = error instanceof Error ? (error as Error & {code?: unknown}).code : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

type DatabaseClass = typeof Database;
let driver: {Driver: DatabaseClass; options: Database.Options} | undefined;

/**
 * The native SQLite module, loaded on first use (not at import) so that a
 * broken build (wrong Node ABI, missing binary) is a clear JournalError that
 * `xarb doctor` can report, instead of every command failing to load. The
 * package's JavaScript is imported as usual (the build bundles it); the
 * compiled addon is loaded here from where the package builds it
 * (build/Release, or build/Debug for a debug build) and handed to it, which
 * spares the search of the `bindings` package on every start.
 */
function loadDriver(): {Driver: DatabaseClass; options: Database.Options} {
  if (!driver) {
    try {
      const require = createRequire(import.meta.url);
      const build = join(packageDir(require), 'build');
      const addon = ['Release', 'Debug'].map((kind) => join(build, kind, 'better_sqlite3.node')).find((path) => existsSync(path));
      if (addon === undefined) throw new Error(`no compiled addon in ${build}`);
      // The package takes the addon object as nativeBinding too; its type names only a path.
      driver = {Driver: Database, options: {nativeBinding: require(addon) as unknown} as Database.Options};
    } catch (error) {
      throw new XarbError(`cannot load the native SQLite module (better-sqlite3): ${(error as Error).message.split('\n')[0]}`, {
        exitCode: ExitCode.unexpected,
        hint: 'rebuild it for this Node version: npm rebuild better-sqlite3',
        cause: error,
      });
    }
  }
  return driver;
}

/** Loads the native module and reports the SQLite version it embeds (throws with a hint when it cannot load). */
export function sqliteVersion(): string {
  const {Driver, options} = loadDriver();
  const raw = new Driver(':memory:', options);
  try {
    return (raw.prepare('SELECT sqlite_version() AS v').get() as {v: string}).v;
  } finally {
    raw.close();
  }
}

/**
 * better-sqlite3's folder as Node's resolution finds it: the nearest
 * `node_modules/better-sqlite3` above this file (a package folder holds its
 * package.json). Looked up directly, a few existsSync calls instead of
 * require.resolve's first run in the process (~1 ms); require.resolve
 * answers when there is none (NODE_PATH, global folders).
 */
export function packageDir(require: NodeJS.Require = createRequire(import.meta.url)): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const candidate = join(dir, 'node_modules', 'better-sqlite3');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dirname(require.resolve('better-sqlite3')), '..'); // from <package>/lib/index.js
}

function normalize(params: Params | undefined): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params;
  const out: Record<string, SqlValue> = {};
  for (const [key, value] of Object.entries(params)) out[key] = value === undefined ? null : value;
  return [out];
}

/**
 * Opens (creating when absent) a SQLite file and migrates it. `migrate: false`
 * opens it as it is, for checks that must not write (see open.ts); so does
 * `wal: false` (WAL mode is written into the file; the caller turns it on
 * with enableWal once the checks passed). `mustExist`: a missing file is an
 * error instead of a new database.
 */
export function openDb(path: string, options: {migrations?: readonly Migration[]; readonly?: boolean; migrate?: boolean; wal?: boolean; mustExist?: boolean} = {}): Db {
  const {Driver, options: driverOptions} = loadDriver();
  let raw: Database.Database;
  try {
    raw = new Driver(path, {...driverOptions, readonly: options.readonly ?? false, fileMustExist: options.mustExist ?? false});
    raw.pragma('busy_timeout = 5000');
    if (path !== ':memory:' && !options.readonly && options.wal !== false) raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
  } catch (error) {
    throw new JournalError(`cannot open journal ${path}: ${(error as Error).message}`, error);
  }
  const cache = new Map<string, Statement<any>>();
  const insertSql = new Map<string, string>();
  const db: Db = {
    dialect: 'sqlite',
    path,
    prepare<Row>(sql: string): Statement<Row> {
      let stmt = cache.get(sql);
      if (!stmt) {
        const inner = raw.prepare(sql);
        const reader = inner.reader;
        stmt = {
          run: (params) => inner.run(...normalize(params)),
          get: (params) => (reader ? (inner.get(...normalize(params)) as Row | undefined) : undefined),
          all: (params) => (reader ? (inner.all(...normalize(params)) as Row[]) : []),
          iterate: (params) => inner.iterate(...normalize(params)) as IterableIterator<Row>,
        };
        cache.set(sql, stmt);
      }
      return stmt as Statement<Row>;
    },
    tx<T>(fn: () => T): T {
      // One writer at a time: every transaction takes the file's write lock (the lock option changes nothing).
      return raw.transaction(fn).immediate();
    },
    insertMany(table, columns, key, rows) {
      if (rows.length === 0) return 0;
      // The statement text is built (and its names checked) once per shape: a fill per order calls this per order.
      const shape = `${table}\u0000${columns.join(',')}\u0000${key.join(',')}`;
      let sql = insertSql.get(shape);
      if (sql === undefined) {
        sql = `INSERT INTO ${identifiers(table)} (${identifiers(...columns)}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${identifiers(...key)}) DO NOTHING`;
        insertSql.set(shape, sql);
      }
      const insert = db.prepare(sql);
      const write = () => {
        let inserted = 0;
        for (const row of rows) inserted += insert.run(row as SqlValue[]).changes;
        return inserted;
      };
      // Inside the caller's transaction the rows are part of it (no savepoint per call); alone, one transaction.
      return raw.inTransaction ? write() : db.tx(write);
    },
    exec(sql: string) {
      raw.exec(sql);
    },
    enableWal() {
      try {
        if (path !== ':memory:') raw.pragma('journal_mode = WAL');
      } catch (error) {
        throw new JournalError(`cannot open journal ${path}: ${(error as Error).message}`, error);
      }
    },
    close() {
      cache.clear();
      if (raw.open) raw.close();
    },
  };
  if (!options.readonly && options.migrate !== false) migrate(db, options.migrations ?? migrations);
  return db;
}

/** Names joined for SQL text, each checked to be a plain identifier (they never come from input). */
export function identifiers(...names: readonly string[]): string {
  for (const name of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new JournalError(`not a journal table or column name: ${name.slice(0, 40)}`);
  return names.join(', ');
}

/** The version this build migrates journals to. */
export const LATEST_VERSION = migrations.length;

/** Applies pending migrations in order, each in its own transaction. */
export function migrate(db: Db, list: readonly Migration[]): number {
  const int = db.dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  // Inside the write transaction: on PostgreSQL, CREATE ... IF NOT EXISTS run by two hosts at once can still collide.
  db.tx(() => db.exec(`CREATE TABLE IF NOT EXISTS schema_version (version ${int} PRIMARY KEY, name TEXT NOT NULL, applied_at ${int} NOT NULL)`));
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new JournalError(`journal migrations have a gap: expected version ${i + 1}, found ${m.version} (${m.name})`);
  });
  const version = () => db.prepare<{v: number | null}>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0;
  const current = version();
  if (current > list.length) {
    throw new JournalError(`journal schema version ${current} is newer than this xarb knows (${list.length}); upgrade xarb`);
  }
  let applied = 0;
  for (const m of list.slice(current)) {
    // The version is read again inside the write transaction: two processes
    // opening a new journal at once must not both apply the same migration.
    db.tx(() => {
      if (version() >= m.version) return;
      db.exec(m.up);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run([m.version, m.name, Date.now()]);
      applied++;
    });
  }
  return applied;
}
