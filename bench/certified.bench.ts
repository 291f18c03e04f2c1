/**
 * `xarb prices BTC/USDT` on the seven certified venues (binance, kraken, okx, coinbase, bybit,
 * bitget, gate), each a loopback server answering every request after 200 ms, markets cached in
 * the journal (the warm-up round fills the cache). Target: within 1.3x of the baseline
 *   `xarb --version` + 200 ms + the time to import those seven ccxt classes,
 * all measured side by side in one run: each round runs every case once, in an order that
 * rotates from round to round. The import time is one process importing the seven class files
 * (as xarb does, in parallel) minus `node -e ''`. Also counts the requests of the cached runs:
 * one quote request per venue (a one-level book on coinbase and gate, whose keyless quote that
 * is) and no markets request. BTC/USDT: the symbol all seven list.
 *
 * XARB_BENCH_BASE=<git ref> (e.g. main) also builds that commit (see lib.ts buildBase) and times its
 * `prices` in the same rounds, with its own market cache.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {allVenuesScenario, startLoopback} from '../test/support/loopback/index.js';
import {CLI, buildBase, median, row} from './lib.js';

const RUNS = Number(process.env.RUNS ?? 11);
const LATENCY_MS = 200;
const VENUES = ['binance', 'kraken', 'okx', 'coinbase', 'bybit', 'bitget', 'gate'];
const SYMBOL = 'BTC/USDT';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

const loop = await startLoopback({scenario: allVenuesScenario()});
try {
  for (const v of VENUES) loop.fault(v, /.*/, {kind: 'latency', ms: LATENCY_MS, times: Number.POSITIVE_INFINITY});
  const config = {venues: Object.fromEntries(VENUES.map((v) => [v, {exchange: v, mode: 'paper', apiBaseUrl: loop.baseUrl(v)}]))};
  const homeWithConfig = () => {
    const home = mkdtempSync(join(tmpdir(), 'xarb-bench-certified-'));
    writeFileSync(join(home, 'config.json'), JSON.stringify(config));
    return home;
  };
  const env = {...process.env, XARB_HOME: homeWithConfig(), XARB_NO_DEMO_NOTICE: '1', NO_COLOR: '1'};
  const base = process.env.XARB_BENCH_BASE ? buildBase(process.env.XARB_BENCH_BASE) : undefined;

  // The seven class files, imported in parallel by one process (the cost xarb pays for them).
  const importScript = `const entry = import.meta.resolve('ccxt');
await Promise.all(${JSON.stringify(VENUES)}.map((id) => import(new URL('./src/' + id + '.js', entry).href)));`;
  const cases: Case[] = [
    {name: 'node', args: ['-e', ''], env},
    {name: 'import', args: ['--input-type=module', '-e', importScript], env},
    {name: 'version', args: [CLI, '--version'], env},
    {name: 'prices', args: [CLI, 'prices', SYMBOL], env},
    ...(base ? [{name: 'base prices', args: [base.cli, 'prices', SYMBOL], env: {...env, XARB_HOME: homeWithConfig()}}] : []),
  ];

  const once = (c: Case) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, c.args, {cwd: process.cwd(), env: c.env, stdio: ['ignore', 'ignore', 'pipe']});
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (status) => (status === 0 ? resolve(performance.now() - t0) : reject(new Error(`${c.name} exited with ${status}: ${stderr}`))));
    });
  const times = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = -1; round < RUNS; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + Math.max(round, 0)) % cases.length]!;
      const ms = await once(c);
      if (round >= 0) times.get(c.name)!.push(ms);
    }
    // The warm-up round filled the market cache; requests are counted from then on.
    if (round === -1) loop.clearRequests();
  }
  const t = new Map([...times].map(([name, list]) => [name, median(list)]));
  const requests = VENUES.flatMap((v) => loop.requests(v));
  const marketsRequests = requests.filter((r) => /exchangeInfo|AssetPairs|public\/instruments|Assets|market\/products$|currencies|exchange-rates|market\/instruments-info|spot\/public\/symbols|spot\/currency_pairs|spot\/currencies|public\/coins/.test(r.path)).length;

  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const imports = Math.max(0, t.get('import')! - t.get('node')!);
  const baseline = t.get('version')! + LATENCY_MS + imports;
  const prices = t.get('prices')!;
  process.stdout.write(`${RUNS} rounds of ${cases.length} cases, order rotating per round; ${VENUES.length} loopback venues, ${LATENCY_MS} ms per request\n`);
  row("node -e '' (median)", ms(t.get('node')!));
  row('import the 7 ccxt classes (median, minus node)', ms(imports));
  row('xarb --version (median)', ms(t.get('version')!));
  row(`baseline: --version + ${LATENCY_MS} ms + imports`, ms(baseline));
  row(`xarb prices ${SYMBOL}, 7 certified venues @${LATENCY_MS} ms, cached (median)`, ms(prices), `<= ${ms(1.3 * baseline)} = 1.3 x baseline`);
  row('  ratio to baseline', `${(prices / baseline).toFixed(2)}x`, '<= 1.30x');
  if (base) {
    const before = t.get('base prices')!;
    row(`${base.label}: prices, same venues (median)`, ms(before));
    row('  its ratio to baseline', `${(before / baseline).toFixed(2)}x`);
  }
  row('  requests per cached run (all venues, all builds)', (requests.length / RUNS).toFixed(1));
  row('  markets requests on cached runs', String(marketsRequests), '0');
} finally {
  await loop.close();
}
