/**
 * Reconcile after xarb's own paper transfers (demo venues): a rebalance that
 * moves paper balances between venues is not a discrepancy.
 */
import {describe, expect, it} from 'vitest';
import {json, runCli, tempHome} from '../support/cli.js';

const ENV = {XARB_NO_DEMO_NOTICE: '1'};
const run = (home: string, ...args: string[]) => runCli(args, {home, env: ENV});

describe('reconcile after a paper rebalance (demo venues)', () => {
  it('exits 0 after `rebalance --execute` moved paper balances, and still checks those balances', async () => {
    const home = tempHome();
    expect((await run(home, 'reconcile')).code).toBe(0); // baseline
    const rebalance = await run(home, 'rebalance', '--target', 'simbit=40,simex=20,simkraken=20,simgate=20', '--execute', '--yes', '--json');
    expect(rebalance.code, rebalance.stderr).toBe(0);
    const transfers = json(rebalance).execution.transfers;
    expect(transfers.length).toBeGreaterThan(0);
    const r = await run(home, 'reconcile', '--json');
    expect(r.code, r.stdout).toBe(0);
    const report = json(r);
    expect(report.totals.discrepancies).toBe(0);
    const moved = new Set(transfers.flatMap((t: any) => [t.from, t.to]));
    for (const v of report.venues.filter((x: any) => moved.has(x.venue))) expect(v.balancesChecked, v.venue).toBeGreaterThan(0);
  }, 180_000);
});
