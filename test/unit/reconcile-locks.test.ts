import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {ExitCode, LockHeldError} from '../../src/core/errors.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {EventsRepo} from '../../src/core/journal/events.js';
import {acquireLock, DEFAULT_LEASE_MS, listLocks, lockStatus, pidAlive, processStartedAt, readLock, releaseLock} from '../../src/core/journal/locks.js';

let db: Db | undefined;
afterEach(() => db?.close());

const clock = (t: number) => ({now: () => t});

describe('acquireLock', () => {
  it('takes a free lock and releases it', () => {
    db = openDb(':memory:');
    const lock = acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(5), isAlive: () => true});
    expect(readLock(db, 'reconcile')).toEqual({name: 'reconcile', pid: 100, host: 'h', acquiredAt: 5, leaseUntil: 5 + DEFAULT_LEASE_MS});
    expect(lock.tookOver).toBeUndefined();
    lock.release();
    expect(readLock(db, 'reconcile')).toBeUndefined();
  });

  it('fails with LockHeldError (exit 6) while a live process on this host holds it, and writes nothing', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(5), isAlive: () => true});
    let caught: unknown;
    try {
      acquireLock(db, 'reconcile', {pid: 200, host: 'h', clock: clock(9), isAlive: (pid) => pid === 100, startedAt: () => 1});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LockHeldError);
    expect((caught as LockHeldError).exitCode).toBe(ExitCode.locked);
    expect(readLock(db, 'reconcile')).toMatchObject({pid: 100, acquiredAt: 5});
  });

  it('takes over a lock whose process is dead', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(5)});
    const lock = acquireLock(db, 'reconcile', {pid: 200, host: 'h', clock: clock(9), isAlive: () => false});
    expect(lock.tookOver).toMatchObject({pid: 100});
    expect(readLock(db, 'reconcile')).toMatchObject({pid: 200, acquiredAt: 9});
  });

  it('takes over when the pid now belongs to a process started after the lock (pid reuse)', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(1_000)});
    const lock = acquireLock(db, 'reconcile', {pid: 200, host: 'h', clock: clock(90_000), isAlive: () => true, startedAt: () => 60_000});
    expect(lock.tookOver).toMatchObject({pid: 100});
  });

  it('a lock from another host blocks within its lease (its pid cannot be checked) and is taken over once the lease ran out', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: 100, host: 'other', clock: clock(5), renew: false});
    expect(() => acquireLock(db!, 'reconcile', {pid: 200, host: 'h', clock: clock(5 + DEFAULT_LEASE_MS - 1), isAlive: () => false})).toThrow(LockHeldError);
    const lock = acquireLock(db, 'reconcile', {pid: 200, host: 'h', clock: clock(5 + DEFAULT_LEASE_MS), isAlive: () => false});
    expect(lock.tookOver).toMatchObject({pid: 100, host: 'other'});
    expect(readLock(db, 'reconcile')).toMatchObject({pid: 200, host: 'h', leaseUntil: 5 + 2 * DEFAULT_LEASE_MS});
    expect(new EventsRepo(db, clock(0)).list({kind: 'lock.taken_over'})).toEqual([
      expect.objectContaining({ref: 'reconcile', data: expect.objectContaining({holder: expect.objectContaining({pid: 100, host: 'other'}), by: {pid: 200, host: 'h'}})}),
    ]);
  });

  it('release only removes the row this holder wrote', () => {
    db = openDb(':memory:');
    const first = acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(5)});
    acquireLock(db, 'reconcile', {pid: 200, host: 'h', clock: clock(9), isAlive: () => false});
    first.release();
    expect(readLock(db, 'reconcile')).toMatchObject({pid: 200});
  });

  it('different names do not block each other', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: 100, host: 'h', isAlive: () => true});
    expect(() => acquireLock(db!, 'rebalance', {pid: 100, host: 'h', isAlive: () => true})).not.toThrow();
  });
});

describe('pidAlive / processStartedAt (real processes)', () => {
  it('sees a child alive, then dead after SIGKILL', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
    await once(child, 'spawn');
    const pid = child.pid!;
    expect(pidAlive(pid)).toBe(true);
    if (process.platform === 'linux') {
      const started = processStartedAt(pid);
      expect(started).toBeDefined();
      expect(Math.abs(started! - Date.now())).toBeLessThan(60_000);
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(pidAlive(pid)).toBe(false);
  });
});

