/**
 * What the journal's own commands do (`xarb journal ...`, `xarb lock ...`,
 * `xarb events`): one function each, parsed inputs in, the command's result
 * out. Nothing here talks to a venue. See README.md for the invariants.
 */
import {statSync} from 'node:fs';
import {hostname} from 'node:os';
import {ensureHome, journalPath, loadRawConfig, recordJournalMarker} from '../config/store.js';
import {LockHeldError, UsageError} from '../errors.js';
import type {Db} from '../journal/db.js';
import {EventsRepo, type JournalEvent} from '../journal/events.js';
import {listLocks, lockStatus, readLock, releaseLock, type LockStatus} from '../journal/locks.js';
import {backupTo, journalStats as tableStats, lastPruneAt, prune, type BackupResult, type JournalStats, type PruneResult, type RetentionSettings} from '../journal/maintenance.js';
import {copyJournal as copyToPostgres, type CopyResult} from '../journal/copy.js';
import {initJournal as createJournal} from '../journal/open.js';
import type {Clock} from '../types.js';

export type {LockStatus} from '../journal/locks.js';
export type {JournalEvent} from '../journal/events.js';
export {isPostgresUrl} from '../journal/pg/db.js';

interface JournalDeps {
  readonly db: Db;
  readonly clock: Clock;
}

// --- xarb events

export interface EventsQuery {
  /** An exact kind (order.sent) or a prefix ending in a dot (risk.). */
  readonly kind?: string;
  readonly venue?: string;
  readonly since?: number;
  readonly limit: number;
}

/** `xarb events`: the append-only event log, newest first. */
export function listEvents(deps: JournalDeps, query: EventsQuery): JournalEvent[] {
  return new EventsRepo(deps.db, deps.clock).list({
    ...(query.kind ? {kind: query.kind} : {}),
    ...(query.venue ? {venue: query.venue} : {}),
    ...(query.since !== undefined ? {since: query.since} : {}),
    limit: query.limit,
  });
}

// --- xarb lock list / release

export interface LockListItem {
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: string;
  readonly leaseUntil: string;
  /** held: within its lease; expired: lease ran out; stale: its process on this host is gone. Expired and stale locks are taken over by the next run. */
  readonly status: LockStatus;
}

/** `xarb lock list`: every lock row, with what it means seen from this host now. */
export function lockList(deps: JournalDeps): LockListItem[] {
  const host = hostname();
  return listLocks(deps.db).map((l) => ({
    name: l.name,
    pid: l.pid,
    host: l.host,
    acquiredAt: new Date(l.acquiredAt).toISOString(),
    leaseUntil: new Date(l.leaseUntil).toISOString(),
    status: lockStatus(l, {host, clock: deps.clock}),
  }));
}

export interface LockReleaseResult {
  readonly name: string;
  /** False when the lock was not held (nothing to do). */
  readonly released: boolean;
  readonly holder: {readonly pid: number; readonly host: string; readonly acquiredAt: string; readonly leaseUntil: string} | null;
}

/**
 * `xarb lock release`: frees a lock now (journalled as a lock.released
 * event). A lock a live process on this host holds within its lease is
 * refused (LockHeldError, exit 6) unless `force`.
 */
export function lockRelease(deps: JournalDeps, name: string, options: {readonly force?: boolean; readonly reason?: string} = {}): LockReleaseResult {
  const current = readLock(deps.db, name);
  if (current && !options.force && current.host === hostname() && lockStatus(current, {clock: deps.clock}) === 'held') {
    throw new LockHeldError(name, `pid ${current.pid} on this host, alive, lease until ${new Date(current.leaseUntil).toISOString()}; add --force to release it anyway`);
  }
  const holder = releaseLock(deps.db, name, {clock: deps.clock, reason: options.reason});
  return {
    name,
    released: holder !== undefined,
    holder: holder ? {pid: holder.pid, host: holder.host, acquiredAt: new Date(holder.acquiredAt).toISOString(), leaseUntil: new Date(holder.leaseUntil).toISOString()} : null,
  };
}

// --- xarb journal stats / prune / backup / copy / init

export type JournalStatsResult = JournalStats & {
  readonly path: string;
  /** Sizes on disk of journal.db and its write-ahead log. */
  readonly fileBytes: number;
  readonly walBytes: number;
  readonly lastPruneAt: string | null;
};

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/**
 * `xarb journal stats`: rows and bytes per table, file sizes, when retention
 * last ran. `path` is the journal.db file in `home`, or the PostgreSQL
 * journal (without password) when `url` says the journal is kept there.
 */
export function journalStats(db: Db, location: {readonly home: string; readonly url?: string}): JournalStatsResult {
  const stats = tableStats(db);
  const path = location.url ? db.path : journalPath(location.home);
  const last = lastPruneAt(db);
  return {...stats, path, fileBytes: fileSize(path), walBytes: fileSize(`${path}-wal`), lastPruneAt: last === undefined ? null : new Date(last).toISOString()};
}

export type JournalPruneResult = PruneResult & {readonly retention: RetentionSettings};

/** `xarb journal prune`: deletes history older than the retention settings. */
export function pruneJournal(deps: JournalDeps, retention: RetentionSettings): JournalPruneResult {
  return {...prune(deps.db, retention, deps.clock), retention};
}

export type JournalBackupResult = BackupResult;

/** `xarb journal backup`: a consistent, compacted copy written to `file` (which must not exist). */
export function backupJournal(db: Db, file: string): JournalBackupResult {
  return backupTo(db, file);
}

export type JournalCopyResult = CopyResult;

/** `xarb journal copy`: the journal.db file, whole, into a new, empty PostgreSQL journal at `url`. */
export function copyJournal(deps: JournalDeps, url: string): JournalCopyResult {
  return copyToPostgres(deps.db, url, deps.clock);
}

export interface JournalInitResult {
  readonly path: string;
  readonly id: string;
  readonly createdAt: string;
  /** Where the previous file was moved (with --force), or null. */
  readonly movedAside: string | null;
}

/** `xarb journal init`: a new, empty journal in `home`, recorded in its config; an existing one is moved aside only when forced. */
export function initJournal(home: string, options: {readonly force?: boolean; readonly env?: NodeJS.ProcessEnv} = {}): JournalInitResult {
  // Read without validating: init must work whatever else the config holds.
  const raw = loadRawConfig(home) as {journal?: {url?: unknown}};
  const url = options.env?.XARB_JOURNAL_URL?.trim() || (typeof raw.journal?.url === 'string' ? raw.journal.url : undefined);
  if (url) {
    throw new UsageError(
      'the journal is on PostgreSQL (journal.url or XARB_JOURNAL_URL); `journal init` starts a journal.db file only',
      'a new PostgreSQL journal is created on first use in an empty schema (?schema=name); to start over, drop or rename the schema with the database\'s tools',
    );
  }
  ensureHome(home);
  const path = journalPath(home);
  const result = createJournal({path, force: options.force});
  try {
    recordJournalMarker(home, {id: result.id, createdAt: result.createdAt});
  } finally {
    result.db.close();
  }
  return {path, id: result.id, createdAt: result.createdAt, movedAside: result.movedAside ?? null};
}
