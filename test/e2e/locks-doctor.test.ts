/**
 * `xarb lock list|release`, lease takeover across hosts, and `xarb doctor`
 * against loopback exchanges (clock skew, keys) on the built CLI.
 */
import {hostname} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openDb, type Db} from '../../src/core/journal/db.js';
import {startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {json, runCli, tempHome} from '../support/cli.js';

const ENV = {XARB_NO_DEMO_NOTICE: '1'};
const run = (home: string, ...args: string[]) => runCli(args, {home, env: ENV});

function journal<T>(home: string, fn: (db: Db) => T): T {
  const db = openDb(join(home, 'journal.db'), {migrate: false});
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const leaveLock = (home: string, row: {name: string; pid: number; host: string; acquiredAt: number; leaseUntil: number}) =>
  journal(home, (db) => db.prepare('INSERT INTO locks (name, pid, host, acquired_at, lease_until) VALUES (?, ?, ?, ?, ?)').run([row.name, row.pid, row.host, row.acquiredAt, row.leaseUntil]));

describe('locks (built CLI)', () => {
  it('a reconcile lock left by another host blocks within its lease and is taken over after it', async () => {
    const home = tempHome();
    expect((await run(home, 'reconcile', 'history')).code).toBe(0); // creates the journal
    const now = Date.now();
    leaveLock(home, {name: 'reconcile', pid: 4242, host: 'container-1f3a', acquiredAt: now - 600_000, leaseUntil: now + 120_000});

    const blocked = await run(home, 'reconcile', '--json');
    expect(blocked.code).toBe(6);
    expect(json(blocked).error.name).toBe('LockHeldError');
    const listed = json(await run(home, 'lock', 'list', '--json'));
    expect(listed.locks).toEqual([{name: 'reconcile', pid: 4242, host: 'container-1f3a', acquiredAt: new Date(now - 600_000).toISOString(), leaseUntil: new Date(now + 120_000).toISOString(), status: 'held'}]);

    // The holder never renewed: its lease runs out.
    journal(home, (db) => db.prepare("UPDATE locks SET lease_until = ? WHERE name = 'reconcile'").run([Date.now() - 1]));
    expect(json(await run(home, 'lock', 'list', '--json')).locks[0].status).toBe('expired');
    const doctor = json(await run(home, 'doctor', '--offline', '--json'));
    expect(doctor.checks.find((c: any) => c.check === 'locks')).toMatchObject({status: 'warn', detail: {locks: [expect.objectContaining({host: 'container-1f3a', status: 'expired'})]}});

    const taken = await run(home, 'reconcile', '--json');
    expect(taken.code, taken.stderr).toBe(0);
    expect(journal(home, (db) => db.prepare('SELECT COUNT(*) AS n FROM locks').get())).toEqual({n: 0});
    expect(json(await run(home, 'lock', 'list', '--json')).locks).toEqual([]);
    const events = journal(home, (db) => db.prepare<{data: string}>("SELECT data FROM events WHERE kind = 'lock.taken_over' AND ref = 'reconcile'").all());
    expect(events.map((e) => JSON.parse(e.data).holder)).toEqual([expect.objectContaining({pid: 4242, host: 'container-1f3a'})]);
  });

  it('lock release frees a lock at once and journals it; a live local holder needs --force; a free lock is a no-op', async () => {
    const home = tempHome();
    expect((await run(home, 'lock', 'list')).stdout).toMatch(/no locks held/);
    const now = Date.now();
    leaveLock(home, {name: 'rebalance', pid: 77, host: 'old-host', acquiredAt: now - 1_000, leaseUntil: now + 3_600_000});

    const released = await run(home, 'lock', 'release', 'rebalance', '--reason', 'host replaced', '--json');
    expect(released.code, released.stderr).toBe(0);
    expect(json(released)).toMatchObject({name: 'rebalance', released: true, holder: {pid: 77, host: 'old-host'}});
    const events = journal(home, (db) => db.prepare<{ref: string; data: string}>("SELECT ref, data FROM events WHERE kind = 'lock.released'").all());
    expect(events).toHaveLength(1);
    expect(events[0]!.ref).toBe('rebalance');
    expect(JSON.parse(events[0]!.data)).toMatchObject({holder: {pid: 77, host: 'old-host'}, reason: 'host replaced'});

    const again = await run(home, 'lock', 'release', 'rebalance', '--json');
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({released: false, holder: null});

    // This test process is alive on this host: its lock is refused without --force.
    leaveLock(home, {name: 'reconcile', pid: process.pid, host: hostname(), acquiredAt: Date.now(), leaseUntil: Date.now() + 3_600_000});
    const refused = await run(home, 'lock', 'release', 'reconcile', '--json');
    expect(refused.code).toBe(6);
    expect(journal(home, (db) => db.prepare('SELECT COUNT(*) AS n FROM locks').get())).toEqual({n: 1});
    const forced = await run(home, 'lock', 'release', 'reconcile', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(forced).released).toBe(true);
    expect((await run(home, 'lock', 'release', '../etc')).code).toBe(2);
  });
});

describe('doctor against loopback exchanges', () => {
  let loop: LoopbackHandle;
  let skewed: LoopbackHandle;
  beforeAll(async () => {
    loop = await startLoopback();
    skewed = await startLoopback({now: () => Date.now() + 8_000});
  });
  afterAll(async () => {
    await loop?.close();
    await skewed?.close();
  });

  const venue = (base: string, mode: 'paper' | 'live', extra: Record<string, unknown> = {}) => ({exchange: 'binance', mode, apiBaseUrl: base, options: {options: {fetchCurrencies: false}}, ...extra});

  it('measures clock skew per venue, reports keys of live venues without showing them, and exits 1 when a check fails', async () => {
    const home = tempHome({venues: {binance: venue(loop.baseUrl('binance'), 'live'), drifted: venue(skewed.baseUrl('binance'), 'paper'), nokeys: venue(loop.baseUrl('binance'), 'live')}});
    const env = {...ENV, XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey, XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret};
    const r = await runCli(['doctor', '--json'], {home, env});
    expect(r.code).toBe(1);
    const report = json(r);
    const by = Object.fromEntries(report.checks.map((c: any) => [c.check, c]));
    expect(by['clock:binance'].status).toBe('ok');
    expect(Math.abs(by['clock:binance'].detail.skewMs)).toBeLessThan(1_000);
    expect(by['clock:drifted'].status).toBe('fail');
    expect(by['clock:drifted'].detail.skewMs).toBeGreaterThan(7_000);
    expect(by['keys:binance']).toMatchObject({status: 'ok'});
    expect(by['keys:nokeys']).toMatchObject({status: 'fail'});
    expect(by['keys:drifted']).toBeUndefined(); // paper venues need no keys
    expect(report.ok).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(TEST_ACCOUNTS.binance.secret);
    expect(r.stdout + r.stderr).not.toContain(TEST_ACCOUNTS.binance.apiKey);

    const human = await runCli(['doctor', '--venues', 'binance'], {home, env});
    expect(human.stdout).toMatch(/^ok\s+binance: clock skew -?\d+ ms/m);
    expect(human.stdout).toMatch(/^fail\s+nokeys is live but has no keys/m);
    expect(human.stdout).not.toMatch(/drifted: clock/);
  });

  it('an invalid config is one failed check, not a crash', async () => {
    const home = tempHome({venues: {x: {exchange: 'binance', mode: 'yolo'}}});
    const r = await runCli(['doctor', '--json'], {home, env: ENV});
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.checks.find((c: any) => c.check === 'config')).toMatchObject({status: 'fail'});
    expect(report.checks.find((c: any) => c.check === 'native')).toMatchObject({status: 'ok'});
  });
});