describe('lock leases (journal file on disk)', () => {
  const fileDb = () => openDb(join(mkdtempSync(join(tmpdir(), 'xarb-locks-')), 'journal.db'));

  it('renew() extends the lease by a full lease from now; a holder that lost its row cannot renew', () => {
    db = fileDb();
    let t = 1_000;
    const tick = {now: () => t};
    const lock = acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: tick, leaseMs: 10_000, renew: false});
    expect(readLock(db, 'reconcile')?.leaseUntil).toBe(11_000);
    t = 9_000;
    expect(lock.renew()).toBe(true);
    expect(readLock(db, 'reconcile')?.leaseUntil).toBe(19_000);
    // Renewed in time, the row still blocks another host at 15 s (its first lease would have run out).
    t = 15_000;
    expect(() => acquireLock(db!, 'reconcile', {pid: 7, host: 'other', clock: tick})).toThrow(LockHeldError);
    // Not renewed: taken over by another host after the lease.
    t = 19_000;
    const other = acquireLock(db, 'reconcile', {pid: 7, host: 'other', clock: tick, renew: false});
    expect(other.tookOver).toMatchObject({pid: 100, host: 'h'});
    expect(lock.renew()).toBe(false);
    lock.release();
    expect(readLock(db, 'reconcile')).toMatchObject({pid: 7, host: 'other'});
  });

  it('a live local holder whose lease ran out is taken over (it stopped renewing)', () => {
    db = fileDb();
    acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(0), leaseMs: 1_000, renew: false});
    const isAlive = () => true;
    expect(() => acquireLock(db!, 'reconcile', {pid: 200, host: 'h', clock: clock(999), isAlive, startedAt: () => undefined})).toThrow(LockHeldError);
    expect(acquireLock(db, 'reconcile', {pid: 200, host: 'h', clock: clock(1_000), isAlive, startedAt: () => undefined}).tookOver).toMatchObject({pid: 100});
  });

  it('the holder renews on a timer while it works, and reports the lock lost when it is released under it', async () => {
    db = fileDb();
    let lostCalls = 0;
    const lock = acquireLock(db, 'reconcile', {leaseMs: 80, onLost: () => lostCalls++});
    const first = readLock(db, 'reconcile')!.leaseUntil;
    await vi.waitFor(() => expect(readLock(db!, 'reconcile')!.leaseUntil).toBeGreaterThan(first), {timeout: 2_000, interval: 10});
    expect(releaseLock(db, 'reconcile', {reason: 'test'})).toMatchObject({name: 'reconcile', pid: process.pid});
    await vi.waitFor(() => expect(lock.lost).toBe(true), {timeout: 2_000, interval: 10});
    expect(lostCalls).toBe(1);
    lock.release();
  });

  it('lockStatus tells held, expired and stale rows apart; listLocks lists them all', () => {
    db = fileDb();
    acquireLock(db, 'a', {pid: 1, host: 'other', clock: clock(0), leaseMs: 100, renew: false});
    acquireLock(db, 'b', {pid: 2, host: 'h', clock: clock(0), leaseMs: 100, renew: false});
    acquireLock(db, 'c', {pid: 3, host: 'h', clock: clock(0), leaseMs: 100, renew: false});
    const opts = {host: 'h', clock: clock(50), isAlive: (pid: number) => pid === 3, startedAt: () => undefined};
    const status = Object.fromEntries(listLocks(db).map((l) => [l.name, lockStatus(l, opts)]));
    expect(status).toEqual({a: 'held', b: 'stale', c: 'held'});
    expect(lockStatus(readLock(db, 'a')!, {...opts, clock: clock(100)})).toBe('expired');
  });

  it('releaseLock removes the row whoever holds it and journals lock.released; a free lock is a no-op', () => {
    db = fileDb();
    acquireLock(db, 'rebalance', {pid: 100, host: 'other', clock: clock(5), renew: false});
    const holder = releaseLock(db, 'rebalance', {reason: 'host gone', by: {pid: 1, host: 'h'}});
    expect(holder).toMatchObject({pid: 100, host: 'other'});
    expect(readLock(db, 'rebalance')).toBeUndefined();
    const events = new EventsRepo(db, clock(0)).list({kind: 'lock.released'});
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ref: 'rebalance', data: {holder: {pid: 100, host: 'other'}, by: {pid: 1, host: 'h'}, reason: 'host gone'}});
    expect(releaseLock(db, 'rebalance')).toBeUndefined();
    expect(new EventsRepo(db, clock(0)).list({kind: 'lock.released'})).toHaveLength(1);
  });
});
