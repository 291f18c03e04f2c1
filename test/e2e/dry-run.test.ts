/**
 * A dry run predicts the real run: it runs the same checks (trading state,
 * every risk limit, placeability, the arb edge after fees), sends and
 * writes nothing, says "would be denied", and exits with the real run's
 * code. And a failure on this machine before sending (a keys file loosened
 * to 0644 after setup) leaves a definite `rejected` order, not `unknown`,
 * with reconcile still running.
 */
import {chmodSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openDb} from '../../src/core/journal/db.js';
import {json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';

const ENV = {XARB_NO_DEMO_NOTICE: '1'};
const run = (home: string, ...args: string[]) => runCli(args, {home, env: ENV});

function rows<T>(home: string, sql: string): T[] {
  const db = openDb(join(home, 'journal.db'), {readonly: true});
  try {
    return db.prepare<T>(sql).all();
  } finally {
    db.close();
  }
}
const count = (home: string, table: string) => rows<{n: number}>(home, `SELECT COUNT(*) AS n FROM ${table}`)[0]!.n;

describe('dry runs exit as the real run would (demo venues)', () => {
  it('under `risk halt`: exit 3 for the dry run and the real run; the dry run writes and sends nothing', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'halt', '--reason', 'test')).code).toBe(0);
    const dry = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stderr).toMatch(/^would be denied: /m);
    expect(json(dry)).toMatchObject({dryRun: true, orders: [], wouldBeDenied: {name: 'RiskDeniedError', exitCode: 3}});
    expect(count(home, 'orders')).toBe(0);
    expect(count(home, 'paper_orders')).toBe(0);
    expect(rows<{kind: string}>(home, "SELECT kind FROM events WHERE kind = 'risk.denied'")).toEqual([]);
    const real = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--json');
    expect(real.code).toBe(3);
    expect(json(real).error.name).toBe('RiskDeniedError');
  });

  it('over maxOrderNotional: exit 3 for both, naming the limit; under it the dry run exits 0', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'set', 'global.maxOrderNotional=100')).code).toBe(0);
    const dry = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--dry-run');
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stdout).toMatch(/plan: buy 0.01 BTC\/USD/);
    expect(dry.stderr).toMatch(/would be denied: .*maxOrderNotional/);
    expect(count(home, 'orders')).toBe(0);
    const real = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit');
    expect(real.code).toBe(3);
    expect(real.stderr).toMatch(/maxOrderNotional/);
    const small = await run(home, 'order', 'buy', 'BTC/USD', '0.0001', '--venue', 'simbit', '--dry-run', '--json');
    expect(small.code, small.stderr).toBe(0);
    expect(json(small).wouldBeDenied).toBeUndefined();
  });

  it('--route split that cannot be placed: exit 2 for both', async () => {
    const home = tempHome();
    const dry = await run(home, 'order', 'buy', 'BTC/USD', '500', '--route', 'split', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(2);
    expect(json(dry).wouldBeDenied).toMatchObject({name: 'NothingToPlaceError', exitCode: 2});
    expect(json(dry).plan.unplanned).not.toBe('0');
    const real = await run(home, 'order', 'buy', 'BTC/USD', '500', '--route', 'split', '--json');
    expect(real.code).toBe(2);
    expect(json(real).error.name).toBe('NothingToPlaceError');
    expect(count(home, 'orders')).toBe(0);
  });

  it('arb execute with a negative edge after fees: the dry run exits like the real run', async () => {
    const home = tempHome();
    // Buying and selling on venues the wrong way round loses the spread and both fees.
    const pairs = [
      ['simbit', 'simkraken'],
      ['simkraken', 'simbit'],
    ] as const;
    let checked = 0;
    for (const [buy, sell] of pairs) {
      const args = ['arb', 'execute', '--symbol', 'BTC/USD', '--buy-venue', buy, '--sell-venue', sell, '--amount', '0.01'];
      const dry = await run(home, ...args, '--dry-run', '--json');
      if (dry.code !== 0 && dry.code !== 2) throw new Error(`unexpected exit ${dry.code}: ${dry.stderr}`);
      const preview = json(dry).preview;
      if (!preview || Number(preview.expectedProfit) > 0) continue;
      checked++;
      expect(dry.code, dry.stderr).toBe(2);
      expect(dry.stderr).toMatch(/would be denied: the edge is gone/);
      const real = await run(home, ...args, '--json');
      expect(real.code).toBe(2);
      expect(json(real).error).toMatchObject({name: 'EdgeGoneError', exitCode: 2});
      expect(json(dry).wouldBeDenied).toMatchObject({name: 'EdgeGoneError', exitCode: 2});
    }
    expect(checked).toBeGreaterThan(0);
    expect(count(home, 'orders')).toBe(0);
  });
});

