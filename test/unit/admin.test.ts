/**
 * core/admin: what `xarb lock list|release` and `xarb events` do, on a real
 * in-memory journal.
 */
import {hostname} from 'node:os';
import {afterEach, describe, expect, it} from 'vitest';
import {lockList, lockRelease, listEvents} from '../../src/core/admin/index.js';
import {ExitCode, LockHeldError} from '../../src/core/errors.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {acquireLock, DEFAULT_LEASE_MS, readLock} from '../../src/core/journal/locks.js';

let db: Db | undefined;
afterEach(() => db?.close());

const clock = (t: number) => ({now: () => t});
// A live holder is this process, which started before its lock was taken (an older acquiredAt would read as a reused pid).
const T0 = Date.now();

describe('lockRelease', () => {
  it('refuses a lock this live process holds within its lease (exit 6) and keeps it', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: process.pid, host: hostname(), clock: clock(T0)});
    let caught: unknown;
    try {
      lockRelease({db, clock: clock(T0 + 1_000)}, 'reconcile');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LockHeldError);
    expect((caught as LockHeldError).exitCode).toBe(ExitCode.locked);
    expect(readLock(db, 'reconcile')).toMatchObject({pid: process.pid});
  });

  it('releases it with force, names the holder in ISO times and journals the release', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: process.pid, host: hostname(), clock: clock(T0)});
    const result = lockRelease({db, clock: clock(T0 + 1_000)}, 'reconcile', {force: true, reason: 'host replaced'});
    expect(result).toEqual({
      name: 'reconcile',
      released: true,
      holder: {pid: process.pid, host: hostname(), acquiredAt: new Date(T0).toISOString(), leaseUntil: new Date(T0 + DEFAULT_LEASE_MS).toISOString()},
    });
    expect(readLock(db, 'reconcile')).toBeUndefined();
    expect(listEvents({db, clock: clock(T0 + 2_000)}, {kind: 'lock.', limit: 10}).map((e) => e.kind)).toContain('lock.released');
  });

  it('succeeds and changes nothing when the lock is not held', () => {
    db = openDb(':memory:');
    expect(lockRelease({db, clock: clock(1)}, 'rebalance')).toEqual({name: 'rebalance', released: false, holder: null});
  });
});

describe('lockList', () => {
  it('says whether each lock is held or its lease ran out, seen from now', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: process.pid, host: hostname(), clock: clock(T0)});
    expect(lockList({db, clock: clock(T0 + 1_000)})).toEqual([
      expect.objectContaining({name: 'reconcile', pid: process.pid, status: 'held', acquiredAt: new Date(T0).toISOString()}),
    ]);
    expect(lockList({db, clock: clock(T0 + DEFAULT_LEASE_MS + 1)})[0]!.status).toBe('expired');
  });
});

describe('listEvents', () => {
  it('filters by kind prefix, venue and time, newest first', () => {
    db = openDb(':memory:');
    new EventsRepo(db, clock(10)).append({kind: 'order.sent', venue: 'simbit', data: {}});
    new EventsRepo(db, clock(20)).append({kind: 'risk.denied', venue: 'simex', data: {}});
    new EventsRepo(db, clock(30)).append({kind: 'order.answered', venue: 'simbit', data: {}});
    const deps = {db, clock: clock(40)};
    expect(listEvents(deps, {kind: 'order.', limit: 10}).map((e) => e.kind)).toEqual(['order.answered', 'order.sent']);
    expect(listEvents(deps, {venue: 'simex', limit: 10}).map((e) => e.kind)).toEqual(['risk.denied']);
    expect(listEvents(deps, {since: 15, limit: 10}).map((e) => e.ts)).toEqual([30, 20]);
    expect(listEvents(deps, {limit: 1})).toHaveLength(1);
  });
});
