import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ANSI, json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, TEST_ACCOUNTS, startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {ladder} from '../support/loopback/scenario.js';
import type {LoopbackScenario, VenueScenario} from '../support/loopback/types.js';

/** A decimal string as the JSON contract writes money: at most 8 decimals, no exponent. */
const DECIMAL = /^-?\d+(\.\d{1,8})?$/;

describe('xarb arb scan on the demo venues', () => {
  const home = tempHome();

  it('cross-venue --json: net-positive rows sorted by net profit, simulated venues named', async () => {
    const r = await runCli(['arb', 'scan', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.kind).toBe('cross');
    expect(out.simulatedVenues).toEqual(['simbit', 'simex', 'simkraken', 'simgate']);
    expect(out.venues.every((v: any) => v.ok)).toBe(true);
    expect(out.screened).toBeGreaterThan(10);
    expect(r.stderr).toMatch(/SIMULATED/);
    const values = out.opportunities.map((o: any) => Number(o.netValue ?? o.netProfit));
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    for (const o of out.opportunities) {
      // Money, amounts and prices are decimal strings of at most 8 decimals (docs/arb.md); bps stay numbers.
      for (const v of [o.size, o.grossProfit, o.fees, o.netProfit, o.buy.avgPrice, o.buy.limitPrice, o.buy.notional, o.buy.fee, o.sell.avgPrice, o.sell.topPrice]) expect(v).toMatch(DECIMAL);
      expect(typeof o.netBps).toBe('number');
      expect(Number(o.netProfit)).toBeGreaterThan(0);
      expect(Number(o.netProfit)).toBeCloseTo(Number(o.grossProfit) - Number(o.fees), 7);
      expect(o.buy.venue).not.toBe(o.sell.venue);
      expect(o.buy.symbol).toBe(o.sell.symbol); // no quote mixing without --quote-group
      expect(o.size).toBe(o.amount);
    }
  });

  it('human output is a table without colour codes when piped', async () => {
    const r = await runCli(['arb', 'scan'], {home});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/screened \d+ common symbol/);
    expect(r.stdout).toMatch(/simulated venues: /);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('--triangular finds cycles within one venue', async () => {
    const r = await runCli(['arb', 'scan', '--triangular', '--ignore-balances', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.kind).toBe('triangular');
    expect(out.cyclesChecked).toBeGreaterThan(0);
    for (const o of out.opportunities) {
      expect(o.legs).toHaveLength(3);
      expect(o.startAmount).toMatch(DECIMAL);
      expect(Number(o.endAmount)).toBeGreaterThan(Number(o.startAmount));
    }
  });

  it('arb history summarizes what the scans recorded', async () => {
    const r = await runCli(['arb', 'history', '--since', '1h', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.until - out.since).toBe(3_600_000);
    expect(Array.isArray(out.opportunities)).toBe(true);
  });

  it.each([
    [['arb', 'scan', 'BTC-'], 'UsageError'],
    [['arb', 'scan', '--venues', 'nosuchvenue'], 'UnknownVenueError'],
  ])('bad input %j exits 2', async (args, name) => {
    const r = await runCli([...args, '--json'], {home});
    expect(r.code).toBe(2);
    expect(json(r).error.name).toBe(name);
  });
});

/** The default loopback scenario plus a dislocated okx BTC/USDT, a dislocated kraken BTC/USD, and a ticker (GTC) naming two different coins. */
function arbScenario(): LoopbackScenario {
  const base = defaultScenario();
  const gtc = (name: string) => ({code: 'GTC', name, decimals: 8, networks: [{network: 'ERC20', withdrawFee: '1', withdrawMin: '2'}]});
  const gtcMarket = {symbol: 'GTC/USDT', amountStep: '0.01', priceStep: '0.0001', minAmount: '0.01', minCost: '1', taker: '0.001', maker: '0.001'};
  const binance = base.venues.binance!;
  const okx = base.venues.okx!;
  const withGtc = (v: VenueScenario, name: string, mid: number): VenueScenario => ({
    ...v,
    markets: [...v.markets, gtcMarket],
    currencies: [...(v.currencies ?? []), gtc(name)],
    books: {...v.books, 'GTC/USDT': ladder(mid, 0.0001, 1000)},
  });
  return {
    venues: {
      ...base.venues,
      // kraken's BTC/USD sits ~50 bps over the USDT books: only visible when USD and USDT are grouped.
      kraken: {...base.venues.kraken!, books: {...base.venues.kraken!.books, 'BTC/USD': ladder(60_300, 0.5, 0.4)}},
      binance: withGtc(binance, 'Gitcoin', 1.0),
      // okx's BTC/USDT ~33 bps under binance's: buy okx, sell binance, net of 15 + 10 bps fees.
      okx: {...withGtc(okx, 'Game.com', 2.0), books: {...withGtc(okx, 'Game.com', 2.0).books, 'BTC/USDT': ladder(59_800, 0.5, 0.6)}},
    },
  };
}

describe('xarb arb scan on real exchange dialects (loopback)', () => {
  let loop: LoopbackHandle;
  let home: string;
  const keys = {
    XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey,
    XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret,
    XARB_OKX_API_KEY: TEST_ACCOUNTS.okx.apiKey,
    XARB_OKX_SECRET: TEST_ACCOUNTS.okx.secret,
    XARB_OKX_PASSWORD: TEST_ACCOUNTS.okx.passphrase,
  };

  beforeAll(async () => {
    loop = await startLoopback({scenario: arbScenario()});
    home = tempHome({
      venues: {
        binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}},
        kraken: {exchange: 'kraken', mode: 'paper', apiBaseUrl: loop.baseUrl('kraken'), options: {rateLimit: 1}},
        okx: {exchange: 'okx', mode: 'paper', apiBaseUrl: loop.baseUrl('okx'), options: {rateLimit: 1}},
      },
    });
  });
  afterAll(async () => loop?.close());

  it('finds the okx -> binance BTC/USDT edge net of both taker fees, fetching depth only for that candidate', async () => {
    loop.clearRequests();
    const r = await runCli(['arb', 'scan', '--json'], {home, env: keys});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    const btc = out.opportunities.find((o: any) => o.symbol === 'BTC/USDT');
    expect(btc, JSON.stringify(out, null, 1).slice(0, 3000)).toBeDefined();
    expect([btc.buy.venue, btc.sell.venue]).toEqual(['okx', 'binance']);
    expect(btc.buy.feeRate).toBe(0.0015);
    expect(btc.sell.feeRate).toBe(0.001);
    expect(Number(btc.buy.topPrice)).toBe(loop.state('okx').book('BTC/USDT').asks[0]![0]);
    expect(Number(btc.sell.topPrice)).toBe(loop.state('binance').book('BTC/USDT').bids[0]![0]);
    expect(Number(btc.netProfit)).toBeCloseTo(Number(btc.sell.notional) * (1 - 0.001) - Number(btc.buy.notional) * (1 + 0.0015), 6);
    expect(btc.netBps).toBeGreaterThan(0);
    // depth fetched for the candidate only, never for ETH
    const depthPaths = loop.requests('binance').filter((q) => q.path.endsWith('/depth')).map((q) => q.query.symbol);
    expect(depthPaths).toEqual(['BTCUSDT']);
    const okxBooks = loop.requests('okx').filter((q) => q.path.includes('books')).map((q) => q.query.instId);
    expect(okxBooks).toEqual(['BTC-USDT']);
  });

  it('phantom arbitrage: GTC is two different coins on binance and okx, so no opportunity, with the reason in JSON', async () => {
    const r = await runCli(['arb', 'scan', 'GTC/USDT', '--json'], {home, env: keys});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.opportunities).toEqual([]);
    expect(out.skipped).toEqual([expect.objectContaining({reason: 'asset-mismatch', symbol: 'GTC/USDT'})]);
    const verbose = await runCli(['arb', 'scan', 'GTC/USDT', '--verbose'], {home, env: keys});
    expect(verbose.stdout).toMatch(/asset-mismatch/);
    expect(verbose.stdout).toMatch(/Gitcoin/);
  });

  it('USD and USDT books are combined only under --quote-group usd, and labelled', async () => {
    const plain = json(await runCli(['arb', 'scan', 'BTC/USD', '--venues', 'kraken,okx', '--json'], {home, env: keys}));
    expect(plain.screened).toBe(0);
    expect(plain.unlisted).toEqual(['BTC/USD']);
    const grouped = json(await runCli(['arb', 'scan', 'BTC/USD', '--venues', 'kraken,okx', '--quote-group', 'usd', '--json'], {home, env: keys}));
    expect(grouped.screened).toBe(1);
    const o = grouped.opportunities[0];
    expect(o, JSON.stringify(grouped.skipped)).toBeDefined();
    expect(o.quoteGroup).toBe('usd');
    expect([o.buy.symbol, o.sell.symbol]).toEqual(['BTC/USDT', 'BTC/USD']);
  });

  it('--with-transfer prices the withdrawal of the bought asset from the buy venue', async () => {
    const out = json(await runCli(['arb', 'scan', 'BTC/USDT', '--with-transfer', '--json'], {home, env: keys}));
    const o = out.opportunities[0];
    expect(o.transfer).toMatchObject({asset: 'BTC', network: 'BTC', fee: '0.0002'});
    expect(Number(o.netProfitWithTransfer)).toBeCloseTo(Number(o.netProfit) - 0.0002 * Number(o.sell.avgPrice), 6);
  });

  it('records opportunities for arb history, with a chart for a symbol', async () => {
    const r = await runCli(['arb', 'history', '--symbol', 'btc-usdt', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    const row = out.opportunities.find((x: any) => x.key === 'cross:BTC/USDT:okx>binance');
    expect(row.sightings).toBeGreaterThanOrEqual(2);
    expect(out.series.observations).toBeGreaterThanOrEqual(2);
    const text = await runCli(['arb', 'history', '--symbol', 'BTC/USDT'], {home});
    expect(text.stdout).toMatch(/BTC\/USDT best net edge over time/);
    expect(text.stdout).toMatch(/┤/);
  });

  it('a venue that does not answer is reported and the scan goes on; exit 4 when none answers', async () => {
    const dead = tempHome({
      venues: {
        binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}},
        okx: {exchange: 'okx', mode: 'paper', apiBaseUrl: loop.baseUrl('okx'), options: {rateLimit: 1}},
        dead: {exchange: 'okx', mode: 'paper', apiBaseUrl: 'http://127.0.0.1:9', timeoutMs: 2000},
      },
    });
    const r = await runCli(['arb', 'scan', '--json'], {home: dead});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.failures.some((f: any) => f.venue === 'dead')).toBe(true);
    expect(out.opportunities.some((o: any) => o.symbol === 'BTC/USDT')).toBe(true);
    const none = await runCli(['arb', 'scan', '--venues', 'dead', '--json'], {home: dead});
    expect(none.code).toBe(4);
  });
});

