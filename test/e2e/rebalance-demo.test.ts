/**
 * xarb rebalance on the demo profile (simulated venues in paper mode), run as
 * a user would: built CLI, temp XARB_HOME. Paper transfers move the paper
 * balances at once, minus the withdrawal fee; conversions go through the
 * order path and show up as journalled orders.
 */
import {describe, expect, it} from 'vitest';
import {add, cmp, sub} from '../../src/core/money/decimal.js';
import {ANSI, json, runCli, tempHome} from '../support/cli.js';

const env = {XARB_NO_DEMO_NOTICE: '1'};

async function paperBalances(home: string): Promise<Map<string, string>> {
  const out = json(await runCli(['balances', '--json'], {home, env}));
  return new Map(out.rows.map((r: any) => [`${r.venue}:${r.asset}`, r.free as string]));
}

describe('xarb rebalance on the demo venues (paper)', () => {
  it('plans without sending: the demo allocations are within the default 5 pp threshold', async () => {
    const home = tempHome();
    const r = await runCli(['rebalance', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.action).toBe('planned');
    expect(out.plan.balanced).toBe(true);
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.before.venues.map((v: any) => [v.venue, v.target])).toEqual([
      ['simbit', 30],
      ['simex', 30],
      ['simkraken', 25],
      ['simgate', 15],
    ]);
    const text = await runCli(['rebalance'], {home, env});
    expect(text.stdout).toMatch(/nothing to move/);
    expect(text.stdout).not.toMatch(ANSI);
  });

  it('executes a plan of transfers: each moves the paper balances by its amount, minus the fee on arrival', async () => {
    const home = tempHome();
    const planned = json(await runCli(['rebalance', '--threshold', '1', '--json'], {home, env}));
    expect(planned.plan.steps.length).toBeGreaterThan(0);
    expect(planned.plan.steps.every((s: any) => s.kind === 'transfer')).toBe(true);
    const before = await paperBalances(home);

    const r = await runCli(['rebalance', '--threshold', '1', '--execute', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.action).toBe('executed');
    expect(out.execution.status).toBe('done');
    expect(out.execution.steps.every((s: any) => s.state === 'done')).toBe(true);
    const transfers = out.execution.transfers;
    expect(transfers).toHaveLength(out.plan.steps.length);

    const after = await paperBalances(home);
    const expected = new Map(before);
    for (const t of transfers) {
      expect(t.mode).toBe('paper');
      expect(t.state).toBe('arrived');
      expect(t.received).toBe(sub(t.amount, t.fee));
      expected.set(`${t.from}:${t.asset}`, sub(expected.get(`${t.from}:${t.asset}`) ?? '0', t.amount));
      expected.set(`${t.to}:${t.asset}`, add(expected.get(`${t.to}:${t.asset}`) ?? '0', t.received));
    }
    for (const [key, value] of expected) expect(cmp(after.get(key) ?? '0', value), `${key}: ${after.get(key)} vs ${value}`).toBe(0);

    // Back on target: the same targets now need nothing, and nothing is left in flight.
    const again = json(await runCli(['rebalance', '--threshold', '1', '--json'], {home, env}));
    expect(again.plan.balanced).toBe(true);
    const status = json(await runCli(['rebalance', 'status', '--json'], {home, env}));
    expect(status.inFlight).toEqual([]);
    expect(status.plan).toBeUndefined();
  });

  it('converts through the order path when moving the asset a venue holds is not possible or dearer', async () => {
    const home = tempHome();
    // simbit holds mostly USD, which has no network: it must convert to move value out.
    const r = await runCli(['rebalance', '--target', 'simbit=10,simex=40,simkraken=40,simgate=10', '--execute', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    const trades = out.plan.steps.filter((s: any) => s.kind === 'trade');
    expect(trades.map((t: any) => t.purpose).sort()).toEqual(['bridge_in', 'bridge_out']);
    expect(out.execution.status).toBe('done');
    const orders = json(await runCli(['orders', '--json'], {home, env}));
    const list = Array.isArray(orders) ? orders : (orders.orders ?? []);
    for (const t of trades) {
      expect(list.some((o: any) => o.venue === t.venue && o.symbol === t.symbol && o.side === t.side && o.status === 'closed'), JSON.stringify(list).slice(0, 500)).toBe(true);
    }
    const again = json(await runCli(['rebalance', '--target', 'simbit=10,simex=40,simkraken=40,simgate=10', '--json'], {home, env}));
    expect(again.plan.balanced).toBe(true);
  });

  it('asset targets are met with trades through the order path, leaving venue values in place', async () => {
    const home = tempHome();
    const args = ['rebalance', '--asset-targets', 'BTC=40,ETH=30,USD=30'];
    const r = await runCli([...args, '--execute', '--json'], {home, env});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.plan.steps.length).toBeGreaterThan(0);
    expect(out.plan.steps.every((s: any) => s.kind === 'trade' && s.purpose === 'asset_target')).toBe(true);
    expect(out.execution.status).toBe('done');
    const again = json(await runCli([...args, '--json'], {home, env}));
    expect(again.plan.balanced).toBe(true);
    for (const a of again.plan.before.assets.filter((x: any) => x.target !== undefined)) expect(Math.abs(a.deviation)).toBeLessThan(1);
  });

  it.each([
    [['rebalance', '--target', 'simbit=40,simex=30'], 'UsageError'],
    [['rebalance', '--target', 'simbit=50,nosuch=50'], 'UnknownVenueError'],
    [['rebalance', '--target', 'simbit'], 'UsageError'],
    [['rebalance', '--asset-targets', 'BTC=60,USD=60'], 'UsageError'],
    [['rebalance', '--abandon'], 'UsageError'],
  ])('bad input %j exits 2', async (args, name) => {
    const r = await runCli([...args, '--json'], {home: tempHome(), env});
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(json(r).error.name).toBe(name);
  });
});
