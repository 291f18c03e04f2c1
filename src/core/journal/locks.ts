/**
 * Advisory locks over the `locks` table (one row per held lock), for jobs
 * that must not run twice at once (reconcile, rebalance).
 *
 * Invariants:
 * - Acquiring is one BEGIN IMMEDIATE transaction (read the row, then insert
 *   or take over), so of two processes racing, exactly one wins; the other
 *   fails at once with LockHeldError (exit 6) and writes nothing.
 * - A row held by a process that is alive on this host blocks. A row whose
 *   process is gone (SIGKILL, crash, reboot) is stale and is taken over; so
 *   is a row whose pid now belongs to a process started after the lock was
 *   taken (pid reuse, checked through /proc on Linux).
 * - A row from another host cannot be checked and blocks.
 * - Release deletes the row only if this process still holds it.
 */
import {readFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {LockHeldError} from '../errors.js';
import {systemClock, type Clock} from '../types.js';
import type {Db} from './db.js';

export interface LockHolder {
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: number;
}

export interface LockOptions {
  readonly pid?: number;
  readonly host?: string;
  readonly clock?: Clock;
  /** Whether a pid is a live process on this host (default: signal 0). */
  readonly isAlive?: (pid: number) => boolean;
  /** When a live pid's process started (ms since epoch), if known (default: /proc on Linux). */
  readonly startedAt?: (pid: number) => number | undefined;
}

export interface HeldLock extends LockHolder {
  /** What happened to a previous holder, if its row was taken over. */
  readonly tookOver: LockHolder | undefined;
  release(): void;
}

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
}

export function readLock(db: Db, name: string): LockHolder | undefined {
  const row = db.prepare<LockRow>('SELECT name, pid, host, acquired_at FROM locks WHERE name = ?').get([name]);
  return row ? {name: row.name, pid: row.pid, host: row.host, acquiredAt: row.acquired_at} : undefined;
}

/** Whether a recorded holder still holds its lock, seen from this host. */
export function holderIsLive(holder: LockHolder, options: LockOptions = {}): boolean {
  const host = options.host ?? hostname();
  if (holder.host !== host) return true;
  const isAlive = options.isAlive ?? pidAlive;
  if (!isAlive(holder.pid)) return false;
  const started = (options.startedAt ?? processStartedAt)(holder.pid);
  return started === undefined || started <= holder.acquiredAt + START_SLACK_MS;
}

/** Takes the named lock or throws LockHeldError (exit 6) without writing anything. */
export function acquireLock(db: Db, name: string, options: LockOptions = {}): HeldLock {
  const pid = options.pid ?? process.pid;
  const host = options.host ?? hostname();
  const clock = options.clock ?? systemClock;
  const {acquiredAt, tookOver} = db.tx(() => {
    const current = readLock(db, name);
    if (current && (current.pid === pid && current.host === host ? true : holderIsLive(current, {...options, host}))) {
      throw new LockHeldError(name, `pid ${current.pid} on ${current.host} since ${new Date(current.acquiredAt).toISOString()}`);
    }
    const now = clock.now();
    db.prepare('INSERT INTO locks (name, pid, host, acquired_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at').run([
      name,
      pid,
      host,
      now,
    ]);
    return {acquiredAt: now, tookOver: current};
  });
  let released = false;
  return {
    name,
    pid,
    host,
    acquiredAt,
    tookOver,
    release() {
      if (released) return;
      released = true;
      db.prepare('DELETE FROM locks WHERE name = ? AND pid = ? AND host = ? AND acquired_at = ?').run([name, pid, host, acquiredAt]);
    },
  };
}
