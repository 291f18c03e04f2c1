/**
 * Start-up and `prices` wall time, as a user sees it, median of RUNS runs (default 21), with the
 * CPU time of the same runs (user + system, reported by bench/cpu-probe.mjs; steadier than wall
 * time on a loaded machine):
 * - `xarb --version` against `node -e ''` (target: within 2.0x);
 * - `xarb prices BTC/USD` on the demo venues against `xarb --version` (target: within 1.3x); its
 *   home holds the config.json the first run writes (the journal marker), as a user's does;
 * - `xarb prices BTC/USD --source nats://...` on the books of 7 simulated venues against
 *   `xarb --version` (target: within 1.3x), when NATS answers on XARB_BENCH_NATS
 *   (default nats://127.0.0.1:4222);
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
import {dropBus, NatsBus} from '../src/core/bus/nats.js';
import {startLoopback} from '../test/support/loopback/index.js';
import {publishSevenVenues} from './bus-books.js';
import {CLI, buildBase, median, row} from './lib.js';

const RUNS = Number(process.env.RUNS ?? 21);
const BASE_REF = process.env.XARB_BENCH_BASE;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

const PROBE = ['--import', new URL('cpu-probe.mjs', import.meta.url).href];

/**
 * Runs every case once per round (after one warm-up round), rotating the order; median wall ms and
 * median CPU ms per case.
 */
function alternate(cases: readonly Case[], runs: number): Map<string, {wall: number; cpu: number}> {
  const times = new Map(cases.map((c) => [c.name, {wall: [] as number[], cpu: [] as number[]}]));
  for (let round = -1; round < runs; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + Math.max(round, 0)) % cases.length]!;
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [...PROBE, ...c.args], {env: c.env, stdio: ['ignore', 'ignore', 'ignore', 'pipe']});
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${c.name} exited with ${r.status}`);
      if (round >= 0) {
        times.get(c.name)!.wall.push(ms);
        times.get(c.name)!.cpu.push(Number(String(r.output[3])) / 1000);
      }
    }
  }
  return new Map([...times].map(([name, t]) => [name, {wall: median(t.wall), cpu: median(t.cpu)}]));
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

const env = {...process.env, XARB_NO_DEMO_NOTICE: '1', NO_COLOR: '1'};
const newHome = () => mkdtempSync(join(tmpdir(), 'xarb-bench-'));

// The books `prices --source` reads; without NATS those cases are left out.
const id = `${process.pid}${Date.now().toString(36)}`;
const source = `${process.env.XARB_BENCH_NATS ?? 'nats://127.0.0.1:4222'}?stream=BENCH_${id}&prefix=bench${id}&books=bench-${id}-books&meta=bench-${id}-meta`;
let busNote: string | undefined;
try {
  const bus = await NatsBus.open({url: source, create: true});
  try {
    await publishSevenVenues(bus);
  } finally {
    await bus.close();
  }
} catch (error) {
  busNote = `prices --source left out: ${(error as Error).message.split('\n')[0]}`;
}

const cases: Case[] = [{name: 'node', args: ['-e', ''], env}];
for (const b of builds) {
  // Each build has its own homes; the first (warm-up) run writes the journal marker into config.json.
  cases.push({name: `${b.key} version`, args: [b.cli, '--version'], env: {...env, XARB_HOME: newHome()}});
  cases.push({name: `${b.key} prices`, args: [b.cli, 'prices', 'BTC/USD'], env: {...env, XARB_HOME: newHome()}});
  if (!busNote) cases.push({name: `${b.key} source`, args: [b.cli, 'prices', 'BTC/USD', '--source', source, '--max-age', '1h'], env: {...env, XARB_HOME: newHome()}});
}
process.stdout.write(`${RUNS} rounds of ${cases.length} cases, order rotating per round; wall / CPU medians\n`);
let t: Map<string, {wall: number; cpu: number}>;
try {
  t = alternate(cases, RUNS);
} finally {
  if (!busNote) await dropBus(source);
}
const both = (v: {wall: number; cpu: number}) => `${ms(v.wall)} / ${ms(v.cpu)}`;
const ratios = (a: {wall: number; cpu: number}, b: {wall: number; cpu: number}) => `${ratio(a.wall, b.wall)} / ${ratio(a.cpu, b.cpu)}`;
const node = t.get('node')!;
row("node -e '' (wall / CPU)", both(node));
for (const b of builds) {
  const version = t.get(`${b.key} version`)!;
  const prices = t.get(`${b.key} prices`)!;
  process.stdout.write(`${b.label}\n`);
  row('  xarb --version', both(version));
  row('    ratio to node', ratios(version, node), '<= 2.0x');
  row('  xarb prices BTC/USD, demo venues', both(prices));
  row('    ratio to --version', ratios(prices, version), '<= 1.3x');
  const fromBus = t.get(`${b.key} source`);
  if (fromBus) {
    row('  xarb prices BTC/USD --source nats, 7 venues', both(fromBus));
    row('    ratio to --version', ratios(fromBus, version), '<= 1.3x');
  }
}
if (busNote) process.stdout.write(`${busNote}\n`);
if (base) {
  row('this checkout / base: --version', ratios(t.get('now version')!, t.get('base version')!));
  row('this checkout / base: prices demo', ratios(t.get('now prices')!, t.get('base prices')!));
  if (!busNote) row('this checkout / base: prices --source', ratios(t.get('now source')!, t.get('base source')!));
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
  loopCases.push({name: b.key, args: [b.cli, 'prices', symbol], env: {...env, XARB_HOME: home}});
}
// The warm-up round fills each build's market cache; requests are counted from then on.
const loopRuns = Math.max(5, Math.round(RUNS / 3));
const warm = await alternateAsync(loopCases, loopRuns, () => loop.clearRequests());
const marketsRequests = venues.flatMap((v) => loop.requests(v)).filter((r) => /exchangeInfo|AssetPairs|public\/instruments|Assets/.test(r.path)).length;
await loop.close();
for (const b of builds) {
  const budget = 1.5 * (t.get(`${b.key} version`)!.wall + 200);
  row(`${b.key === 'now' ? 'this checkout' : 'base'}: prices, 3 loopback venues @200 ms, cached`, ms(warm.get(b.key)!), `< ${budget.toFixed(0)} ms = 1.5 x (startup + 200)`);
}
row('  markets requests on cached runs', String(marketsRequests), '0');
