/**
 * xarb balances / positions / pnl, built CLI, demo venues in paper mode: the
 * balances move exactly as the journalled fills say.
 */
import {describe, expect, it} from 'vitest';
import {openDb} from '../../src/core/journal/db.js';
import {add, mul, sub, sum} from '../../src/core/money/decimal.js';
import {DEMO_VENUE_NAMES, demoPaperBalances} from '../../src/core/venues/sim/index.js';
import {ANSI, json, runCli, tempHome} from '../support/cli.js';

const env = {XARB_NO_DEMO_NOTICE: '1'};

interface FillRow {
  venue: string;
  side: string;
  price: string;
  amount: string;
  fee_cost: string | null;
  fee_currency: string | null;
}

function fillsOf(home: string, orderId: number): FillRow[] {
  const db = openDb(`${home}/journal.db`);
  try {
    return db.prepare<FillRow>('SELECT venue, side, price, amount, fee_cost, fee_currency FROM fills WHERE order_id = ?').all([orderId]);
  } finally {
    db.close();
  }
}

function assetTotal(out: any, asset: string): string {
  return out.assets.find((a: any) => a.asset === asset)?.total ?? '0';
}

describe('portfolio on the demo venues (paper mode)', () => {
  const home = tempHome();

  it('balances: every demo venue, totals per asset, values with their price source', async () => {
    const r = await runCli(['balances', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.kind).toBe('balances');
    expect(out.venues.map((v: any) => v.venue)).toEqual([...DEMO_VENUE_NAMES]);
    expect(out.venues.every((v: any) => v.status === 'ok' && v.simulated)).toBe(true);
    // Totals per asset are the exact sums of the demo starting balances.
    const expected = new Map<string, string[]>();
    for (const name of DEMO_VENUE_NAMES) for (const [asset, amount] of Object.entries(demoPaperBalances(name))) expected.set(asset, [...(expected.get(asset) ?? []), amount]);
    for (const [asset, amounts] of expected) expect(assetTotal(out, asset)).toBe(sum(amounts));
    // Everything is priced; the total is the sum of the asset values; stablecoins go through a market.
    expect(out.total.partial).toBe(false);
    expect(out.total.value).toBe(sum(out.assets.map((a: any) => a.value)));
    const usdt = out.prices.find((p: any) => p.asset === 'USDT');
    expect(usdt.legs.length).toBeGreaterThan(0);
    expect(usdt.label).toMatch(/^(\w+ USDT\/USD|USDT->)/);
    expect(out.venues.reduce((s: number, v: any) => s + v.targetPct, 0)).toBe(100);
  });

  it('a paper buy and sell move the balances exactly as the fills say, and pnl books them', async () => {
    const before = json(await runCli(['balances', '--json'], {home, env}));
    const buy = await runCli(['order', 'buy', 'BTC/USD', '0.01', '--venue', 'simbit', '--yes', '--json'], {home, env});
    expect(buy.code, buy.stderr).toBe(0);
    const sell = await runCli(['order', 'sell', 'BTC/USD', '0.004', '--venue', 'simkraken', '--yes', '--json'], {home, env});
    expect(sell.code, sell.stderr).toBe(0);
    const buyFills = fillsOf(home, json(buy).orders[0].id);
    const sellFills = fillsOf(home, json(sell).orders[0].id);
    expect(buyFills.length).toBeGreaterThan(0);
    expect(sellFills.length).toBeGreaterThan(0);
    const cost = (fills: FillRow[]) => sum(fills.map((f) => mul(f.amount, f.price)));
    const fees = (fills: FillRow[], currency: string) => sum(fills.filter((f) => f.fee_currency === currency).map((f) => f.fee_cost ?? '0'));

    const after = json(await runCli(['balances', '--json'], {home, env}));
    const row = (out: any, venue: string, asset: string) => out.rows.find((x: any) => x.venue === venue && x.asset === asset)?.total ?? '0';
    expect(row(after, 'simbit', 'BTC')).toBe(add(row(before, 'simbit', 'BTC'), sum(buyFills.map((f) => f.amount))));
    expect(row(after, 'simbit', 'USD')).toBe(sub(row(before, 'simbit', 'USD'), add(cost(buyFills), fees(buyFills, 'USD'))));
    expect(row(after, 'simkraken', 'BTC')).toBe(sub(row(before, 'simkraken', 'BTC'), sum(sellFills.map((f) => f.amount))));
    expect(row(after, 'simkraken', 'USD')).toBe(add(row(before, 'simkraken', 'USD'), sub(cost(sellFills), fees(sellFills, 'USD'))));
    expect(assetTotal(after, 'BTC')).toBe(add(assetTotal(before, 'BTC'), '0.006'));

    const pnl = await runCli(['pnl', '--json'], {home, env});
    expect(pnl.code, pnl.stderr).toBe(0);
    const p = json(pnl);
    const btc = p.assets.find((s: any) => s.asset === 'BTC');
    expect(btc.markets).toEqual(['BTC/USD']);
    expect(btc).toMatchObject({fills: buyFills.length + sellFills.length, bought: '0.01', sold: '0.004', position: '0.006'});
    // Average cost: 0.004 sold against the average buy price.
    const avgBuy = Number(cost(buyFills)) / 0.01;
    expect(Number(btc.realized)).toBeCloseTo(Number(cost(sellFills)) - 0.004 * avgBuy, 6);
    expect(Number(btc.fees)).toBeCloseTo(Number(add(fees(buyFills, 'USD'), fees(sellFills, 'USD'))), 6);
    expect(Number(btc.averageEntry)).toBeCloseTo(avgBuy, 6);
    expect(p.venues.map((v: any) => v.venue)).toEqual(['simbit', 'simkraken']);
    expect(p.venues.find((v: any) => v.venue === 'simbit').realized).toBe('0');

    // Seen alone, the sale is of coins held before the journal: no basis, never a short.
    const onlyKraken = json(await runCli(['pnl', '--venue', 'simkraken', '--symbol', 'btc-usd', '--json'], {home, env}));
    expect(onlyKraken.assets[0]).toMatchObject({position: '0', bought: '0', preJournal: {amount: '0.004', withBasis: false}});
    const basis = await runCli(['pnl', 'basis', 'BTC', '60000', '--json'], {home, env});
    expect(basis.code, basis.stderr).toBe(0);
    const withBasis = json(await runCli(['pnl', '--venue', 'simkraken', '--symbol', 'btc-usd', '--json'], {home, env}));
    expect(withBasis.assets[0]).toMatchObject({position: '0', basis: {price: '60000', quote: 'USD'}, preJournal: {amount: '0.004', withBasis: true}});
    expect(Number(withBasis.assets[0].realized)).toBeCloseTo(Number(cost(sellFills)) - 0.004 * 60000, 6);

    const positions = await runCli(['positions', '--json'], {home, env});
    expect(positions.code, positions.stderr).toBe(0);
    const net = json(positions).net.find((n: any) => n.underlying === 'BTC');
    expect(net).toMatchObject({spot: assetTotal(after, 'BTC'), long: '0', short: '0', net: assetTotal(after, 'BTC')});
    expect(json(positions).spot.some((s: any) => s.asset === 'USD')).toBe(false);
  });

  it('--history charts the journalled totals; --venues runs do not count in the full series', async () => {
    await runCli(['balances', '--venues', 'simbit', '--json'], {home, env});
    const r = await runCli(['balances', '--history', '--since', '1h', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const h = json(r);
    expect(h.kind).toBe('history');
    // balances x3 and positions x1 asked every venue
    expect(h.points).toHaveLength(4);
    expect(h.change).toBe(sub(h.last.value, h.first.value));
    const one = json(await runCli(['balances', '--history', '--venues', 'simbit', '--json'], {home, env}));
    expect(one.points).toHaveLength(5);
    const text = await runCli(['balances', '--history'], {home, env});
    expect(text.stdout).toContain('Portfolio value in USD');
    expect(text.stdout).toMatch(/┤/);
    expect(text.stdout).not.toMatch(ANSI);
  });

  it('human output: tables, no colour when piped, simulated venues named', async () => {
    const r = await runCli(['balances', '--asset', 'btc'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Per venue');
    expect(r.stdout).toContain('(BTC only)');
    expect(r.stdout).toContain('simulated venues');
    expect(r.stdout).not.toMatch(ANSI);
    const pnl = await runCli(['pnl'], {home, env});
    expect(pnl.stdout).toContain('BTC');
  });

  it.each([
    [['balances', '--asset', '$$'], 'UsageError'],
    [['balances', '--venues', 'nosuchvenue'], 'UnknownVenueError'],
    [['balances', '--price', 'last'], 'UsageError'],
    [['pnl', '--venue', 'nosuchvenue'], 'UnknownVenueError'],
  ])('bad input %j exits 2', async (args, name) => {
    const r = await runCli([...args, '--json'], {home, env});
    expect(r.code).toBe(2);
    expect(json(r).error.name).toBe(name);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