describe('rebalance --dry-run exits as --execute would (demo venues)', () => {
  // simbit holds mostly USD, which has no network: the plan converts, moves and converts back.
  const TARGETS = ['--target', 'simbit=10,simex=40,simkraken=40,simgate=10'];
  const paper = (home: string) => rows<{venue: string; asset: string; free: string}>(home, 'SELECT venue, asset, free FROM paper_balances ORDER BY venue, asset');
  const untouched = (home: string) => {
    for (const table of ['rebalance_plans', 'rebalance_steps', 'transfers', 'orders', 'paper_orders', 'risk_open_orders']) expect(count(home, table), table).toBe(0);
    expect(rows(home, "SELECT name FROM locks WHERE name = 'rebalance'")).toEqual([]);
  };

  it('every check passes: exit 0, each step would run, nothing written or moved; --execute then exits 0', async () => {
    const home = tempHome();
    expect((await run(home, 'balances')).code).toBe(0); // seeds the paper balances
    const before = paper(home);
    const dry = await run(home, 'rebalance', ...TARGETS, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const out = json(dry);
    expect(out.action).toBe('dry_run');
    expect(out.dryRun.wouldBeDenied).toBeUndefined();
    expect(out.dryRun.steps.map((s: any) => [s.id, s.verdict])).toEqual(out.plan.steps.map((s: any) => [s.id, 'would_run']));
    expect(out.plan.steps.map((s: any) => s.kind)).toContain('trade');
    untouched(home);
    expect(paper(home)).toEqual(before);
    const real = await run(home, 'rebalance', ...TARGETS, '--execute', '--json');
    expect(real.code, real.stderr).toBe(0);
  });

  it('under `risk halt`: exit 3 for the dry run and for --execute, the first step named', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'halt', '--reason', 'test')).code).toBe(0);
    const dry = await run(home, 'rebalance', ...TARGETS, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stderr).toMatch(/^would be denied: step s1 /m);
    const out = json(dry);
    expect(out.dryRun.wouldBeDenied).toMatchObject({name: 'RiskDeniedError', exitCode: 3});
    expect(out.dryRun.steps.map((s: any) => s.verdict)).toEqual(['denied', ...out.plan.steps.slice(1).map(() => 'not_reached')]);
    untouched(home);
    const real = await run(home, 'rebalance', ...TARGETS, '--execute', '--json');
    expect(real.code).toBe(3);
  });

  it('a conversion over maxOrderNotional: exit 3 for both, naming the limit; the steps before it would run', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'set', 'global.maxOrderNotional=1000')).code).toBe(0);
    const dry = await run(home, 'rebalance', ...TARGETS, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stderr).toMatch(/would be denied: step s\d+ \((buy|sell) .*maxOrderNotional/);
    const out = json(dry);
    const verdicts = out.dryRun.steps.map((s: any) => s.verdict);
    const denied = verdicts.indexOf('denied');
    expect(out.dryRun.steps[denied].kind).toBe('trade');
    expect(verdicts.slice(0, denied).every((v: string) => v === 'would_run')).toBe(true);
    expect(verdicts.slice(denied + 1).every((v: string) => v === 'not_reached')).toBe(true);
    untouched(home);
    const real = await run(home, 'rebalance', ...TARGETS, '--execute', '--json');
    expect(real.code).toBe(3);
    expect(json(real).execution.error.message).toMatch(/maxOrderNotional/);
  });

  it('another run holds the rebalance lock: exit 6 for both, and the lock row is left as it was', async () => {
    const home = tempHome();
    expect((await run(home, 'balances')).code).toBe(0); // creates the journal
    const lease = Date.now() + 120_000;
    const db = openDb(join(home, 'journal.db'));
    db.prepare('INSERT INTO locks (name, pid, host, acquired_at, lease_until) VALUES (?, ?, ?, ?, ?)').run(['rebalance', 4242, 'container-1f3a', Date.now() - 1000, lease]);
    db.close();
    const dry = await run(home, 'rebalance', ...TARGETS, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(6);
    expect(json(dry).error.name).toBe('LockHeldError');
    expect(rows(home, "SELECT pid, host, lease_until FROM locks WHERE name = 'rebalance'")).toEqual([{pid: 4242, host: 'container-1f3a', lease_until: lease}]);
    expect((await run(home, 'rebalance', ...TARGETS, '--execute')).code).toBe(6);
  });

  it('with an unfinished plan, the dry run checks the plan --execute would resume', async () => {
    const home = tempHome();
    expect((await run(home, 'risk', 'set', 'global.maxOrderNotional=1000')).code).toBe(0);
    expect((await run(home, 'rebalance', ...TARGETS, '--execute')).code).toBe(3);
    const planId = rows<{id: string}>(home, 'SELECT id FROM rebalance_plans')[0]!.id;
    const dry = await run(home, 'rebalance', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(3);
    const out = json(dry);
    expect(out.dryRun.resumes).toBe(planId);
    expect(out.dryRun.steps.some((s: any) => s.verdict === 'done')).toBe(true);
    expect((await run(home, 'rebalance', '--execute')).code).toBe(3);
  });
});

