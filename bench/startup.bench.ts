/**
 * Start-up and `prices` wall time, as a user sees it, median of RUNS runs (default 21):
 * - `xarb --version` against `node -e ''` (target: within 2.0x);
 * - `xarb prices BTC/USD` on the demo venues against `xarb --version` (target: within 1.3x);
 * - `xarb prices BTC/USD` on 3 loopback ccxt venues (binance, kraken, okx) that each answer after
 *   200 ms: venues are asked in parallel, so wall time stays under 1.5x (startup + 200 ms); the second
 *   run serves market metadata from the journal cache and makes no markets request.
 *
 * XARB_BENCH_BASE=<git ref> (e.g. main) also builds that commit in a temp folder (sharing this
 * checkout's node_modules) and times it in the same run: each round runs every case once, in an
 * order that rotates from round to round, so the load of a shared machine falls on both builds alike.
 */
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startLoopback} from '../test/support/loopback/index.js';
import {CLI, buildBase, median, row} from './lib.js';

const RUNS = Number(process.env.RUNS ?? 21);
const BASE_REF = process.env.XARB_BENCH_BASE;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** Runs every case once per round (after one warm-up round), rotating the order; median ms per case. */
function alternate(cases: readonly Case[], runs: number): Map<string, number> {
  const times = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = -1; round < runs; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + Math.max(round, 0)) % cases.length]!;
      const t0 = performance.now();
      const r = spawnSync(process.execPath, c.args, {env: c.env, stdio: 'ignore'});
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${c.name} exited with ${r.status}`);
      if (round >= 0) times.get(c.name)!.push(ms);
    }
  }
  return new Map([...times].map(([name, t]) => [name, median(t)]));
}

/** Like alternate, but never blocks this process's event loop (loopback venues answer from it). */
async function alternateAsync(cases: readonly Case[], runs: number, afterWarmup?: () => void): Promise<Map<string, number>> {
  const once = (c: Case) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, c.args, {env: c.env, stdio: 'ignore'});
      child.on('exit', (status) => (status === 0 ? resolve(performance.now() - t0) : reject(new Error(`${c.name} exited with ${status}`))));
    });
  const times = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = -1; round < runs; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + Math.max(round, 0)) % cases.length]!;
      const ms = await once(c);
      if (round >= 0) times.get(c.name)!.push(ms);
    }
    if (round === -1) afterWarmup?.();
  }
  return new Map([...times].map(([name, t]) => [name, median(t)]));
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const base = BASE_REF ? buildBase(BASE_REF) : undefined;
const builds = [{cli: CLI, label: 'this checkout', key: 'now'}, ...(base ? [{...base, key: 'base'}] : [])];

const demoEnv = {...process.env, XARB_HOME: mkdtempSync(join(tmpdir(), 'xarb-bench-')), XARB_NO_DEMO_NOTICE: '1', NO_COLOR: '1'};
const cases: Case[] = [{name: 'node', args: ['-e', ''], env: demoEnv}];
for (const b of builds) {
  cases.push({name: `${b.key} version`, args: [b.cli, '--version'], env: demoEnv});
  cases.push({name: `${b.key} prices`, args: [b.cli, 'prices', 'BTC/USD'], env: demoEnv});
}
process.stdout.write(`${RUNS} rounds of ${cases.length} cases, order rotating per round\n`);
const t = alternate(cases, RUNS);
const node = t.get('node')!;
row("node -e '' (median)", ms(node));
for (const b of builds) {
  const version = t.get(`${b.key} version`)!;
  const prices = t.get(`${b.key} prices`)!;
  process.stdout.write(`${b.label}\n`);
  row('  xarb --version (median)', ms(version));
  row('    ratio to node', ratio(version, node), '<= 2.0x');
  row('  xarb prices BTC/USD, demo venues (median)', ms(prices));
  row('    ratio to --version', ratio(prices, version), '<= 1.3x');
}
if (base) {
  row('this checkout / base: --version', ratio(t.get('now version')!, t.get('base version')!));
  row('this checkout / base: prices demo', ratio(t.get('now prices')!, t.get('base prices')!));
}

const loop = await startLoopback();
const venues = ['binance', 'kraken', 'okx'];
for (const v of venues) loop.fault(v, /.*/, {kind: 'latency', ms: 200, times: Number.POSITIVE_INFINITY});
const config = {venues: Object.fromEntries(venues.map((v) => [v, {exchange: v, mode: 'paper', apiBaseUrl: loop.baseUrl(v)}]))};
// Both prices runs must ask for a symbol every venue lists.
const symbol = 'BTC/USDT';
const loopCases: Case[] = [];
for (const b of builds) {
  const home = mkdtempSync(join(tmpdir(), 'xarb-bench-loop-'));
  writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  loopCases.push({name: b.key, args: [b.cli, 'prices', symbol], env: {...demoEnv, XARB_HOME: home}});
}
// The warm-up round fills each build's market cache; requests are counted from then on.
const loopRuns = Math.max(5, Math.round(RUNS / 3));
const warm = await alternateAsync(loopCases, loopRuns, () => loop.clearRequests());
const marketsRequests = venues.flatMap((v) => loop.requests(v)).filter((r) => /exchangeInfo|AssetPairs|public\/instruments|Assets/.test(r.path)).length;
await loop.close();
for (const b of builds) {
  const budget = 1.5 * (t.get(`${b.key} version`)! + 200);
  row(`${b.key === 'now' ? 'this checkout' : 'base'}: prices, 3 loopback venues @200 ms, cached`, ms(warm.get(b.key)!), `< ${budget.toFixed(0)} ms = 1.5 x (startup + 200)`);
}
row('  markets requests on cached runs', String(marketsRequests), '0');
