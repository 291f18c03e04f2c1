/**
 * `xarb order`, `orders`, `cancel` and `arb execute` end to end on the demo
 * profile (simulated venues in paper mode): the built CLI in a temp XARB_HOME.
 */
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {openDb} from '../../src/core/journal/db.js';
import {add, cmp, mul, sub} from '../../src/core/money/decimal.js';
import {ANSI, json, runCli, tempHome} from '../support/cli.js';

const ENV = {XARB_NO_DEMO_NOTICE: '1'};
const run = (home: string, ...args: string[]) => runCli(args, {home, env: ENV});

function count(home: string, sql: string): number {
  const db = openDb(join(home, 'journal.db'), {readonly: true});
  try {
    return db.prepare<{n: number}>(sql).get()!.n;
  } finally {
    db.close();
  }
}

describe('orders on the demo venues (paper)', () => {
  it('orders shows prices by the market tick, as the order summary does; --offline falls back to the currency digits', async () => {
    const home = tempHome();
    const placed = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simgate', '--yes');
    expect(placed.code, placed.stderr).toBe(0);
    // simgate's BTC/USD tick is 0.1: one decimal in the summary and in `orders`; USD's two without the market.
    const average = /filled 0\.01 BTC at ([\d,]+\.\d) USD/.exec(placed.stdout)?.[1];
    expect(average, placed.stdout).toBeDefined();
    const listed = await run(home, 'orders');
    expect(listed.stdout).toContain(` ${average} `);
    const offline = await run(home, 'orders', '--offline');
    expect(offline.stdout).toContain(` ${average}0 `);
  });

  it('--dry-run prints the plan and writes or sends nothing', async () => {
    const home = tempHome();
    const r = await run(home, 'order', 'buy', 'BTC/USD', '0.05', '--route', 'split', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const plan = json(r);
    expect(plan).toMatchObject({dryRun: true, status: 'planned', orders: []});
    expect(plan.plan.children.length).toBeGreaterThan(0);
    expect(plan.plan.planned).toBe('0.05');
    for (const child of plan.plan.children) expect(child).toMatchObject({mode: 'paper', type: 'market'});
    // Money in the plan is an exact decimal string (docs/orders.md).
    for (const key of ['cost', 'fees', 'total']) expect(plan.plan[key]).toMatch(/^-?\d+(\.\d{1,8})?$/);
    expect(Number(plan.plan.total)).toBeCloseTo(Number(plan.plan.cost) + Number(plan.plan.fees), 6);
    expect(count(home, 'SELECT COUNT(*) AS n FROM orders')).toBe(0);
    expect(count(home, 'SELECT COUNT(*) AS n FROM paper_orders')).toBe(0);
    const human = await run(home, 'order', 'buy', 'BTC/USD', '0.05', '--dry-run');
    expect(human.stdout).toMatch(/plan: buy 0.05 BTC\/USD/);
    expect(human.stdout).not.toMatch(ANSI);
  });

  it('a paper buy fills, moves the paper balance by exactly the fill and fee, and is listed', async () => {
    const home = tempHome();
    const r = await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    expect(report.status).toBe('done');
    const o = report.orders[0];
    expect(o).toMatchObject({venue: 'simbit', status: 'closed', filled: '0.01', mode: 'paper'});
    // simbit starts with 50,000 USD and 0.5 BTC (demo profile).
    const db = openDb(join(home, 'journal.db'), {readonly: true});
    const balances = Object.fromEntries(db.prepare<{asset: string; free: string}>("SELECT asset, free FROM paper_balances WHERE venue = 'simbit'").all().map((b) => [b.asset, b.free]));
    db.close();
    const fee = o.fees.find((f: any) => f.currency === 'USD').cost;
    expect(balances.BTC).toBe('0.51');
    expect(balances.USD).toBe(sub('50000', add(mul(o.filled, o.average), fee)));
    const listed = json(await run(home, 'orders', '--json'));
    expect(listed.orders.map((x: any) => [x.id, x.status, x.planId])).toEqual([[o.id, 'closed', report.planId]]);
  });

  it('the same --client-id twice places the order once', async () => {
    const home = tempHome();
    const first = json(await run(home, 'order', 'sell', 'ETH/USD', '0.1', '--venue', 'simbit', '--client-id', 'rebal-42', '--json'));
    const second = await run(home, 'order', 'sell', 'ETH/USD', '0.1', '--venue', 'simbit', '--client-id', 'rebal-42', '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(json(second)).toMatchObject({replayed: true, planId: first.planId});
    expect(count(home, 'SELECT COUNT(*) AS n FROM paper_orders')).toBe(1);
  });

  it('a resting limit order is open until canceled; cancelling again counts as done', async () => {
    const home = tempHome();
    const placed = json(await run(home, 'order', 'buy', 'BTC/USD', '0.01', '--limit', '1000', '--venue', 'simbit', '--json'));
    expect(placed.orders[0].status).toBe('open');
    const open = json(await run(home, 'orders', '--open', '--json'));
    expect(open.orders).toHaveLength(1);
    const id = String(open.orders[0].id);
    const canceled = await run(home, 'cancel', id, '--json');
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(json(canceled).results[0]).toMatchObject({outcome: 'canceled', status: 'canceled'});
    const again = await run(home, 'cancel', id, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(json(again).results[0].outcome).toBe('already_closed');
    expect(json(await run(home, 'orders', '--open', '--json')).orders).toEqual([]);
    const all = await run(home, 'cancel', '--all', '--json');
    expect(json(all).results).toEqual([]);
  });

  it('bad input exits 2 with one line', async () => {
    // One case per way of failing: a malformed argument (the amount's cases are unit tests of the
    // order command's arguments in test/unit/flags.test.ts), a value outside a flag's options, an
    // unknown venue, a symbol no venue lists, a missing argument. Each runs in a home of its own, all at once.
    const cases = [
      ['order', 'buy', 'BTC-', '1'],
      ['order', 'buy', 'BTC/USD', '1', '--route', 'cheapest'],
      ['order', 'buy', 'BTC/USD', '1', '--venue', 'nope'],
      ['order', 'buy', 'NOPE/USD', '1'],
      ['cancel'],
    ];
    const results = await Promise.all(cases.map((args) => run(tempHome(), ...args)));
    cases.forEach((args, i) => {
      const r = results[i]!;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
    });
  });

  it('more than the books and balances can take is refused before anything is written', async () => {
    const home = tempHome();
    const r = await run(home, 'order', 'buy', 'BTC/USD', '500', '--route', 'split');
    expect(r.code, r.stderr).toBe(2);
    expect(count(home, 'SELECT COUNT(*) AS n FROM orders')).toBe(0);
  });

  it('arb execute checks both legs and reports them (dry run)', async () => {
    const home = tempHome();
    const r = await run(home, 'arb', 'execute', '--symbol', 'BTC/USD', '--buy-venue', 'simgate', '--sell-venue', 'simbit', '--amount', '0.01', '--dry-run', '--json');
    const out = json(r);
    // The dry run exits as the real run would: 0 with an edge after fees, 2 ("the edge is gone") without one.
    expect(r.code, r.stderr).toBe(Number(out.preview.expectedProfit) > 0 ? 0 : 2);
    if (r.code === 2) expect(out.wouldBeDenied).toMatchObject({name: 'EdgeGoneError', exitCode: 2});
    expect(out.dryRun).toBe(true);
    expect(out.preview.buy).toMatchObject({venue: 'simgate', side: 'buy', amount: '0.01'});
    expect(out.preview.sell).toMatchObject({venue: 'simbit', side: 'sell', amount: '0.01'});
    expect(Number(out.preview.expectedProfit)).toBeCloseTo(Number(out.preview.sell.total) - Number(out.preview.buy.total), 6);
    const tooBig = await run(home, 'arb', 'execute', '--symbol', 'BTC/USD', '--buy-venue', 'simgate', '--sell-venue', 'simbit', '--amount', '5');
    expect(tooBig.code).toBe(2);
    expect(count(home, 'SELECT COUNT(*) AS n FROM orders')).toBe(0);
  });

  it('arb execute --best takes the best opportunity when there is one, and both legs fill', async () => {
    const home = tempHome();
    const r = await run(home, 'arb', 'execute', '--best', '--json');
    if (r.code === 2) {
      expect(r.stderr).toMatch(/no cross-venue opportunity|edge is gone|moved/);
      return;
    }
    expect(r.code, r.stderr).toBe(0);
    const report = json(r);
    // The simulated books move on their own: on a loaded machine the second leg can meet a book that
    // moved past its limit, and the leg policy then unwinds the excess. Either way nothing is left open.
    expect(['both_filled', 'one_legged_corrected']).toContain(report.outcome);
    expect(report.residual).toBe('0');
    if (report.outcome === 'both_filled') expect(cmp(report.legs.buy.filled, report.legs.sell.filled)).toBe(0);
    else expect(report.correction).toMatchObject({sent: true});
  });
});
