/**
 * Start-up and `prices` wall time, as a user sees it:
 * - `xarb --version` against `node -e ''` measured in the same run (target: within 2.5x);
 * - `xarb prices BTC/USD` on the demo venues (target: under 300 ms);
 * - `xarb prices BTC/USD` on 3 loopback ccxt venues (binance, kraken, okx) that each answer after
 *   200 ms: venues are asked in parallel, so wall time stays under 1.5x (startup + 200 ms); the second
 *   run serves market metadata from the journal cache and makes no markets request.
 */
import {writeFileSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startLoopback} from '../test/support/loopback/index.js';
import {CLI, row, timeProcess, timeProcessAsync} from './lib.js';

const demoHome = mkdtempSync(join(tmpdir(), 'xarb-bench-'));
const env = {...process.env, XARB_HOME: demoHome, XARB_NO_DEMO_NOTICE: '1', NO_COLOR: '1'};

const nodeBare = timeProcess(process.execPath, ['-e', ''], env, 15);
const version = timeProcess(process.execPath, [CLI, '--version'], env, 15);
row("node -e '' (median)", `${nodeBare.median.toFixed(0)} ms`);
row('xarb --version (median)', `${version.median.toFixed(0)} ms`);
row('  ratio to node', `${(version.median / nodeBare.median).toFixed(2)}x`, '<= 2.5x');

const prices = timeProcess(process.execPath, [CLI, 'prices', 'BTC/USD'], env, 15);
row('xarb prices BTC/USD, demo venues (median)', `${prices.median.toFixed(0)} ms`, '< 300 ms');

const loop = await startLoopback();
const venues = ['binance', 'kraken', 'okx'];
for (const v of venues) loop.fault(v, /.*/, {kind: 'latency', ms: 200, times: Number.POSITIVE_INFINITY});
const home = mkdtempSync(join(tmpdir(), 'xarb-bench-loop-'));
const config = {venues: Object.fromEntries(venues.map((v) => [v, {exchange: v, mode: 'paper', apiBaseUrl: loop.baseUrl(v)}]))};
writeFileSync(join(home, 'config.json'), JSON.stringify(config));
const loopEnv = {...env, XARB_HOME: home};
// Both prices runs must ask for a symbol every venue lists.
const symbol = 'BTC/USDT';
const first = await timeProcessAsync(process.execPath, [CLI, 'prices', symbol], loopEnv, 1, false);
loop.clearRequests();
const warm = await timeProcessAsync(process.execPath, [CLI, 'prices', symbol], loopEnv, 7);
const marketsRequests = venues.flatMap((v) => loop.requests(v)).filter((r) => /exchangeInfo|AssetPairs|public\/instruments|Assets/.test(r.path)).length;
const budget = 1.5 * (version.median + 200);
row('xarb prices, 3 loopback venues @200 ms, first run (cold cache)', `${first.median.toFixed(0)} ms`);
row('xarb prices, 3 loopback venues @200 ms, cached (median)', `${warm.median.toFixed(0)} ms`, `< ${budget.toFixed(0)} ms = 1.5 x (startup + 200)`);
row('  markets requests on cached runs', String(marketsRequests), '0');
await loop.close();
