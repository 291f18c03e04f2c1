import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {afterEach, describe, expect, it} from 'vitest';
import {ExitCode, LockHeldError} from '../../src/core/errors.js';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {acquireLock, pidAlive, processStartedAt, readLock} from '../../src/core/journal/locks.js';

let db: Db | undefined;
afterEach(() => db?.close());

const clock = (t: number) => ({now: () => t});

describe('acquireLock', () => {
  it('takes a free lock and releases it', () => {
    db = openDb(':memory:');
    const lock = acquireLock(db, 'reconcile', {pid: 100, host: 'h', clock: clock(5), isAlive: () => true});
    expect(readLock(db, 'reconcile')).toEqual({name: 'reconcile', pid: 100, host: 'h', acquiredAt: 5});
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

  it('a lock from another host blocks (its pid cannot be checked)', () => {
    db = openDb(':memory:');
    acquireLock(db, 'reconcile', {pid: 100, host: 'other', clock: clock(5)});
    expect(() => acquireLock(db!, 'reconcile', {pid: 200, host: 'h', isAlive: () => false})).toThrow(LockHeldError);
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
