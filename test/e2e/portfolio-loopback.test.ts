/**
 * xarb balances / positions / pnl, built CLI, against loopback servers that
 * speak binance and kraken to the real ccxt classes (live mode, test keys):
 * real dialects (kraken's XBT comes out as BTC), a venue failing after a good
 * run (its snapshot stands in, totals partial), and every venue failing (exit 4).
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {add, sub, sum} from '../../src/core/money/decimal.js';
import {json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';

const ENV = {
  XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
  XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
  XARB_KRAKEN_API_KEY: TEST_ACCOUNTS.kraken.apiKey,
  XARB_KRAKEN_SECRET: TEST_ACCOUNTS.kraken.secret,
};

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  delete s.venues.okx;
  return s as LoopbackScenario;
}

describe('portfolio on loopback venues in real dialects (live)', () => {
  let loop: LoopbackHandle;
  let home: string;
  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
    home = tempHome({
      venues: {
        binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}, allocation: 60, timeoutMs: 3000},
        kraken: {exchange: 'kraken', mode: 'live', apiBaseUrl: loop.baseUrl('kraken'), options: {rateLimit: 1}, allocation: 40, timeoutMs: 3000},
      },
      risk: {reserves: {USD: '60000'}},
    });
  });
  afterAll(async () => loop?.close());
  beforeEach(() => loop.clearFaults());

  it('reads both accounts, values them in USD through real markets and names the sources', async () => {
    const r = await runCli(['balances', '--json'], {home, env: ENV});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    const accounts = scenario().venues;
    const binance = accounts.binance!.accounts![0]!.balances;
    const kraken = accounts.kraken!.accounts![0]!.balances;
    const total = (asset: string) => out.assets.find((a: any) => a.asset === asset)?.total;
    expect(total('BTC')).toBe(add(binance.BTC!, kraken.BTC!)); // kraken's XXBT is BTC
    expect(total('USDT')).toBe(add(binance.USDT!, kraken.USDT!));
    expect(out.venues.map((v: any) => [v.venue, v.status, v.targetPct])).toEqual([['binance', 'ok', 60], ['kraken', 'ok', 40]]);
    // BTC/USD only exists on kraken; USDT reaches USD through a bridge, never 1:1.
    const btc = out.assets.find((a: any) => a.asset === 'BTC');
    expect(btc.priceSource).toBe('kraken BTC/USD (mid)');
    const usdt = out.prices.find((p: any) => p.asset === 'USDT');
    expect(usdt.legs.length).toBe(2);
    expect(usdt.label).toMatch(/^USDT->BTC->USD via /);
    expect(usdt.price).toMatch(/^\d+(\.\d{1,8})?$/);
    expect(Number(usdt.price)).not.toBe(1);
    expect(out.total.partial).toBe(false);
    expect(out.total.value).toBe(sum(out.assets.map((a: any) => a.value)));
    // Reserve 60000 USD: kraken holds 50000 free.
    expect(out.assets.find((a: any) => a.asset === 'USD')).toMatchObject({belowReserve: true, venuesBelowReserve: ['kraken']});
  });

  it('in USDT, the binance books price BTC directly', async () => {
    const out = json(await runCli(['balances', '--quote', 'USDT', '--json'], {home, env: ENV}));
    expect(out.quote).toBe('USDT');
    expect(out.assets.find((a: any) => a.asset === 'BTC').priceSource).toMatch(/^(binance|kraken) BTC\/USDT \(mid\)$/);
    expect(out.assets.find((a: any) => a.asset === 'USDT').value).toBe(out.assets.find((a: any) => a.asset === 'USDT').total);
  });

  it('a venue that fails shows its last snapshot and its age; totals are partial; exit 0', async () => {
    const good = json(await runCli(['balances', '--json'], {home, env: ENV}));
    loop.fault('binance', 'GET /api/v3/account', {kind: 'serverError', status: 503, times: Number.POSITIVE_INFINITY});
    const r = await runCli(['balances', '--json'], {home, env: ENV});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    const binance = out.venues.find((v: any) => v.venue === 'binance');
    expect(binance).toMatchObject({status: 'failed', stale: true});
    expect(binance.ageMs).toBeGreaterThan(0);
    expect(binance.asOf).toBe(good.venues.find((v: any) => v.venue === 'binance').asOf);
    const rows = (o: any) => o.rows.filter((x: any) => x.venue === 'binance').map((x: any) => [x.asset, x.total]);
    expect(rows(out)).toEqual(rows(good));
    expect(out.rows.filter((x: any) => x.venue === 'binance').every((x: any) => x.stale)).toBe(true);
    expect(out.total.partial).toBe(true);
    expect(out.total.reasons.join(' ')).toMatch(/binance failed/);
    const text = await runCli(['balances'], {home, env: ENV});
    expect(text.stdout).toMatch(/PARTIAL/);
    expect(text.stdout).toMatch(/snapshot \d+\w* old/);
  });

  it('when no venue answers: exit 4, and the JSON still shows the last snapshots', async () => {
    loop.fault('binance', 'GET /api/v3/account', {kind: 'serverError', status: 503, times: Number.POSITIVE_INFINITY});
    loop.fault('kraken', 'POST /0/private/BalanceEx', {kind: 'serverError', status: 503, times: Number.POSITIVE_INFINITY});
    const r = await runCli(['balances', '--json'], {home, env: ENV});
    expect(r.code).toBe(4);
    const out = json(r);
    expect(out.venues.every((v: any) => v.status === 'failed' && v.stale)).toBe(true);
    expect(Number(out.total.value)).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/no venue answered/);
  });

  it('the history has a point per full run, partial ones flagged', async () => {
    const h = json(await runCli(['balances', '--history', '--json'], {home, env: ENV}));
    expect(h.points.length).toBeGreaterThanOrEqual(4);
    expect(h.points.some((p: any) => p.partial)).toBe(true);
    expect(h.points.some((p: any) => !p.partial)).toBe(true);
  });

  it('positions: spot exposure across both venues; spot-only venues have no derivatives', async () => {
    const r = await runCli(['positions', '--symbol', 'XBT/USD', '--json'], {home, env: ENV});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.underlying).toBe('BTC');
    expect(out.spot.map((s: any) => s.asset)).toEqual(['BTC']);
    expect(out.net[0]).toMatchObject({underlying: 'BTC', net: out.spot[0].total});
    expect(out.derivatives).toEqual([]);
  });

  it('a live buy with its fee charged in BTC: balances and pnl agree with the fill', async () => {
    const btcOn = (out: any) => out.rows.find((x: any) => x.venue === 'binance' && x.asset === 'BTC').total;
    const before = json(await runCli(['balances', '--json'], {home, env: ENV}));
    const order = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'binance', '--yes', '--json'], {home, env: ENV});
    expect(order.code, order.stderr).toBe(0);
    const fees = json(order).fees as {cost: string; currency: string}[];
    // The binance dialect charges the taker fee in the asset received.
    expect(fees.map((f) => f.currency)).toEqual(['BTC']);
    const after = json(await runCli(['balances', '--json'], {home, env: ENV}));
    const r = await runCli(['pnl', '--json', '--quote', 'USDT'], {home, env: ENV});
    expect(r.code, r.stderr).toBe(0);
    const s = json(r).assets.find((x: any) => x.asset === 'BTC');
    const received = sub('0.01', fees[0]!.cost);
    expect(s).toMatchObject({bought: '0.01', position: received, realized: '0'});
    expect(btcOn(after)).toBe(add(btcOn(before), received));
    // The fee is worth its BTC at the fill price.
    expect(Number(s.fees)).toBeCloseTo(Number(fees[0]!.cost) * Number(json(order).average), 8);
    expect(Number(s.markPrice)).toBeGreaterThan(0);
    expect(json(r).feesByCurrency).toEqual([{currency: 'BTC', cost: fees[0]!.cost}]);
  });
});