describe('a keys file loosened to 0644 after setup (loopback binance, live)', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    const s = structuredClone(defaultScenario()) as any;
    delete s.venues.okx;
    delete s.venues.kraken;
    loop = await startLoopback({scenario: s as LoopbackScenario});
  });
  afterAll(async () => loop?.close());

  it('the order is rejected (nothing reached the venue, no risk usage held) and reconcile runs', async () => {
    const home = tempHome();
    const keys = join(home, 'keys.json');
    writeFileSync(keys, JSON.stringify(TEST_ACCOUNTS.binance), {mode: 0o600});
    writeFileSync(join(home, 'config.json'), JSON.stringify({valuationQuote: 'USDT', venues: {binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}, keysFile: keys}}}));
    const setup = await run(home, 'reconcile', '--json');
    expect(setup.code, setup.stdout + setup.stderr).toBe(0);

    chmodSync(keys, 0o644);
    loop.clearRequests();
    const order = await run(home, 'order', 'buy', 'BTC/USDT', '0.01', '--limit', '59000', '--venue', 'binance', '--yes', '--json');
    expect(order.code).toBe(4);
    const report = json(order);
    expect(report.orders.map((o: any) => o.status)).toEqual(['rejected']);
    expect(report.orders[0].error).toMatch(/readable by others/);
    expect(loop.requests('binance').filter((r) => r.method === 'POST')).toEqual([]);
    expect(rows<{status: string}>(home, 'SELECT status FROM orders')).toEqual([{status: 'rejected'}]);
    expect(rows<{n: number}>(home, 'SELECT COALESCE(SUM(orders), 0) AS n FROM risk_open_orders')[0]!.n).toBe(0);

    // Reconcile runs: the venue it cannot read is reported failed (exit 4), with the reason.
    const rec = await run(home, 'reconcile', '--json');
    expect(rec.code, rec.stdout + rec.stderr).toBe(4);
    const venue = json(rec).venues[0];
    expect(venue).toMatchObject({venue: 'binance', status: 'failed'});
    expect(venue.error.message).toMatch(/readable by others/);
    expect(rec.stdout + rec.stderr).not.toContain(TEST_ACCOUNTS.binance.secret);

    chmodSync(keys, 0o600);
    const fixed = await run(home, 'reconcile', '--json');
    expect(fixed.code, fixed.stdout).toBe(0);
  });
});
