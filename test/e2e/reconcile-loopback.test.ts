/**
 * `xarb reconcile` end to end: the built CLI in a temp XARB_HOME against
 * loopback servers speaking binance and kraken to the real ccxt classes.
 * Orders "placed by hand" are seeded on the loopback accounts.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Db} from '../../src/core/journal/db.js';
import {homeJournalEnv, onPostgres, openHomeJournal} from '../support/postgres.js';
import {ANSI, CLI, json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';

const ENV = {
  XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_KRAKEN_API_KEY: TEST_ACCOUNTS.kraken.apiKey,
  XARB_KRAKEN_SECRET: TEST_ACCOUNTS.kraken.secret,
};

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  s.venues.binance.accounts[0].orders = [
    {symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.1', price: '59000', clientOrderId: 'manual-open'},
    {symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.05', price: '60100', clientOrderId: 'manual-closed', status: 'closed'},
  ];
  s.venues.kraken.accounts[0].orders = [{symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.01', price: '59000', status: 'closed'}];
  delete s.venues.okx;
  return s as LoopbackScenario;
}

function homeFor(loop: LoopbackHandle, extra: Record<string, unknown> = {}): string {
  return tempHome({
    venues: {
      // The loopback servers enforce no rate limit; ccxt's own spacing (kraken: ~1 s, 3-6 s for private calls) would only add waiting.
      binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}},
      kraken: {exchange: 'kraken', mode: 'live', apiBaseUrl: loop.baseUrl('kraken'), options: {rateLimit: 1}},
      ...extra,
    },
  });
}

function journal<T>(home: string, read: (db: Db) => T): T {
  const db = openHomeJournal(home);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const count = (home: string, table: string) => journal(home, (db) => (db.prepare<{n: number}>(`SELECT COUNT(*) AS n FROM ${table}`).get()!).n);

function start(args: readonly string[], home: string): {child: ChildProcess; done: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string}>} {
  const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, ...ENV, XARB_HOME: home, ...homeJournalEnv(home)}, stdio: ['ignore', 'pipe', 'pipe']});
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.resume();
  const done = once(child, 'exit').then(([code, signal]) => ({code: code as number | null, signal: signal as NodeJS.Signals | null, stdout}));
  return {child, done};
}

/** Polls the journal until `ready` holds (the CLI writes it); no fixed sleeps. */
async function until(home: string, ready: () => boolean, what: string, child?: ChildProcess): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    try {
      if (ready()) return;
    } catch {
      // journal not created yet
    }
    if (child && child.exitCode !== null) throw new Error(`process exited before ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what} in ${home}`);
}

