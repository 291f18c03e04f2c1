/**
 * Portfolio speed. Prints medians; asserts nothing.
 * - Valuation of 500 assets (pricing graph + aggregation): target < 20 ms.
 * - loadBalances in-process over 10 venues whose every network call answers
 *   after 200 ms (markets come from the adapter's cache, as CcxtVenue serves
 *   them from the journal after the first run): target < 1.5 x 200 ms.
 * - The built CLI, `xarb balances --json`, over 10 loopback ccxt venues (binance
 *   dialect, live mode with the loopback's test keys) answering after 200 ms:
 *   target < 1.5 x (startup + 200 ms). Startup is measured as the same command
 *   against the same venues answering at once (it includes importing ccxt and
 *   building 10 exchange instances); `xarb --version` + 200 is shown too.
 *   Runs alternate between the two setups so machine noise hits both alike.
 *   Also shown: 3 kraken-dialect venues, where ccxt's kraken rate limiter
 *   (1 request/s) spaces the balance and quotes requests.
 * Run: node --import tsx bench/portfolio.bench.ts (after npm run build).
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {BalanceSnapshots} from '../src/core/journal/balance-snapshots.js';
import {openDb} from '../src/core/journal/db.js';
import {aggregateBalances, type VenueBalancesInput} from '../src/core/portfolio/balances.js';
import {createPricer} from '../src/core/portfolio/pricing.js';
import {loadBalances} from '../src/core/portfolio/service.js';
import {systemClock, type Balance, type Market, type Quote} from '../src/core/types.js';
import {SimVenue} from '../src/core/venues/sim/index.js';
import type {OrderRef, Venue} from '../src/core/venues/port.js';
import {TEST_ACCOUNTS, defaultScenario, startLoopback, type LoopbackScenario} from '../test/support/loopback/index.js';
import {CLI, median, row, timeSync} from './lib.js';

// ---- 1. valuation of 500 assets -------------------------------------------------

function valuationInput(assets: number, venues: number, holdersPerAsset: number) {
  const quotes: Quote[] = [];
  const inputs: VenueBalancesInput[] = [];
  const names = Array.from({length: assets}, (_, i) => `A${i}`);
  for (let v = 0; v < venues; v++) {
    const venue = `v${v}`;
    quotes.push({venue, symbol: 'BTC/USDT', bid: 60_000 + v, ask: 60_010 + v, bidSize: 1, askSize: 1, timestamp: 0, receivedAt: 0});
    if (v % 3 === 0) quotes.push({venue, symbol: 'BTC/USD', bid: 60_005, ask: 60_015, bidSize: 1, askSize: 1, timestamp: 0, receivedAt: 0});
    names.forEach((a, i) => {
      const p = 0.01 + ((i * 7919) % 1000) / 10;
      quotes.push({venue, symbol: `${a}/USDT`, bid: p * 0.999, ask: p * 1.001, bidSize: 1, askSize: 1, timestamp: 0, receivedAt: 0});
      if (i % 2 === 0) quotes.push({venue, symbol: `${a}/BTC`, bid: (p / 60_000) * 0.999, ask: (p / 60_000) * 1.001, bidSize: 1, askSize: 1, timestamp: 0, receivedAt: 0});
    });
    const balances: Balance[] = names.filter((_, i) => (i + v) % venues < holdersPerAsset).map((a, i) => ({asset: a, free: `${i + 1}.25`, used: '0.5', total: `${i + 1}.75`}));
    balances.push({asset: 'USDT', free: '1000', used: '0', total: '1000'});
    inputs.push({venue, status: 'ok', asOf: 0, balances});
  }
  return {quotes, inputs};
}

for (const [holders, label] of [
  [2, '500 assets, 10 venues, each asset on 2 venues (1,010 rows, 10,030 quotes)'],
  [10, '500 assets, 10 venues, every asset on every venue (5,010 rows)'],
] as const) {
  const {quotes, inputs} = valuationInput(500, 10, holders);
  const valuate = () => {
    const pricer = createPricer(quotes, {now: 0});
    const report = aggregateBalances(inputs, {quote: 'USD', pricer, now: 0});
    if (report.total.partial) throw new Error(`bench input should be fully priced: ${report.total.reasons.join('; ')}`);
  };
  for (let i = 0; i < 10; i++) valuate(); // let the JIT settle
  const ms = timeSync(valuate, 31);
  row(`valuation: ${label}`, `${ms.toFixed(1)} ms`, '< 20 ms');
}

// ---- 2. loadBalances in-process, 10 venues @ 200 ms ----------------------------

/** A venue whose network calls answer after `ms`; markets answer at once after the first call (cached). */
class SlowVenue implements Venue {
  readonly info;
  private markets: readonly Market[] | undefined;
  constructor(
    private readonly inner: SimVenue,
    private readonly ms: number,
  ) {
    this.info = inner.info;
  }
  private wait<T>(value: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => setTimeout(() => value.then(resolve, reject), this.ms));
  }
  async loadMarkets() {
    this.markets ??= await this.wait(this.inner.loadMarkets());
    return this.markets;
  }
  fetchQuotes(symbols?: readonly string[]) {
    return this.wait(this.inner.fetchQuotes(symbols));
  }
  fetchOrderBook(symbol: string, depth?: number) {
    return this.wait(this.inner.fetchOrderBook(symbol, depth));
  }
  fetchCurrencies() {
    return this.wait(this.inner.fetchCurrencies());
  }
  fetchBalances() {
    return this.wait(this.inner.fetchBalances());
  }
  createOrder(r: Parameters<Venue['createOrder']>[0]) {
    return this.wait(this.inner.createOrder(r));
  }
  cancelOrder(ref: OrderRef, symbol: string) {
    return this.wait(this.inner.cancelOrder(ref, symbol));
  }
  fetchOrder(ref: OrderRef, symbol: string) {
    return this.wait(this.inner.fetchOrder(ref, symbol));
  }
  fetchOpenOrders(symbol?: string) {
    return this.wait(this.inner.fetchOpenOrders(symbol));
  }
  fetchClosedOrders(symbol?: string, since?: number) {
    return this.wait(this.inner.fetchClosedOrders(symbol, since));
  }
  fetchMyTrades(symbol?: string, since?: number) {
    return this.wait(this.inner.fetchMyTrades(symbol, since));
  }
  close() {
    return this.inner.close();
  }
}

