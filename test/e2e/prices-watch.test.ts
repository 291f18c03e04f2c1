import {spawn} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {CLI, tempHome} from '../support/cli.js';

/** Starts `xarb prices --watch --json`, collects `lines` JSON lines (or until `done`), then sends SIGINT. */
function watchLines(
  args: string[],
  home: string,
  lines: number,
  onDoc?: (doc: any, index: number) => void,
  done?: (doc: any, index: number) => boolean,
): Promise<{docs: any[]; code: number | null}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, XARB_HOME: home}, stdio: ['ignore', 'pipe', 'pipe']});
    const docs: any[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) {
          docs.push(JSON.parse(line));
          onDoc?.(docs[docs.length - 1], docs.length - 1);
        }
        if (docs.length === lines || (done !== undefined && docs.length > 0 && done(docs[docs.length - 1], docs.length - 1))) child.kill('SIGINT');
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watch produced ${docs.length} lines; stderr: ${stderr}`));
    }, 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({docs, code});
    });
  });
}

describe('xarb prices --watch', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    loop = await startLoopback();
  });
  afterAll(async () => loop?.close());

  it('refreshes on the demo venues (polling) and stops cleanly on Ctrl-C', async () => {
    const {docs, code} = await watchLines(['prices', 'BTC/USD', '--watch', '--interval', '200ms', '--json'], tempHome(), 3);
    expect(code).toBe(0);
    expect(docs).toHaveLength(3);
    for (const d of docs) expect(d.symbols[0].symbol).toBe('BTC/USD');
    expect(docs[2].generatedAt).toBeGreaterThan(docs[0].generatedAt);
  });

  it('streams books over the binance websocket dialect under --size and follows a book change', async () => {
    const home = tempHome({venues: {binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), wsBaseUrl: loop.wsUrl('binance')}}});
    const state = loop.state('binance');
    const book = state.book('BTC/USDT');
    const before = book.bids[0]![0];
    const moved = before + 5;
    let depthRequestsAtMove = 0;
    const {docs, code} = await watchLines(['prices', 'BTC/USDT', '--size', '0.1', '--watch', '--interval', '300ms', '--json'], home, 8, (_doc, i) => {
      // Once the stream is up, move the market: the watcher must show the new best bid.
      if (i === 1) {
        depthRequestsAtMove = loop.requests('binance').filter((r) => r.path.endsWith('/depth')).length;
        state.setBook('BTC/USDT', {bids: [[moved, 1], ...book.bids], asks: book.asks});
      }
    });
    state.setBook('BTC/USDT', book);
    expect(code).toBe(0);
    const bids = docs.map((d) => Number(d.symbols[0].rows[0].bid));
    expect(bids[0]).toBe(before);
    expect(bids.at(-1)).toBe(moved);
    // The change arrived over the websocket: no REST depth request after the move.
    expect(loop.requests('binance').filter((r) => r.path.endsWith('/depth')).length).toBe(depthRequestsAtMove);
  });

  it('streams best bid/ask (bookTicker) where the venue streams and polls where it cannot', async () => {
    // binance has its websocket side; kraken is behind a REST gateway only, so it is polled.
    const home = tempHome({
      venues: {
        binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), wsBaseUrl: loop.wsUrl('binance')},
        kraken: {exchange: 'kraken', mode: 'paper', apiBaseUrl: loop.baseUrl('kraken'), options: {rateLimit: 100}},
      },
    });
    const state = loop.state('binance');
    const book = state.book('BTC/USDT');
    const before = book.bids[0]![0];
    const moved = before + 7;
    const tickerRequests = (venue: string) => loop.requests(venue).filter((r) => /ticker/i.test(r.path)).length;
    loop.clearRequests();
    let binanceAtMove = -1;
    let krakenAtMove = 0;
    let movedAt = -1;
    const {docs, code} = await watchLines(['prices', 'BTC/USDT', '--watch', '--interval', '300ms', '--max-age', '60s', '--json'], home, 100, (_doc, i) => {
      // Move the market once the venue holds the subscription (so the push cannot overtake it).
      if (movedAt < 0 && i >= 1 && loop.streams('binance').includes('btcusdt@bookTicker')) {
        binanceAtMove = tickerRequests('binance');
        krakenAtMove = tickerRequests('kraken');
        movedAt = i;
        state.setBook('BTC/USDT', {bids: [[moved, 1], ...book.bids], asks: book.asks});
      }
    }, (doc, i) => movedAt >= 0 && i >= movedAt + 4 && Number(doc.symbols[0].rows.find((r: any) => r.venue === 'binance')?.bid) === moved);
    state.setBook('BTC/USDT', book);
    expect(code).toBe(0);
    expect(movedAt).toBeGreaterThan(0);
    const binanceBids = docs.map((d) => Number(d.symbols[0].rows.find((r: any) => r.venue === 'binance').bid));
    expect(binanceBids[0]).toBe(before);
    expect(binanceBids.at(-1)).toBe(moved);
    // The first quote came by REST (bookTicker), the change by the socket: no ticker request since the move.
    expect(binanceAtMove).toBeGreaterThan(0);
    expect(tickerRequests('binance')).toBe(binanceAtMove);
    expect(loop.requests('binance').filter((r) => r.path.endsWith('/depth'))).toEqual([]);
    // kraken cannot stream here: it kept being polled, one ticker request per refresh.
    expect(tickerRequests('kraken')).toBeGreaterThan(krakenAtMove);
    expect(docs.every((d) => d.symbols[0].rows.find((r: any) => r.venue === 'kraken').status === 'ok')).toBe(true);
  });
});
