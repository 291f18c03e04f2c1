import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {ANSI, json, runCli, tempHome} from '../support/cli.js';

describe('xarb prices on the demo venues', () => {
  const home = tempHome();

  it('prints a table of every simulated venue and says they are simulated', async () => {
    const r = await runCli(['prices', 'BTC/USD'], {home});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('BTC/USD');
    expect(r.stdout).toMatch(/cross-venue spread/);
    expect(r.stdout).toMatch(/simulated venues: /);
    expect(r.stderr).toMatch(/SIMULATED/);
    expect(r.stderr).toMatch(/xarb exchanges add/);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('--json gives the documented shape with best bid/ask from fresh quotes only', async () => {
    const r = await runCli(['prices', 'BTC/USD', 'eth-usd', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.symbols.map((s: any) => s.symbol)).toEqual(['BTC/USD', 'ETH/USD']);
    const btc = out.symbols[0];
    expect(btc.rows.length).toBeGreaterThanOrEqual(3);
    const ok = btc.rows.filter((row: any) => row.status === 'ok');
    expect(ok.length).toBeGreaterThanOrEqual(2);
    for (const row of ok) {
      // Quotes, sizes and spreads are decimal strings of at most 8 decimals; basis points stay numbers.
      for (const v of [row.bid, row.ask, row.bidSize, row.askSize, row.spread, row.priceStep, row.amountStep]) expect(v).toMatch(/^-?\d+(\.\d{1,8})?$/);
      expect(typeof row.spreadBps).toBe('number');
      expect(Number(row.bid)).toBeLessThan(Number(row.ask));
      expect(row.simulated).toBe(true);
    }
    const maxBid = Math.max(...ok.filter((row: any) => !row.stale).map((row: any) => Number(row.bid)));
    expect(Number(btc.bestBid.price)).toBe(maxBid);
    expect(Number(btc.crossSpread.value)).toBeCloseTo(Number(btc.bestBid.price) - Number(btc.bestAsk.price), 7);
    // native dialects differ between venues
    expect(new Set(ok.map((row: any) => row.nativeId)).size).toBe(ok.length);
  });

  it('--size walks the books', async () => {
    const r = await runCli(['prices', 'BTC/USD', '--size', '2', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const row = json(r).symbols[0].rows.find((x: any) => x.status === 'ok');
    expect(row.buy.filled).toMatch(/^\d+(\.\d{1,8})?$/);
    expect(Number(row.buy.average)).toBeGreaterThanOrEqual(Number(row.ask));
    expect(Number(row.sell.average)).toBeLessThanOrEqual(Number(row.bid));
  });

  it('--venues limits the venues asked', async () => {
    const all = json(await runCli(['prices', 'BTC/USD', '--json'], {home}));
    const first = all.symbols[0].rows[0].venue;
    const r = await runCli(['prices', 'BTC/USD', '--venues', first, '--json'], {home});
    expect(json(r).symbols[0].rows.map((x: any) => x.venue)).toEqual([first]);
  });

  it('records every run in the journal', async () => {
    const r = await runCli(['prices', 'BTC/USD', '--json'], {home});
    expect(r.code).toBe(0);
    const {openDb} = await import('../../src/core/journal/db.js');
    const db = openDb(`${home}/journal.db`);
    const n = db.prepare<{n: number}>('SELECT COUNT(*) AS n FROM price_snapshots').get()!.n;
    db.close();
    expect(n).toBeGreaterThan(0);
  });

  it.each([
    [['prices', 'DOGE/JPY'], 'UnknownSymbolError'],
    [['prices', 'BTC-'], 'UsageError'],
    [['prices', 'BTC/USD', '--venues', 'nosuchvenue'], 'UnknownVenueError'],
    [['prices', 'BTC/USD', '--bogus'], 'UsageError'],
    [['prices'], 'UsageError'],
  ])('bad input %j exits 2 with a one-line error and no stack trace', async (args, name) => {
    const r = await runCli([...args, '--json'], {home});
    expect(r.code).toBe(2);
    expect(json(r).error.name).toBe(name);
    const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errorLines).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown command exits 2', async () => {
    const r = await runCli(['pricez', 'BTC/USD'], {home});
    expect(r.code).toBe(2);
  });

  it('colours only when asked', async () => {
    const plain = await runCli(['prices', 'BTC/USD'], {home, env: {FORCE_COLOR: '1', NO_COLOR: '1'}});
    expect(plain.stdout).not.toMatch(ANSI);
    const forced = await runCli(['prices', 'BTC/USD'], {home, env: {FORCE_COLOR: '1'}});
    expect(forced.stdout).toMatch(ANSI);
    const flag = await runCli(['prices', 'BTC/USD', '--no-color'], {home, env: {FORCE_COLOR: '1'}});
    expect(flag.stdout).not.toMatch(ANSI);
  });
});

describe('xarb prices on real exchange dialects (loopback)', () => {
  let loop: LoopbackHandle;
  let home: string;

  beforeAll(async () => {
    loop = await startLoopback();
    home = tempHome({
      venues: {
        binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), options: {rateLimit: 1}},
        kraken: {exchange: 'kraken', mode: 'paper', apiBaseUrl: loop.baseUrl('kraken'), options: {rateLimit: 1}},
        dead: {exchange: 'okx', mode: 'paper', apiBaseUrl: 'http://127.0.0.1:9', timeoutMs: 2000},
      },
    });
  });
  afterAll(async () => loop?.close());

  it('asks real ccxt classes through apiBaseUrl; kraken XBT pairs come out as BTC/USD; a dead venue is one failed row', async () => {
    const r = await runCli(['prices', 'BTC/USD', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const rows = json(r).symbols[0].rows;
    const kraken = rows.find((x: any) => x.venue === 'kraken');
    expect(kraken.status).toBe('ok');
    expect(kraken.nativeId).toBe('XXBTZUSD');
    expect(Number(kraken.bid)).toBe(loop.state('kraken').book('BTC/USD').bids[0]![0]);
    expect(rows.find((x: any) => x.venue === 'dead').status).toBe('failed');
    expect(r.stderr).not.toMatch(/SIMULATED/);
  });

  it('USDT markets are only combined with USD under --quote-group usd, and labelled', async () => {
    const plain = json(await runCli(['prices', 'BTC/USD', '--venues', 'binance,kraken', '--json'], {home}));
    expect(plain.symbols[0].rows.find((x: any) => x.venue === 'binance').status).toBe('not_listed');
    const grouped = json(await runCli(['prices', 'BTC/USD', '--venues', 'binance,kraken', '--quote-group', 'usd', '--json'], {home}));
    const row = grouped.symbols[0].rows.find((x: any) => x.venue === 'binance');
    expect(row.status).toBe('ok');
    expect(row.quoteGroupLabel).toBe('USDT as USD');
  });

  it('a second run serves markets from the journal cache', async () => {
    await runCli(['prices', 'BTC/USDT', '--venues', 'binance'], {home});
    loop.clearRequests();
    const r = await runCli(['prices', 'BTC/USDT', '--venues', 'binance', '--json'], {home});
    expect(r.code, r.stderr).toBe(0);
    const paths = loop.requests('binance').map((q) => q.path);
    expect(paths.some((p) => p.includes('exchangeInfo'))).toBe(false);
    expect(paths.length).toBeGreaterThan(0);
  });

  it('exits 4 only when no venue answered', async () => {
    const r = await runCli(['prices', 'BTC/USD', '--venues', 'dead', '--json'], {home});
    expect(r.code).toBe(4);
  });
});