describe('xarb arb scan --triangular on the binance dialect (loopback)', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    const binance = defaultScenario().venues.binance!;
    // ETH/BTC ~80 bps under BTC/USDT and ETH/USDT: USDT -> BTC -> ETH -> USDT pays after three 10 bps fees.
    loop = await startLoopback({scenario: {venues: {binance: {...binance, books: {...binance.books, 'ETH/BTC': ladder(0.0496, 0.00001, 5)}}}}});
  });
  afterAll(async () => loop?.close());

  it('finds the cycle with bid/ask per leg direction and its depth-limited size', async () => {
    const home = tempHome({venues: {binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}}}});
    const r = await runCli(['arb', 'scan', '--triangular', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.opportunities).toHaveLength(1);
    const o = out.opportunities[0];
    expect(o.key).toBe('tri:binance:USDT>BTC>ETH');
    expect(o.legs.map((l: any) => `${l.side} ${l.symbol}`)).toEqual(['buy BTC/USDT', 'buy ETH/BTC', 'sell ETH/USDT']);
    const book = (s: string) => loop.state('binance').book(s);
    const top = (1 / book('BTC/USDT').asks[0]![0]) * (1 / book('ETH/BTC').asks[0]![0]) * book('ETH/USDT').bids[0]![0] * 0.999 ** 3;
    expect(o.topRate).toBeCloseTo(top, 10);
    expect(Number(o.endAmount)).toBeGreaterThan(Number(o.startAmount));
    expect(Number(o.netProfit)).toBeCloseTo(Number(o.endAmount) - Number(o.startAmount), 7);
    // only the three legs' books were fetched
    const depth = loop.requests('binance').filter((q) => q.path.endsWith('/depth')).map((q) => q.query.symbol).sort();
    expect(depth).toEqual(['BTCUSDT', 'ETHBTC', 'ETHUSDT']);
  });
});
