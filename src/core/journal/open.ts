/**
 * Opening the journal file so that it is never silently replaced.
 *
 * Invariants:
 * - A journal is created only where none exists and none is recorded: the
 *   first journal of a home records its id and creation time (in the journal
 *   and, by the caller, in config.json). When config records a journal and
 *   the file is missing, or the file is empty (0 bytes, or a database without
 *   tables), opening is refused (JournalMissingError / JournalEmptyError, exit
 *   1): the trading state (kill switch), risk usage and paper balances live
 *   there, and a fresh journal would quietly forget them. Only `init` (the
 *   user's explicit `xarb journal init`) starts a new one.
 * - An existing file is checked before anything writes to it: it must be an
 *   xarb journal (a schema_version table) at a schema version this build
 *   knows, and pass SQLite's quick integrity check. The quick check reads
 *   every page (about 1 s per 100 MB), so opening runs it when the last
 *   passed check is older than INTEGRITY_CHECK_EVERY_MS (and always before a
 *   migration); `xarb doctor` always runs it.
 * - Before a migration changes an existing journal, a backup is written next
 *   to it, named with the old schema version.
 * - New files are created 0600 (SQLite gives -wal and -shm the same mode).
 * - `init` never deletes: an existing non-empty file is moved aside.
 */
import {closeSync, existsSync, linkSync, openSync, renameSync, rmSync, statSync} from 'node:fs';
import {randomUUID} from '../crypto.js';
import {dirname, basename, join} from 'node:path';
import {ExitCode, UsageError, XarbError} from '../errors.js';
import {systemClock, type Clock} from '../types.js';
import {LATEST_VERSION, migrate, openDb, type Db} from './db.js';
import {backupTo} from './maintenance.js';
import {checkHealth, ensureIdentity, JournalMetaRepo} from './meta.js';
import {migrations} from './migrations/index.js';

/** What config.json records about the journal of its home. */
export interface JournalMarker {
  readonly id: string;
  readonly createdAt: string;
}

/** The journal file cannot be used as it is: exit 1, nothing was sent. */
export class JournalRefusedError extends XarbError {
  constructor(message: string, hint: string) {
    super(message, {exitCode: ExitCode.unexpected, hint});
  }
}

export class JournalMissingError extends JournalRefusedError {}
export class JournalEmptyError extends JournalRefusedError {}
export class JournalInvalidError extends JournalRefusedError {}

/** How often opening re-runs the quick integrity check. */
export const INTEGRITY_CHECK_EVERY_MS = 3_600_000;

const RESTORE_HINT = 'restore it from a backup (`xarb journal backup` makes one), or start a new journal with `xarb journal init` (the kill switch, risk usage and paper balances start over)';

export type JournalState = 'missing' | 'empty' | 'ok' | 'not_journal' | 'corrupt' | 'newer' | 'unreadable';

export interface JournalInspection {
  readonly path: string;
  readonly state: JournalState;
  readonly bytes: number;
  readonly version: number | undefined;
  readonly latest: number;
  readonly tables: number;
  /** Integrity problems, or why the file could not be read. */
  readonly problems: readonly string[];
  readonly id: string | undefined;
  readonly createdAt: string | undefined;
  /** Whether the quick integrity check ran in this inspection. */
  readonly checked: boolean;
}

/**
 * Looks at a journal file without writing to it. The quick integrity check
 * runs unless `skipCheckIfSince` is given and the journal records a passed
 * check after that time.
 */
export function inspectJournal(path: string, options: {skipCheckIfSince?: number} = {}): JournalInspection {
  return examine(path, options, false).inspection;
}

/**
 * inspectJournal's checks. `keep`: on a connection that can write (opened
 * without WAL mode, so nothing is written yet), returned open when the
 * journal is sound; closed otherwise.
 */
