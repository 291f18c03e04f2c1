/**
 * Advisory locks over the `locks` table (one row per held lock), for jobs
 * that must not run twice at once (reconcile, rebalance).
 *
 * Invariants:
 * - Acquiring is one BEGIN IMMEDIATE transaction (read the row, then insert
 *   or take over), so of two processes racing, exactly one wins; the other
 *   fails at once with LockHeldError (exit 6) and writes nothing.
 * - Every row carries a lease (`lease_until`). The holder renews it while it
 *   works (a timer, every quarter of the lease, from acquire to release); a row whose lease has
 *   run out is taken over, whatever host wrote it, so a holder that vanished
 *   (a killed container comes back under a new hostname) blocks for one lease
 *   at most.
 * - Within its lease, a row held by a process that is alive on this host
 *   blocks. A row whose process is gone (SIGKILL, crash, reboot) is stale and
 *   is taken over at once; so is a row whose pid now belongs to a process
 *   started after the lock was taken (pid reuse, checked through /proc on
 *   Linux). A row from another host cannot be checked and blocks until its
 *   lease runs out.
 * - Renewing and releasing touch the row only if this holder still holds it
 *   (same name, pid, host and acquired_at); a renewal that finds the row gone
 *   or taken over reports the lock lost.
 * - On a PostgreSQL journal the lock is also a session-level advisory lock
 *   (taken before the row is written, dropped by the server when the
 *   holder's connection ends): the advisory lock alone decides who holds it,
 *   across hosts, and a holder that died never blocks, whatever its lease.
 *   The row stays, for `xarb lock list`.
 * - Taking over a row appends a `lock.taken_over` event naming the previous
 *   holder. `releaseLock` (the operator's `xarb lock release`) removes a row
 *   whoever holds it and appends a `lock.released` event naming the holder.
 */