{
  const dialects = ['dash', 'lower', 'kraken', 'slash'] as const;
  const venues = Array.from({length: 10}, (_, i) => new SlowVenue(new SimVenue(`sim${i}`, dialects[i % 4]!, 1000 + i, systemClock, {balances: {USD: '1000', USDT: '1000', BTC: '0.1', ETH: '1', SOL: '5'}}), 200));
  const home = mkdtempSync(join(tmpdir(), 'xarb-bench-portfolio-'));
  const db = openDb(join(home, 'journal.db'));
  const snapshots = new BalanceSnapshots(db);
  const once = () => loadBalances({venues, clock: systemClock, snapshots}, {quote: 'USD', allVenues: true});
  await once(); // first run: markets requests and a second quotes round for assets never seen
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  db.close();
  row('loadBalances in-process, 10 venues @200 ms (median)', `${median(times).toFixed(0)} ms`, '< 300 ms = 1.5 x 200');
}

// ---- 3. the built CLI over 10 loopback venues @ 200 ms -------------------------

function runOnce(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ms: number; code: number | null; stderr: string}> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], {env, stdio: ['ignore', 'ignore', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ms: performance.now() - t0, code, stderr}));
  });
}

async function timeCli(args: readonly string[], env: NodeJS.ProcessEnv, runs: number): Promise<number> {
  const first = await runOnce(args, env);
  if (first.code !== 0) throw new Error(`xarb ${args.join(' ')} exited ${first.code}: ${first.stderr}`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await runOnce(args, env)).ms);
  return median(times);
}

/** Times two setups alternately (A, B, A, B, ...) so machine noise hits both alike. */
async function timeAlternating(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv, args: readonly string[], runs: number): Promise<[number, number]> {
  for (const env of [a, b]) {
    const first = await runOnce(args, env); // warm-up: fills the markets cache
    if (first.code !== 0) throw new Error(`xarb ${args.join(' ')} exited ${first.code}: ${first.stderr}`);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push((await runOnce(args, a)).ms);
    tb.push((await runOnce(args, b)).ms);
  }
  return [median(ta), median(tb)];
}

async function loopbackSetup(dialect: 'binance' | 'kraken', count: number, latencyMs: number) {
  const base = defaultScenario().venues[dialect]!;
  const names = Array.from({length: count}, (_, i) => `${dialect}${i}`);
  const scenario: LoopbackScenario = {venues: Object.fromEntries(names.map((n) => [n, {...base, dialect}]))};
  const loop = await startLoopback({scenario});
  if (latencyMs > 0) for (const n of names) loop.fault(n, /.*/, {kind: 'latency', ms: latencyMs, times: Number.POSITIVE_INFINITY});
  const home = mkdtempSync(join(tmpdir(), 'xarb-bench-portfolio-cli-'));
  writeFileSync(join(home, 'config.json'), JSON.stringify({venues: Object.fromEntries(names.map((n) => [n, {exchange: dialect, mode: 'live', apiBaseUrl: loop.baseUrl(n)}]))}));
  const keys = TEST_ACCOUNTS[dialect];
  const env: NodeJS.ProcessEnv = {...process.env, XARB_HOME: home, XARB_NO_DEMO_NOTICE: '1', NO_COLOR: '1'};
  for (const n of names) {
    env[`XARB_${n.toUpperCase()}_API_KEY`] = keys.apiKey;
    env[`XARB_${n.toUpperCase()}_SECRET`] = keys.secret;
  }
  return {env, close: () => loop.close()};
}

{
  const home = mkdtempSync(join(tmpdir(), 'xarb-bench-version-'));
  const startup = await timeCli(['--version'], {...process.env, XARB_HOME: home}, 9);
  row('xarb --version (startup, median)', `${startup.toFixed(0)} ms`);
  const fast = await loopbackSetup('binance', 10, 0);
  const slow = await loopbackSetup('binance', 10, 200);
  try {
    const [zero, delayed] = await timeAlternating(fast.env, slow.env, ['balances', '--json'], 9);
    row('xarb balances --json, 10 loopback binance venues @0 ms (median)', `${zero.toFixed(0)} ms`);
    row('xarb balances --json, 10 loopback binance venues @200 ms (median)', `${delayed.toFixed(0)} ms`);
    row('  ratio to (same command @0 ms + 200)', `${(delayed / (zero + 200)).toFixed(2)}x`, '< 1.5x');
    row('  ratio to (xarb --version + 200)', `${(delayed / (startup + 200)).toFixed(2)}x`, '< 1.5x');
  } finally {
    await fast.close();
    await slow.close();
  }
  const kraken = await loopbackSetup('kraken', 3, 200);
  try {
    row('xarb balances --json, 3 loopback kraken venues @200 ms (median)', `${(await timeCli(['balances', '--json'], kraken.env, 5)).toFixed(0)} ms`, 'ccxt kraken limiter: 1 req/s');
  } finally {
    await kraken.close();
  }
}