function examine(path: string, options: {skipCheckIfSince?: number}, keep: boolean): {inspection: JournalInspection; db?: Db} {
  const base = {path, latest: LATEST_VERSION, version: undefined, tables: 0, problems: [] as string[], id: undefined, createdAt: undefined, checked: false};
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {inspection: {...base, state: 'missing', bytes: 0}};
    return {inspection: {...base, state: 'unreadable', bytes: 0, problems: [(error as NodeJS.ErrnoException).code ?? (error as Error).message]}};
  }
  if (bytes === 0) return {inspection: {...base, state: 'empty', bytes}};
  let db: Db | undefined;
  let kept = false;
  try {
    db = keep ? openDb(path, {migrate: false, wal: false, mustExist: true}) : openDb(path, {readonly: true});
    const shape = checkHealth(db, {integrity: false});
    const meta = shape.tables.includes('journal_meta') ? new JournalMetaRepo(db) : undefined;
    const lastCheck = Number(meta?.get('integrity_checked_at') ?? Number.NaN);
    const skip = options.skipCheckIfSince !== undefined && lastCheck > options.skipCheckIfSince && (shape.version ?? 0) >= LATEST_VERSION;
    const health = skip || shape.tables.length === 0 ? shape : checkHealth(db);
    const createdMs = meta?.get('created_at');
    const found = {
      ...base,
      bytes,
      version: health.version,
      tables: health.tables.length,
      problems: health.problems,
      checked: health !== shape,
      id: meta?.get('journal_id'),
      createdAt: createdMs === undefined ? undefined : new Date(Number(createdMs)).toISOString(),
    };
    if (health.tables.length === 0) return {inspection: {...found, state: 'empty'}};
    if (health.problems.length > 0) return {inspection: {...found, state: 'corrupt'}};
    if (health.version === undefined) return {inspection: {...found, state: 'not_journal'}};
    if (health.version > LATEST_VERSION) return {inspection: {...found, state: 'newer'}};
    kept = keep;
    return {inspection: {...found, state: 'ok'}, db: keep ? db : undefined};
  } catch (error) {
    const message = (error as Error).message;
    return {inspection: {...base, bytes, state: /not a database|malformed|corrupt/i.test(message) ? 'corrupt' : 'unreadable', problems: [message.replace(/^cannot open journal \S+: /, '')]}};
  } finally {
    if (!kept) db?.close();
  }
}

export interface OpenJournalOptions {
  readonly path: string;
  /** What config.json records (undefined: no journal recorded yet). */
  readonly marker?: JournalMarker;
  readonly clock?: Clock;
}

export interface OpenedJournal {
  readonly db: Db;
  readonly id: string;
  readonly createdAt: string;
  /** True when this call created the file. */
  readonly created: boolean;
  /** The backup written before migrating, if a migration ran. */
  readonly backup: string | undefined;
  readonly migratedFrom: number | undefined;
}

function createFile(path: string): void {
  const fd = openSync(path, 'wx', 0o600);
  closeSync(fd);
}

function refuse(inspection: JournalInspection, marker: JournalMarker | undefined): never {
  const {path} = inspection;
  switch (inspection.state) {
    case 'missing':
      throw new JournalMissingError(`the journal ${path} is missing (config records journal ${marker?.id ?? ''} created ${marker?.createdAt ?? ''})`, RESTORE_HINT);
    case 'empty':
      throw new JournalEmptyError(`the journal ${path} is empty (${inspection.bytes === 0 ? '0 bytes' : 'no tables'}); it will not be started over silently`, RESTORE_HINT);
    case 'not_journal':
      throw new JournalInvalidError(`${path} is not an xarb journal (no schema_version table)`, `move it away and restore the journal from a backup, or run \`xarb journal init --force\` to move it aside and start a new journal`);
    case 'corrupt':
      throw new JournalInvalidError(`the journal ${path} failed its integrity check: ${inspection.problems.slice(0, 3).join('; ')}`, `${RESTORE_HINT}; \`xarb doctor\` shows the checks`);
    case 'newer':
      throw new JournalInvalidError(`journal schema version ${inspection.version} is newer than this xarb knows (${inspection.latest})`, 'upgrade xarb');
    default:
      throw new JournalInvalidError(`cannot read the journal ${path}: ${inspection.problems.join('; ')}`, 'check that XARB_HOME and the journal are readable and writable by you');
  }
}

/** A file's size; 0 when it does not exist. */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Backup file name for a journal about to be migrated from `version`. */
export function migrationBackupPath(path: string, version: number, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(dirname(path), `${basename(path)}.v${version}-${stamp}.bak`);
}