describe('xarb reconcile against loopback venues', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
  });
  afterAll(async () => loop?.close());

  it('reports orders and fills placed outside xarb (exit 5) without touching the journal; --fix imports them; then in line', async () => {
    const home = homeFor(loop);
    const first = await runCli(['reconcile', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(first.code, first.stderr).toBe(5);
    expect(first.stdout.trim().split('\n')).toHaveLength(1); // one JSON document per run, one line
    const report = json(first);
    expect(report.exitCode).toBe(5);
    const kinds = (venue: string) => report.venues.find((v: any) => v.venue === venue).discrepancies.map((d: any) => d.kind).sort();
    expect(kinds('binance')).toEqual(['fill_missing_in_journal', 'unknown_on_journal', 'unknown_on_journal']);
    expect(kinds('kraken')).toEqual(['fill_missing_in_journal', 'unknown_on_journal']);
    const open = report.venues[0].discrepancies.find((d: any) => d.kind === 'unknown_on_journal' && d.venue.includes('open'));
    expect(open).toMatchObject({journal: null, fixed: false, repairable: true});
    expect(count(home, 'orders')).toBe(0);
    expect(count(home, 'fills')).toBe(0);

    const fixed = await runCli(['reconcile', '--fix', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(json(fixed)).toMatchObject({status: 'repaired', totals: {discrepancies: 5, repaired: 5, open: 0}});
    const orders = journal(home, (db) => db.prepare<{origin: string; status: string}>('SELECT origin, status FROM orders ORDER BY id').all());
    expect(orders.map((o) => o.origin)).toEqual(['external', 'external', 'external']);
    expect(count(home, 'fills')).toBe(2);
    const events = journal(home, (db) => db.prepare<{kind: string}>("SELECT kind FROM events WHERE kind LIKE 'reconcile.%'").all().map((e) => e.kind).sort());
    expect(events).toEqual(['reconcile.fill_imported', 'reconcile.fill_imported', 'reconcile.order_imported', 'reconcile.order_imported', 'reconcile.order_imported']);

    const again = await runCli(['reconcile'], {home, env: ENV, timeoutMs: 240_000});
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/in line/);
    expect(again.stdout).not.toMatch(ANSI);
    expect(again.stderr).not.toMatch(ANSI);

    const history = json(await runCli(['reconcile', 'history', '--json'], {home, env: ENV, timeoutMs: 240_000}));
    expect(history.runs.map((r: any) => [r.status, r.exitCode])).toEqual([
      ['in_line', 0],
      ['repaired', 0],
      ['discrepancies', 5],
    ]);
    expect(history.open).toEqual([]);
    const show = await runCli(['reconcile', 'show', String(history.runs[2].run), '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(json(show).discrepancyList).toHaveLength(5);
    expect((await runCli(['reconcile', 'show', '999'], {home, env: ENV, timeoutMs: 240_000})).code).toBe(2);
    // Nothing was ever sent to a venue.
    const sends = [...loop.requests('binance'), ...loop.requests('kraken')].filter(
      (r) => (r.path === '/api/v3/order' && r.method !== 'GET') || /^\/0\/private\/(AddOrder|CancelOrder|EditOrder)/.test(r.path),
    );
    expect(sends).toEqual([]);
  }, 300_000);

  it('a venue that cannot be reached exits 4 and the others are still reconciled', async () => {
    const home = homeFor(loop, {dead: {exchange: 'okx', mode: 'live', apiBaseUrl: 'http://127.0.0.1:9', timeoutMs: 1500}});
    const env = {...ENV, XARB_DEAD_API_KEY: 'k', XARB_DEAD_SECRET: 's', XARB_DEAD_PASSWORD: 'p'};
    await runCli(['reconcile', '--fix', '--venues', 'binance,kraken'], {home, env, timeoutMs: 240_000});
    const r = await runCli(['reconcile', '--json'], {home, env, timeoutMs: 240_000});
    expect(r.code, r.stderr).toBe(4);
    const out = json(r);
    expect(Object.fromEntries(out.venues.map((v: any) => [v.venue, v.status]))).toEqual({binance: 'in_line', kraken: 'in_line', dead: 'failed'});
    expect(out.venues.find((v: any) => v.venue === 'dead').error.name).toMatch(/Venue/);
  }, 180_000);

  it('two reconciles started together: one runs, the other exits 6 at once and changes nothing', async () => {
    const home = homeFor(loop);
    expect((await runCli(['reconcile', 'history'], {home, env: ENV, timeoutMs: 240_000})).code).toBe(0); // creates the journal
    loop.fault('binance', /./, {kind: 'latency', ms: 1500, times: Number.POSITIVE_INFINITY});
    try {
      const a = start(['reconcile', '--fix', '--json'], home);
      const b = start(['reconcile', '--fix', '--json'], home);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      const codes = [ra.code, rb.code].sort();
      expect(codes).toEqual([0, 6]);
      const loser = ra.code === 6 ? ra : rb;
      expect(JSON.parse(loser.stdout)).toMatchObject({error: {name: 'LockHeldError', exitCode: 6}});
      expect(count(home, 'reconcile_runs')).toBe(1);
      expect(count(home, 'locks')).toBe(0);
    } finally {
      loop.clearFaults('binance');
    }
  }, 180_000);

  it('a reconcile SIGKILLed mid-run leaves a consistent journal and the next run completes it', async () => {
    const home = homeFor(loop);
    expect((await runCli(['reconcile', 'history'], {home, env: ENV, timeoutMs: 240_000})).code).toBe(0);
    loop.fault('kraken', /./, {kind: 'latency', ms: 3000, times: Number.POSITIVE_INFINITY});
    let killedRun: number;
    try {
      const victim = start(['reconcile', '--fix', '--json'], home);
      // Kill once binance has been repaired and recorded, while kraken is still being read.
      await until(home, () => count(home, 'reconcile_venue_results') === 1, 'binance to be reconciled', victim.child);
      victim.child.kill('SIGKILL');
      const ended = await victim.done;
      expect(ended.signal).toBe('SIGKILL');
      killedRun = journal(home, (db) => db.prepare<{id: number; status: string}>('SELECT id, status FROM reconcile_runs').get()!).id;
      expect(journal(home, (db) => db.prepare<{status: string}>('SELECT status FROM reconcile_runs').get()!.status)).toBe('running');
      if (!onPostgres) expect(journal(home, (db) => db.prepare<{integrity_check: string}>('PRAGMA integrity_check').get()!.integrity_check)).toBe('ok');
      // binance's repairs are committed as a whole; kraken's not at all.
      const origins = journal(home, (db) => db.prepare<{venue: string; n: number}>('SELECT venue, COUNT(*) AS n FROM orders GROUP BY venue').all());
      expect(origins).toEqual([{venue: 'binance', n: 2}]);
      expect(count(home, 'locks')).toBe(1); // left by the dead process; taken over below
    } finally {
      loop.clearFaults('kraken');
    }
    const next = await runCli(['reconcile', '--fix', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(next.code, next.stderr).toBe(0);
    const out = json(next);
    expect(out.interruptedRuns).toEqual([killedRun]);
    expect(out.venues.find((v: any) => v.venue === 'binance').status).toBe('in_line');
    expect(out.venues.find((v: any) => v.venue === 'kraken').status).toBe('repaired');
    const last = await runCli(['reconcile', '--json'], {home, env: ENV, timeoutMs: 240_000});
    expect(last.code, last.stderr).toBe(0);
    expect(count(home, 'locks')).toBe(0);
  }, 240_000);
});
