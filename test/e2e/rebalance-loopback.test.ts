/**
 * xarb rebalance against loopback servers speaking the binance and okx
 * dialects to the real ccxt classes, in live mode: withdrawals go through
 * the venues' APIs to the destination's own deposit address, arrive as
 * deposits on the destination, and are followed until they do.
 *
 * Portfolio (USDT only, valued in USDT): binance 70,000, bin2 (binance
 * dialect) 40,000, okx 10,000; targets 40/30/30 of 120,000 -> binance sends
 * 22,000 and bin2 4,000 to okx, over TRC20 (fee 1 USDT, taken out of the
 * amount on binance).
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, TEST_ACCOUNTS, startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import type {LoopbackScenario} from '../support/loopback/types.js';

const WITHDRAW = 'POST /sapi/v1/capital/withdraw/apply';

function scenario(): LoopbackScenario {
  const base = defaultScenario();
  const binance = base.venues.binance!;
  const okx = base.venues.okx!;
  const account = (a: any, balances: Record<string, string>, deposit?: Record<string, unknown>) => ({...a, balances, ...(deposit ? {depositAddresses: deposit} : {})});
  return {
    venues: {
      binance: {...binance, accounts: [account(binance.accounts![0], {USDT: '70000'})]},
      bin2: {
        ...binance,
        dialect: 'binance',
        accounts: [
          account(binance.accounts![0], {USDT: '40000'}, {
            USDT: [
              {address: '0xb2a0000000000000000000000000000000000004', network: 'ERC20'},
              {address: 'TLoopbackBin2Trc20Address000000004', network: 'TRC20'},
            ],
          }),
        ],
      },
      okx: {...okx, accounts: [account(okx.accounts![0], {USDT: '10000'})]},
    },
  };
}

const keys = {
  XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_BIN2_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BIN2_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_OKX_API_KEY: TEST_ACCOUNTS.okx.apiKey,
  XARB_OKX_SECRET: TEST_ACCOUNTS.okx.secret,
  XARB_OKX_PASSWORD: TEST_ACCOUNTS.okx.passphrase,
};

function config(loop: LoopbackHandle, withdraw: boolean) {
  const venue = (name: string, exchange: string, allocation: number) => ({
    exchange,
    mode: 'live',
    apiBaseUrl: loop.baseUrl(name),
    // The loopback servers need no spacing between requests (ccxt's rate limiter would only wait).
    options: {rateLimit: 1},
    allocation,
    ...(withdraw ? {withdraw: {enabled: true}} : {}),
  });
  return {valuationQuote: 'USDT', venues: {binance: venue('binance', 'binance', 40), bin2: venue('bin2', 'binance', 30), okx: venue('okx', 'okx', 30)}};
}

const usdt = (loop: LoopbackHandle, venue: string, apiKey: string) => loop.state(venue).balance(loop.state(venue).account(apiKey), 'USDT').free;
const withdrawals = (loop: LoopbackHandle, venue: string) => loop.requests(venue).filter((r) => `${r.method} ${r.path}` === WITHDRAW);

describe('xarb rebalance on loopback venues (live, real dialects)', () => {
  let loop: LoopbackHandle;
  beforeEach(async () => {
    loop = await startLoopback({scenario: scenario()});
  });
  afterEach(async () => loop?.close());

  it('plans the transfers with networks, fees and minimums, and sends nothing without --execute', async () => {
    const home = tempHome(config(loop, true));
    const r = await runCli(['rebalance', '--json'], {home, env: keys});
    expect(r.code, r.stderr).toBe(0);
    const plan = json(r).plan;
    expect(plan.steps.map((s: any) => [s.kind, s.from, s.to, s.asset, s.amount, s.network, s.withdrawFee, s.withdrawMin, s.withdrawEnabled, s.depositEnabled])).toEqual([
      ['transfer', 'binance', 'okx', 'USDT', '22000', 'TRC20', '1', '10', true, true],
      ['transfer', 'bin2', 'okx', 'USDT', '4000', 'TRC20', '1', '10', true, true],
    ]);
    expect(plan.totalCost).toBe('2');
    expect(withdrawals(loop, 'binance')).toHaveLength(0);
    expect(withdrawals(loop, 'bin2')).toHaveLength(0);
  });

  it('--dry-run on live venues: each withdrawal would be sent to the address the destination gives, nothing is sent; exit 3 where config forbids it', async () => {
    const home = tempHome(config(loop, true));
    const r = await runCli(['rebalance', '--dry-run', '--json'], {home, env: keys});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.dryRun.steps.map((s: any) => [s.id, s.verdict])).toEqual(out.plan.steps.map((s: any) => [s.id, 'would_send']));
    expect(withdrawals(loop, 'binance')).toHaveLength(0);
    expect(withdrawals(loop, 'bin2')).toHaveLength(0);
    const forbidden = await runCli(['rebalance', '--dry-run', '--json'], {home: tempHome(config(loop, false)), env: keys});
    expect(forbidden.code, forbidden.stderr).toBe(3);
    expect(json(forbidden).dryRun.wouldBeDenied).toMatchObject({name: 'RiskDeniedError', exitCode: 3});
    expect(withdrawals(loop, 'binance')).toHaveLength(0);
  });

  it('refuses to withdraw unless the venue allows it in config: exit 3, nothing sent', async () => {
    const home = tempHome(config(loop, false));
    const r = await runCli(['rebalance', '--execute', '--yes', '--json'], {home, env: keys});
    expect(r.code, r.stderr).toBe(3);
    expect(json(r).error.name).toBe('RiskDeniedError');
    expect(withdrawals(loop, 'binance')).toHaveLength(0);
    expect(withdrawals(loop, 'bin2')).toHaveLength(0);
    // and without a terminal, live execution needs --yes
    const noYes = await runCli(['rebalance', '--execute', '--json'], {home: tempHome(config(loop, true)), env: keys});
    expect(noYes.code).toBe(2);
    expect(withdrawals(loop, 'binance')).toHaveLength(0);
  });

  it('a withdrawal that fails halfway is reported (exit 4) and the plan resumes from there: balances end as planned', async () => {
    const home = tempHome(config(loop, true));
    loop.fault('bin2', WITHDRAW, {kind: 'serverError', status: 503});
    const first = await runCli(['rebalance', '--execute', '--yes', '--json'], {home, env: keys});
    expect(first.code, first.stderr).toBe(4);
    const out = json(first);
    expect(out.execution.status).toBe('failed');
    expect(out.execution.steps.map((s: any) => s.state)).toEqual(['done', 'unknown']);
    expect(out.execution.error.message).toMatch(/bin2/);
    const [sent, lost] = out.execution.transfers;
    expect(sent).toMatchObject({from: 'binance', to: 'okx', state: 'arrived', amount: '22000', received: '21999'});
    expect(lost).toMatchObject({from: 'bin2', to: 'okx', state: 'unknown'});
    expect(withdrawals(loop, 'binance')).toHaveLength(1);
    expect(withdrawals(loop, 'bin2')).toHaveLength(1);
    // the destination is the address okx itself gives for TRC20
    expect(withdrawals(loop, 'binance')[0]!.params.address).toBe('TLoopbackOkxTrc20Address00000000003');

    // Status shows the unknown transfer; nothing is re-sent while the venue might still list it.
    const status = json(await runCli(['rebalance', 'status', '--json'], {home, env: keys}));
    expect(status.plan.status).toBe('failed');
    expect(status.inFlight.map((t: any) => [t.from, t.state])).toEqual([['bin2', 'unknown']]);
    const early = await runCli(['rebalance', '--execute', '--yes', '--json'], {home, env: keys});
    expect(early.code).toBe(4);
    expect(withdrawals(loop, 'bin2')).toHaveLength(1);

    // Once the venue's history shows it never happened (grace over), resuming sends it again, once.
    const resumed = await runCli(['rebalance', '--execute', '--yes', '--unknown-grace', '0s', '--json'], {home, env: keys});
    expect(resumed.code, resumed.stderr).toBe(0);
    const again = json(resumed);
    expect(again.action).toBe('resumed');
    expect(again.execution.status).toBe('done');
    expect(withdrawals(loop, 'binance')).toHaveLength(1);
    expect(withdrawals(loop, 'bin2')).toHaveLength(2);
    expect(usdt(loop, 'binance', TEST_ACCOUNTS.binance.apiKey)).toBe('48000');
    expect(usdt(loop, 'bin2', TEST_ACCOUNTS.binance.apiKey)).toBe('36000');
    expect(usdt(loop, 'okx', TEST_ACCOUNTS.okx.apiKey)).toBe('35998');
    const done = json(await runCli(['rebalance', 'status', '--json'], {home, env: keys}));
    expect(done.inFlight).toEqual([]);
    expect(json(await runCli(['rebalance', '--json'], {home, env: keys})).plan.balanced).toBe(true);
  });

  it('a withdrawal whose answer was lost is found in the venue history and never sent twice', async () => {
    // bin2's requests time out after 3 s, so the lost answer does not hold the test for the default 10 s.
    const base = config(loop, true);
    const home = tempHome({...base, venues: {...base.venues, bin2: {...base.venues.bin2, timeoutMs: 3000}}});
    loop.fault('bin2', WITHDRAW, {kind: 'timeout', apply: true});
    const first = await runCli(['rebalance', '--execute', '--yes', '--json'], {home, env: keys});
    expect(first.code, first.stderr).toBe(4);
    expect(json(first).execution.steps.map((s: any) => s.state)).toEqual(['done', 'unknown']);
    const resumed = await runCli(['rebalance', '--execute', '--yes', '--unknown-grace', '0s', '--json'], {home, env: keys});
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(json(resumed).execution.status).toBe('done');
    expect(withdrawals(loop, 'bin2')).toHaveLength(1);
    expect(usdt(loop, 'bin2', TEST_ACCOUNTS.binance.apiKey)).toBe('36000');
    expect(usdt(loop, 'okx', TEST_ACCOUNTS.okx.apiKey)).toBe('35998');
  });
});