/**
 * Opens the journal under the invariants above (see `initJournal` for a new
 * one). A sound journal is checked and then used on one connection: it is
 * opened without WAL mode (nothing written), checked, then switched to WAL
 * (a no-op for a journal already in it) before anything else.
 */
export function openJournal(options: OpenJournalOptions): OpenedJournal {
  const clock = options.clock ?? systemClock;
  const skipCheckIfSince = clock.now() - INTEGRITY_CHECK_EVERY_MS;
  // A write connection would roll back a leftover rollback journal, and its close checkpoints a WAL holding frames
  // into the file: then the checks run read-only first (as `xarb doctor` runs them), so a file refused below is left
  // exactly as it was. Otherwise (the common case) one connection is checked, then used.
  const pristine = fileBytes(`${options.path}-wal`) === 0 && !existsSync(`${options.path}-journal`);
  let {inspection, db} = examine(options.path, {skipCheckIfSince}, pristine);
  if (db) {
    try {
      db.enableWal!();
    } catch (error) {
      db.close();
      throw error;
    }
  } else {
    if (inspection.state === 'missing' && options.marker === undefined) return create(options.path, clock);
    // Anything but a sound journal is judged as a read-only look sees it (as `xarb doctor` does), and a
    // journal that can be read but not opened to write fails as opening it to write does. A file another
    // process holds locked was waited for once already.
    const locked = inspection.problems.some((p) => /locked|busy/i.test(p));
    if (pristine && inspection.state !== 'missing' && !locked) inspection = inspectJournal(options.path, {skipCheckIfSince});
    if (inspection.state !== 'ok') refuse(inspection, options.marker);
    db = openDb(options.path, {migrate: false});
  }
  const version = inspection.version ?? 0;
  let backup: string | undefined;
  try {
    if (version < LATEST_VERSION) backup = backupTo(db, migrationBackupPath(options.path, version, clock.now())).file;
    migrate(db, migrations);
    const identity = ensureIdentity(db, clock);
    if (inspection.checked) new JournalMetaRepo(db).set('integrity_checked_at', String(clock.now()), clock.now());
    return {db, ...identity, created: false, backup, migratedFrom: backup === undefined ? undefined : version};
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Builds the new journal in a private file, then links it into place: no
 * other process ever sees a half-made (0-byte) journal, and of two processes
 * creating at once one wins and the other opens the winner's file.
 */
function create(path: string, clock: Clock): OpenedJournal {
  const staging = `${path}.new-${process.pid}-${randomUUID().slice(0, 8)}`;
  let won = false;
  try {
    createFile(staging);
    const db = openDb(staging);
    ensureIdentity(db, clock);
    db.close(); // checkpoints the WAL into the file
    try {
      linkSync(staging, path);
      won = true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        // A file system without hard links: rename is the fallback.
        if (existsSync(path)) throw error;
        renameSync(staging, path);
        won = true;
      }
    }
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${staging}${suffix}`, {force: true});
  }
  if (!won) return openJournal({path, clock, marker: undefined});
  const db = openDb(path);
  return {db, ...ensureIdentity(db, clock), created: true, backup: undefined, migratedFrom: undefined};
}

export interface InitResult extends OpenedJournal {
  /** Where an existing file was moved, when `force` replaced it. */
  readonly movedAside: string | undefined;
}

/**
 * `xarb journal init`: starts a new journal where the file is missing or
 * empty. An existing non-empty file is refused unless `force`, which moves it
 * (and its -wal/-shm) aside, never deleting it.
 */
export function initJournal(options: {path: string; force?: boolean; clock?: Clock}): InitResult {
  const clock = options.clock ?? systemClock;
  const {path} = options;
  const inspection = inspectJournal(path);
  let movedAside: string | undefined;
  if (inspection.state === 'empty' && inspection.bytes === 0) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, {force: true});
  } else if (inspection.state !== 'missing') {
    if (!options.force) {
      throw new UsageError(
        `a journal already exists at ${path} (${inspection.state === 'ok' ? `schema version ${inspection.version}, ${inspection.bytes} bytes` : inspection.state})`,
        'it is kept; to start over anyway run `xarb journal init --force` (the old file is moved aside, not deleted)',
      );
    }
    const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    movedAside = `${path}.replaced-${stamp}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${movedAside}${suffix}`);
  }
  return {...create(path, clock), movedAside};
}
