/**
 * Keyless public data on the certified venues that used to need keys or
 * another call: `prices`, `arb scan` and `exchanges` with no keys at all,
 * against the coinbase and bybit loopback servers (paper mode, the default),
 * next to binance. coinbase's best_bid_ask is authenticated: without keys
 * the quotes come from its public product book.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {allVenuesScenario, startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {json, runCli, tempHome} from '../support/cli.js';

describe('keyless public data on coinbase, bybit, bitget and gate (loopback)', () => {
  let loop: LoopbackHandle;
  let home: string;
  beforeAll(async () => {
    loop = await startLoopback({scenario: allVenuesScenario()});
    home = tempHome({
      valuationQuote: 'USDT',
      venues: {
        binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance')},
        coinbase: {exchange: 'coinbase', mode: 'paper', apiBaseUrl: loop.baseUrl('coinbase')},
        bybit: {exchange: 'bybit', mode: 'paper', apiBaseUrl: loop.baseUrl('bybit'), options: {rateLimit: 1}},
        bitget: {exchange: 'bitget', mode: 'paper', apiBaseUrl: loop.baseUrl('bitget'), options: {rateLimit: 1}},
        gate: {exchange: 'gate', mode: 'paper', apiBaseUrl: loop.baseUrl('gate'), options: {rateLimit: 1}},
      },
    });
  });
  afterAll(async () => {
    await loop.close();
  });

  it('prices: every venue answers with bid < ask, and no authenticated call was made', async () => {
    const r = await runCli(['prices', 'BTC/USDT', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const rows = json(r).symbols[0].rows;
    const ok = Object.fromEntries(rows.filter((row: any) => row.status === 'ok').map((row: any) => [row.venue, row]));
    expect(Object.keys(ok).sort()).toEqual(['binance', 'bitget', 'bybit', 'coinbase', 'gate']);
    for (const row of Object.values(ok) as any[]) expect(Number(row.bid)).toBeLessThan(Number(row.ask));
    expect(loop.requests('coinbase').map((q) => q.path)).not.toContain('/api/v3/brokerage/best_bid_ask');
    expect(loop.requests('coinbase').some((q) => q.path === '/api/v3/brokerage/market/product_book')).toBe(true);
  });

  it('exchanges and arb scan work without keys', async () => {
    const ex = await runCli(['exchanges', '--json'], {home});
    expect(ex.code, ex.stderr).toBe(0);
    const reachable = Object.fromEntries(json(ex).venues.map((v: any) => [v.name, v.reachable]));
    expect(reachable).toEqual({binance: true, bitget: true, bybit: true, coinbase: true, gate: true});
    const scan = await runCli(['arb', 'scan', '--json'], {home});
    expect(scan.code, scan.stderr).toBe(0);
  });
});