import {readFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {LockHeldError} from '../errors.js';
import {systemClock, type Clock} from '../types.js';
import type {Db} from './db.js';
import {EventsRepo} from './events.js';

/** How long a lock is held without renewal. Holders renew every quarter of it. */
export const DEFAULT_LEASE_MS = 120_000;

export interface LockHolder {
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: number;
  /** The holder's lease runs until this time (ms); renewed while it works. */
  readonly leaseUntil: number;
}

export interface LockOptions {
  readonly pid?: number;
  readonly host?: string;
  readonly clock?: Clock;
  /** Whether a pid is a live process on this host (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
  /** When a live pid's process started (ms since epoch), if known (default: /proc on Linux). */
  readonly startedAt?: (pid: number) => number | undefined;
  /** Lease length in ms (default DEFAULT_LEASE_MS). */
  readonly leaseMs?: number;
  /** Renew the lease on a timer until release (default true). */
  readonly renew?: boolean;
  /** Called once if a renewal finds the lock released or taken over. */
  readonly onLost?: () => void;
}

export interface HeldLock extends Omit<LockHolder, 'leaseUntil'> {
  /** What happened to a previous holder, if its row was taken over. */
  readonly tookOver: LockHolder | undefined;
  /** Extends the lease by a full lease from now; false when the lock was lost (released or taken over). */
  renew(): boolean;
  /** Renews every quarter of the lease until release (the timer never keeps the process alive); on by default. */
  startRenewing(): void;
  /** True once a renewal found the lock released or taken over by someone else. */
  readonly lost: boolean;
  release(): void;
}

/** held: within its lease and not known dead; expired: lease ran out; stale: its process on this host is gone. */
export type LockStatus = 'held' | 'expired' | 'stale';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootTimeMs: number | undefined | null = null;

/** Start time of a process from /proc (Linux); undefined elsewhere or when unreadable. */
export function processStartedAt(pid: number): number | undefined {
  try {
    if (bootTimeMs === null) {
      const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
      bootTimeMs = btime ? Number(btime[1]) * 1000 : undefined;
    }
    if (bootTimeMs === undefined) return undefined;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, in clock ticks since boot) comes after the parenthesised command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    if (!Number.isFinite(ticks)) return undefined;
    return bootTimeMs + (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Slack for comparing a process start time (1 s resolution of btime) with a lock's acquired_at. */
const START_SLACK_MS = 2000;

interface LockRow {
  name: string;
  pid: number;
  host: string;
  acquired_at: number;
  lease_until: number;
}

const toHolder = (row: LockRow): LockHolder => ({name: row.name, pid: row.pid, host: row.host, acquiredAt: row.acquired_at, leaseUntil: row.lease_until});

export function readLock(db: Db, name: string): LockHolder | undefined {
  const row = db.prepare<LockRow>('SELECT name, pid, host, acquired_at, lease_until FROM locks WHERE name = ?').get([name]);
  return row ? toHolder(row) : undefined;
}

/** Every lock row, by name. */
export function listLocks(db: Db): LockHolder[] {
  return db.prepare<LockRow>('SELECT name, pid, host, acquired_at, lease_until FROM locks ORDER BY name').all().map(toHolder);
}

/** What a recorded holder's row means, seen from this host at this time. */
export function lockStatus(holder: LockHolder, options: LockOptions = {}): LockStatus {
  const now = (options.clock ?? systemClock).now();
  if (holder.leaseUntil <= now) return 'expired';
  const host = options.host ?? hostname();
  if (holder.host !== host) return 'held';
  const isAlive = options.isAlive ?? pidAlive;
  if (!isAlive(holder.pid)) return 'stale';
  const started = (options.startedAt ?? processStartedAt)(holder.pid);
  return started === undefined || started <= holder.acquiredAt + START_SLACK_MS ? 'held' : 'stale';
}

/** Whether a recorded holder still holds its lock, seen from this host. */
export function holderIsLive(holder: LockHolder, options: LockOptions = {}): boolean {
  return lockStatus(holder, options) === 'held';
}

/** Takes the named lock or throws LockHeldError (exit 6) without writing anything. */
export function acquireLock(db: Db, name: string, options: LockOptions = {}): HeldLock {
  const pid = options.pid ?? process.pid;
  const host = options.host ?? hostname();
  const clock = options.clock ?? systemClock;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  // On PostgreSQL the server's advisory lock decides: it is held exactly as long as the holder's
  // connection lives, so a row whose lock is free belongs to a holder that is gone, whatever its lease.
  const advisory = db.tryLock !== undefined;
  if (advisory && !db.tryLock!(name)) {
    const current = readLock(db, name);
    throw new LockHeldError(name, current ? `pid ${current.pid} on ${current.host} since ${new Date(current.acquiredAt).toISOString()} (its database session holds the lock)` : 'another process whose database session holds the lock');
  }
  const take = () => db.tx(() => {
    const current = readLock(db, name);
    const mine = current !== undefined && current.pid === pid && current.host === host && current.leaseUntil > clock.now();
    if (current && !advisory && (mine || holderIsLive(current, {...options, host, clock}))) {
      throw new LockHeldError(name, `pid ${current.pid} on ${current.host} since ${new Date(current.acquiredAt).toISOString()}, lease until ${new Date(current.leaseUntil).toISOString()}`);
    }
    const now = clock.now();
    db.prepare(
      'INSERT INTO locks (name, pid, host, acquired_at, lease_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at, lease_until = excluded.lease_until',
    ).run([name, pid, host, now, now + leaseMs]);
    if (current) {
      new EventsRepo(db, clock).append({
        kind: 'lock.taken_over',
        ref: name,
        data: {holder: {pid: current.pid, host: current.host, acquiredAt: new Date(current.acquiredAt).toISOString(), leaseUntil: new Date(current.leaseUntil).toISOString()}, by: {pid, host}},
      });
    }
    return {acquiredAt: now, tookOver: current};
  });
  let taken: ReturnType<typeof take>;
  try {
    taken = take();
  } catch (error) {
    if (advisory) db.unlock!(name);
    throw error;
  }
  const {acquiredAt, tookOver} = taken;
  let released = false;
  let lost = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const held: HeldLock = {
    name,
    pid,
    host,
    acquiredAt,
    tookOver,
    get lost() {
      return lost;
    },
    renew() {
      if (released) return false;
      const info = db
        .prepare('UPDATE locks SET lease_until = ? WHERE name = ? AND pid = ? AND host = ? AND acquired_at = ?')
        .run([clock.now() + leaseMs, name, pid, host, acquiredAt]);
      return info.changes === 1;
    },
    startRenewing() {
      if (timer || released) return;
      timer = setInterval(() => {
        let ok = false;
        try {
          ok = held.renew();
        } catch {
          // A busy journal: the next tick tries again, well within the lease.
          return;
        }
        if (!ok) {
          stop();
          lost = true;
          options.onLost?.();
        }
      }, Math.max(10, Math.floor(leaseMs / 4)));
      timer.unref?.();
    },
    release() {
      stop();
      if (released) return;
      released = true;
      try {
        db.prepare('DELETE FROM locks WHERE name = ? AND pid = ? AND host = ? AND acquired_at = ?').run([name, pid, host, acquiredAt]);
      } finally {
        if (advisory) db.unlock!(name);
      }
    },
  };
  if (options.renew !== false) held.startRenewing();
  return held;
}

/**
 * Removes a lock row whoever holds it (the operator's escape hatch) and
 * journals a `lock.released` event naming the holder. Returns the holder, or
 * undefined when no such lock was held (already free: nothing to do).
 */
export function releaseLock(db: Db, name: string, options: {clock?: Clock; reason?: string; by?: {pid: number; host: string}} = {}): LockHolder | undefined {
  const clock = options.clock ?? systemClock;
  if (db.tryLock) {
    // PostgreSQL: a live holder's session keeps the advisory lock and cannot be released from here;
    // a free lock means the row is a leftover of a holder that is gone, and is removed.
    if (!db.tryLock(name)) {
      const current = readLock(db, name);
      throw new LockHeldError(name, `${current ? `pid ${current.pid} on ${current.host}` : 'another process'} holds it through a live database session; stop that process (a process that dies releases the lock by itself)`);
    }
    try {
      return removeRow(db, name, clock, options);
    } finally {
      db.unlock!(name);
    }
  }
  return removeRow(db, name, clock, options);
}

function removeRow(db: Db, name: string, clock: Clock, options: {reason?: string; by?: {pid: number; host: string}}): LockHolder | undefined {
  return db.tx(() => {
    const current = readLock(db, name);
    if (!current) return undefined;
    db.prepare('DELETE FROM locks WHERE name = ?').run([name]);
    new EventsRepo(db, clock).append({
      kind: 'lock.released',
      ref: name,
      data: {
        holder: {pid: current.pid, host: current.host, acquiredAt: new Date(current.acquiredAt).toISOString(), leaseUntil: new Date(current.leaseUntil).toISOString()},
        by: options.by ?? {pid: process.pid, host: hostname()},
        reason: options.reason ?? null,
      },
    });
    return current;
  });
}
