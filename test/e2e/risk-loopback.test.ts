/**
 * Risk limits, the kill switch and concurrent processes, end to end: the
 * built CLI against a loopback binance (real ccxt class, live mode). Orders
 * are resting limit buys at 50,000 (the book's bids start at 59,999.5), so
 * each order's notional is exact: amount x 50,000 USDT. "Nothing sent" is
 * checked on the loopback's request log.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openHomeJournal} from '../support/postgres.js';
import {sub} from '../../src/core/money/decimal.js';
import {json, runCli, tempHome, type CliResult} from '../support/cli.js';
import {defaultScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle, type LoopbackScenario} from '../support/loopback/index.js';

const ENV = {XARB_BINANCE_API_KEY: TEST_ACCOUNTS.binance.apiKey, XARB_BINANCE_SECRET: TEST_ACCOUNTS.binance.secret};

function scenario(): LoopbackScenario {
  const s = structuredClone(defaultScenario()) as any;
  delete s.venues.okx;
  delete s.venues.kraken;
  return s as LoopbackScenario;
}

describe('risk limits, kill switch and concurrency against a loopback venue', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    loop = await startLoopback({scenario: scenario()});
  });
  afterAll(async () => loop?.close());

  const creates = () => loop.requests('binance').filter((r) => r.method === 'POST' && r.path === '/api/v3/order').length;
  const home = (risk: unknown) => tempHome({valuationQuote: 'USDT', venues: {binance: {exchange: 'binance', mode: 'live', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}}}, risk});
  const order = (h: string, side: 'buy' | 'sell', amount: string, ...extra: string[]) => runCli(['order', side, 'BTC/USDT', amount, ...extra, '--yes', '--json'], {home: h, env: ENV});
  const restingBuy = (h: string, amount: string, limit = '50000') => order(h, 'buy', amount, '--limit', limit);

  async function expectDenied(r: CliResult, limit: string, attempted: string, before: number): Promise<void> {
    expect(r.code, r.stderr).toBe(3);
    expect(json(r).error).toMatchObject({name: 'RiskDeniedError', exitCode: 3});
    expect(r.stderr).toContain(`risk limit ${limit}`);
    expect(r.stderr).toContain(`attempted ${attempted}`);
    expect(creates()).toBe(before);
  }

  async function expectPlaced(r: CliResult, before: number): Promise<void> {
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).orders[0].status).toMatch(/open|closed/);
    expect(creates()).toBe(before + 1);
  }

  const cases: {name: string; risk: any; pass: string[]; fail: string[]; limit: string; attempted: string; prepare?: (h: string) => Promise<void>}[] = [
    {name: 'maxOrderAmount', risk: {global: {maxOrderAmount: '0.01'}}, pass: ['0.01'], fail: ['0.01001'], limit: 'global.maxOrderAmount', attempted: '0.01001'},
    {name: 'maxOrderNotional', risk: {venues: {binance: {maxOrderNotional: '500'}}}, pass: ['0.01'], fail: ['0.01001'], limit: 'venues.binance.maxOrderNotional', attempted: '500.5'},
    {name: 'maxPosition (2 BTC held)', risk: {symbols: {'BTC/USDT': {maxPosition: '2.01'}}}, pass: ['0.01'], fail: ['0.01001'], limit: 'symbols.BTC/USDT.maxPosition', attempted: '2.01001'},
    {name: 'priceBandPct (mid 60,000)', risk: {global: {priceBandPct: 1}}, pass: ['0.001', '59400'], fail: ['0.001', '59399.99'], limit: 'global.priceBandPct', attempted: '1.00001667'},
  ];

  for (const c of cases) {
    it(`${c.name}: just at the limit is sent, just over exits 3 and sends nothing`, async () => {
      const h = home(c.risk);
      const before = creates();
      await expectDenied(await restingBuy(h, c.fail[0]!, c.fail[1]), c.limit, c.attempted, before);
      await expectPlaced(await restingBuy(h, c.pass[0]!, c.pass[1]), before);
    });
  }

  it('maxDailyVolume counts what was already traded today', async () => {
    const h = home({global: {maxDailyVolume: '1000'}});
    const before = creates();
    await expectPlaced(await restingBuy(h, '0.02'), before);
    await expectDenied(await restingBuy(h, '0.0001'), 'global.maxDailyVolume', '1005', before + 1);
  });

  it('maxOpenOrders counts open orders on the venue', async () => {
    const h = home({venues: {binance: {maxOpenOrders: 1}}});
    const before = creates();
    await expectPlaced(await restingBuy(h, '0.001'), before);
    await expectDenied(await restingBuy(h, '0.001'), 'venues.binance.maxOpenOrders', '2', before + 1);
  });

  it('reserves: the order may not leave less than the reserve free', async () => {
    const free = loop.state('binance').accounts.get(TEST_ACCOUNTS.binance.apiKey)!.balances.get('USDT')!.free;
    // 0.01 at 50,000 spends 500 + 0.5 expected fee.
    const reserve = sub(free, '500.5');
    const h = home({reserves: {USDT: reserve}});
    const before = creates();
    const denied = await restingBuy(h, '0.01001');
    expect(denied.code, denied.stderr).toBe(3);
    expect(denied.stderr).toContain('risk limit reserves.USDT');
    expect(creates()).toBe(before);
    await expectPlaced(await restingBuy(h, '0.01'), before);
  });

  it('kill switch: halted sends nothing; reducing lets only a sell of what is held through; resume restores', async () => {
    const h = home({});
    const before = creates();
    expect((await runCli(['risk', 'halt', '--reason', 'test'], {home: h, env: ENV})).code).toBe(0);
    await expectDenied(await restingBuy(h, '0.001'), 'tradingState', 'any order', before);
    await expectDenied(await order(h, 'sell', '0.001'), 'tradingState', 'any order', before);
    const shown = json(await runCli(['risk', 'show', '--json'], {home: h, env: ENV}));
    expect(shown.state).toMatchObject({state: 'halted', reason: 'test'});
    expect((await runCli(['risk', 'reduce'], {home: h, env: ENV})).code).toBe(0);
    await expectDenied(await restingBuy(h, '0.001'), 'tradingState', 'an order that does not reduce a position', before);
    await expectPlaced(await order(h, 'sell', '0.001'), before);
    expect((await runCli(['risk', 'resume'], {home: h, env: ENV})).code).toBe(0);
    await expectPlaced(await restingBuy(h, '0.001'), before + 1);
  });

  it('two processes racing one daily-volume limit: at most the limit is sent', async () => {
    const h = home({global: {maxDailyVolume: '1000'}});
    const before = creates();
    // Four processes at once, 500 USDT each, against a limit of 1,000: exactly two may go out.
    const results = await Promise.all([0, 1, 2, 3].map(() => restingBuy(h, '0.01')));
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 0, 3, 3]);
    expect(creates() - before).toBe(2);
    const db = openHomeJournal(h);
    try {
      expect(db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM orders').get()!.n).toBe(2);
      expect(db.prepare<{n: number}>("SELECT COUNT(*) AS n FROM events WHERE kind = 'risk.denied'").get()!.n).toBe(2);
    } finally {
      db.close();
    }
  });
});
