/**
 * One book of record on PostgreSQL shared by several hosts, end to end: each
 * "host" is the built CLI with its own XARB_HOME (own config, own key
 * environment) and the same XARB_JOURNAL_URL, against a loopback binance
 * (real ccxt class, live mode). Orders are resting limit buys at 50,000
 * (bids start at 59,999.5), so each notional is exact: amount x 50,000 USDT.
 * What reached the venue is read from the loopback's request log.
 */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openPgDb} from '../../src/core/journal/pg/db.js';
import {CLI, json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';
import {dropSchema, skipWithoutPostgres, testJournalUrl} from '../support/postgres.js';
import {startTcpProxy} from '../support/tcp-proxy.js';

const KEYS = {XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey, XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret};

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  delete s.venues.okx;
  delete s.venues.kraken;
  return s as LoopbackScenario;
}

const skip = await skipWithoutPostgres();

describe.skipIf(skip)('a PostgreSQL journal shared by several hosts', () => {
  let loop: LoopbackHandle;
  const urls: string[] = [];
  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
  });
  afterAll(async () => {
    await loop?.close();
    for (const url of urls) dropSchema(url);
  });

  const journalUrl = (label: string) => {
    const url = testJournalUrl(label);
    urls.push(url);
    return url;
  };
  const creates = () => loop.requests('binance').filter((r) => r.method === 'POST' && r.path === '/api/v3/order');
  const host = (url: string, risk: unknown = {}) => ({home: tempHome({valuationQuote: 'USDT', venues: {binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}}}, risk}), env: {...KEYS, XARB_JOURNAL_URL: url}});
  const restingBuy = (h: {home: string; env: NodeJS.ProcessEnv}, amount: string, ...extra: string[]) =>
    runCli(['order', 'buy', 'BTC/USDT', amount, '--limit', '50000', ...extra, '--yes', '--json'], {...h, timeoutMs: 120_000});
  /** A resting buy run as a child process (so a test can act on its database session while it waits on the venue). */
  const spawnBuy = (h: {home: string; env: NodeJS.ProcessEnv}, amount: string, clientId: string) => {
    const child = spawn(process.execPath, [CLI, 'order', 'buy', 'BTC/USDT', amount, '--limit', '50000', '--client-id', clientId, '--yes', '--json'], {
      env: {...process.env, ...h.env, XARB_HOME: h.home},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.resume();
    return {child, exited: once(child, 'exit'), stderr: () => stderr};
  };
  const rows = <T>(url: string, sql: string, params: unknown[] = []): T[] => {
    const db = openPgDb(url);
    try {
      return db.prepare<T>(sql).all(params as any);
    } finally {
      db.close();
    }
  };

  it('four hosts racing one daily-volume limit: at most the limit is sent, the rest denied (exit 3)', async () => {
    const url = journalUrl('volume');
    const hosts = [0, 1, 2, 3].map(() => host(url, {global: {maxDailyVolume: '1000'}}));
    const before = creates().length;
    // Eight orders of 500 USDT against 1,000 for the day: exactly two may go out, whichever host sends them.
    const results = await Promise.all(hosts.flatMap((h) => [restingBuy(h, '0.01'), restingBuy(h, '0.01')]));
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 0, 3, 3, 3, 3, 3, 3]);
    expect(creates().length - before).toBe(2);
    expect(rows<{n: number}>(url, 'SELECT COUNT(*) AS n FROM orders')[0]!.n).toBe(2);
    expect(rows<{n: number}>(url, "SELECT COUNT(*) AS n FROM events WHERE kind = 'risk.denied'")[0]!.n).toBe(6);
    expect(rows<{volume: string}>(url, 'SELECT volume FROM risk_daily_volume')).toEqual([{volume: '1000'}]);
  });

  it('the same intent (one --client-id) from four hosts at once reaches the venue once', async () => {
    const url = journalUrl('intent');
    const hosts = [0, 1, 2, 3].map(() => host(url));
    const before = creates().length;
    const results = await Promise.all(hosts.map((h) => restingBuy(h, '0.002', '--client-id', 'desk-intent-1')));
    // 0: sent, or replayed once settled; 4: replayed while the first host's order was still in flight
    // (its state not known yet, reported as unknown; nothing sent), as a retry during a crash is.
    for (const r of results) expect([0, 2, 4], r.stderr).toContain(r.code);
    expect(results.filter((r) => r.code === 0 && json(r).replayed === false)).toHaveLength(1);
    const sent = creates().slice(before);
    expect(sent).toHaveLength(1);
    const journalled = rows<{client_order_id: string; status: string}>(url, 'SELECT client_order_id, status FROM orders');
    expect(journalled).toHaveLength(1);
    // Every host that answered 0 reports that one order.
    for (const r of results.filter((x) => x.code === 0)) expect(json(r).orders.map((o: any) => o.clientOrderId)).toEqual([journalled[0]!.client_order_id]);
  });

  it('the kill switch set on one host stops every host', async () => {
    const url = journalUrl('halt');
    const [a, b] = [host(url), host(url)];
    expect((await runCli(['risk', 'halt', '--reason', 'desk-wide stop'], a)).code).toBe(0);
    const before = creates().length;
    const denied = await restingBuy(b!, '0.001');
    expect(denied.code, denied.stderr).toBe(3);
    expect(denied.stderr).toContain('tradingState');
    expect(creates().length).toBe(before);
    expect(json(await runCli(['risk', 'show', '--json'], b!)).state).toMatchObject({state: 'halted', reason: 'desk-wide stop'});
  });

  it('a reconcile SIGKILLed on one host does not block the next on another (advisory lock, no lease wait)', async () => {
    const url = journalUrl('lock');
    const [a, b] = [host(url), host(url)];
    expect((await runCli(['reconcile', 'history'], a)).code).toBe(0);
    loop.fault('binance', /./, {kind: 'latency', ms: 2000, times: Number.POSITIVE_INFINITY});
    try {
      const victim = spawn(process.execPath, [CLI, 'reconcile', '--json'], {env: {...process.env, ...a.env, XARB_HOME: a.home}, stdio: 'ignore'});
      // Wait until the victim holds the lock (its row is written after the advisory lock is taken).
      for (let i = 0; i < 1500 && rows(url, "SELECT name FROM locks WHERE name = 'reconcile'").length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(rows(url, "SELECT name FROM locks WHERE name = 'reconcile'")).toHaveLength(1);
      const held = await runCli(['reconcile', '--json'], {...b, timeoutMs: 120_000});
      expect(held.code, held.stderr).toBe(6);
      victim.kill('SIGKILL');
      await once(victim, 'exit');
    } finally {
      loop.clearFaults('binance');
    }
    // The row is still there with a lease far from over; the server dropped the dead session's lock.
    // (Exit 5 is allowed: the loopback account also carries the other tests' orders, unknown to this journal.)
    const next = await runCli(['reconcile', '--json'], {...b, timeoutMs: 120_000});
    expect([0, 5], next.stderr).toContain(next.code);
    expect(json(next).run).toBeGreaterThan(0);
    expect(rows<{kind: string}>(url, "SELECT kind FROM events WHERE kind = 'lock.taken_over'")).toHaveLength(1);
  });

  it('the PostgreSQL connection dropped while the venue holds the answer: the order is sent once and ends journalled by its client id', async () => {
    const url = journalUrl('drop');
    const h = host(url);
    expect((await runCli(['reconcile', 'history'], h)).code).toBe(0);
    loop.fault('binance', 'POST /api/v3/order', {kind: 'latency', ms: 1500});
    const before = creates().length;
    const {child, exited, stderr} = spawnBuy(h, '0.003', 'drop-1');
    // Once the write-ahead is committed (the order is pending_submit), end that process's database session.
    for (let i = 0; i < 1500 && rows(url, 'SELECT id FROM orders').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const killed = rows<{ok: boolean}>(url, 'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ?', [`xarb/${child.pid}`]);
    expect(killed).toEqual([{ok: true}]);
    const [code] = await exited;
    // The session is gone but the server is up: the answer is recorded on a new connection.
    expect(code, stderr()).toBe(0);
    expect(creates().length - before).toBe(1);
    expect(rows<{status: string}>(url, "SELECT status FROM orders WHERE origin = 'xarb'")).toEqual([{status: 'open'}]);
  });

  it('PostgreSQL unreachable while the venue holds the answer: the order stays in flight, is resolved by its client id and never sent again', async () => {
    const url = journalUrl('cut');
    const proxy = await startTcpProxy({host: '127.0.0.1', port: Number(new URL(url).port || 5432)});
    try {
      const viaProxy = new URL(url);
      viaProxy.port = String(proxy.port);
      const h = host(viaProxy.toString());
      expect((await runCli(['reconcile', 'history'], h)).code).toBe(0);
      loop.fault('binance', 'POST /api/v3/order', {kind: 'latency', ms: 1500});
      const before = creates().length;
      const {exited, stderr} = spawnBuy(h, '0.004', 'cut-1');
      // Cut the database off once the order has reached the venue (which holds its answer for 1.5 s).
      for (let i = 0; i < 1500 && creates().length === before; i++) await new Promise((r) => setTimeout(r, 10));
      proxy.cut();
      const [code] = await exited;
      expect(code, stderr()).toBe(1);
      expect(stderr()).toMatch(/PostgreSQL journal/);
      expect(creates().length - before).toBe(1);
      // The order went out but its answer could not be written: it is still in flight in the journal.
      expect(rows<{status: string}>(url, "SELECT status FROM orders WHERE origin = 'xarb'").map((r) => r.status)).toEqual([expect.stringMatching(/^(pending_submit|unknown)$/)]);
      proxy.restore();
      // The same intent again is answered from the venue by its client id, never sent again.
      const retry = await restingBuy(h, '0.004', '--client-id', 'cut-1');
      expect([0, 4], retry.stderr).toContain(retry.code);
      const fixed = await runCli(['reconcile', '--fix', '--grace', '0', '--json'], {...h, timeoutMs: 120_000});
      expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
      expect(creates().length - before).toBe(1);
      const orders = rows<{status: string; venue_order_id: string | null}>(url, "SELECT status, venue_order_id FROM orders WHERE origin = 'xarb'");
      expect(orders).toHaveLength(1);
      expect(orders[0]!.status).toBe('open');
      expect(orders[0]!.venue_order_id).not.toBeNull();
    } finally {
      proxy.restore();
      await proxy.close();
    }
  });

  it('journal copy moves a journal.db onto PostgreSQL; the copy answers as the file did; a second copy is refused', async () => {
    const h = host('unused');
    const fileHost = {home: h.home, env: KEYS};
    expect((await restingBuy(fileHost, '0.001')).code).toBe(0);
    expect((await runCli(['risk', 'halt', '--reason', 'moving'], fileHost)).code).toBe(0);
    const fromFile = json(await runCli(['orders', '--offline', '--json'], fileHost));
    const url = journalUrl('copy');
    const copied = await runCli(['journal', 'copy', '--to', url, '--json'], fileHost);
    expect(copied.code, copied.stderr).toBe(0);
    expect(json(copied).rows).toBeGreaterThan(0);
    const onPg = {home: h.home, env: {...KEYS, XARB_JOURNAL_URL: url}};
    expect(json(await runCli(['orders', '--offline', '--json'], onPg))).toEqual(fromFile);
    expect(json(await runCli(['risk', 'show', '--json'], onPg)).state).toMatchObject({state: 'halted', reason: 'moving'});
    // ids continue after the copied ones
    expect((await runCli(['risk', 'resume'], onPg)).code).toBe(0);
    expect((await restingBuy(onPg, '0.001')).code).toBe(0);
    expect(rows<{id: number}>(url, 'SELECT id FROM orders ORDER BY id').map((r) => r.id)).toEqual([1, 2]);
    const again = await runCli(['journal', 'copy', '--to', url], fileHost);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');
  });

  it('bad journal locations are refused with one line: a password in config, a non-postgres XARB_JOURNAL_URL, an unreachable server', async () => {
    const h = host('unused');
    const withPassword = await runCli(['config', 'set', 'journal.url', 'postgres://u:secret@127.0.0.1:5432/test'], {home: h.home, env: KEYS});
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('must not carry a password');
    expect(withPassword.stderr).not.toContain('secret@');
    const wrongScheme = await runCli(['orders', '--offline'], {home: h.home, env: {...KEYS, XARB_JOURNAL_URL: 'mysql://127.0.0.1/x'}});
    expect(wrongScheme.code).toBe(2);
    expect(wrongScheme.stderr).toContain('XARB_JOURNAL_URL must be a postgres:// URL');
    const down = await runCli(['orders', '--offline'], {home: h.home, env: {...KEYS, XARB_JOURNAL_URL: 'postgres://u:hunter2@127.0.0.1:1/x'}});
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot open the PostgreSQL journal/);
    expect(down.stderr).not.toContain('hunter2');
    expect(down.stderr.trim().split('\n').filter((l) => l.startsWith('error')).length).toBe(1);
    // `journal init` starts a file; with the journal on PostgreSQL it refuses instead of making one beside it.
    const init = await runCli(['journal', 'init'], {home: h.home, env: {...KEYS, XARB_JOURNAL_URL: testJournalUrl('init')}});
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('the journal is on PostgreSQL');
    expect(existsSync(join(h.home, 'journal.db'))).toBe(false);
  });
});
