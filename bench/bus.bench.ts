/**
 * The market-data bus (NATS JetStream on 127.0.0.1:4222), median of runs.
 *
 * - `prices BTC/USD --source nats://...` on the books of 7 simulated venues
 *   against `xarb --version`. Target: within 1.3x.
 * - Publishing book updates into JetStream (stream + latest-book bucket), as
 *   the collector does. Target: >= 10,000 updates/s.
 * - The cross-venue scan over 20 venues x 3,000 symbols with the books in
 *   memory: today's full scan (screen + depth walks) next to the incremental
 *   engine a bus-fed --watch holds (the current set from held state, and one
 *   book update). Target: < 10 ms CPU. Reading those 60,000 books out of the
 *   bucket is reported separately.
 * - --watch: time from a book update arriving to the updated opportunity set
 *   (in process, and over NATS from publish). Target: < 100 µs median.
 *
 * Uses its own stream and buckets and deletes them at the end.
 */
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {IncrementalCross} from '../src/core/arb/incremental.js';
import {makeValuer} from '../src/core/arb/valuation.js';
import {collect} from '../src/core/bus/collector.js';
import {dropBus, NatsBus} from '../src/core/bus/nats.js';
import type {BusBook} from '../src/core/bus/port.js';
import type {Market, OrderBook} from '../src/core/types.js';
import type {Venue} from '../src/core/venues/port.js';
import {CLI, median, row, timeProcessAsync} from './lib.js';
import {openBaseline} from './bus-baseline.js';
import {publishSevenVenues} from './bus-books.js';
import {crossScan, crossWorld, market, measure, NOW, show} from './worlds.js';

const id = `${process.pid}${Date.now().toString(36)}`;
const source = `${process.env.XARB_BENCH_NATS ?? 'nats://127.0.0.1:4222'}?stream=BENCH_${id}&prefix=bench${id}&books=bench-${id}-books&meta=bench-${id}-meta`;

let bus: NatsBus;
try {
  bus = await NatsBus.open({url: source, create: true});
} catch (error) {
  process.stdout.write(`skipped: ${(error as Error).message}\n`);
  process.exit(0);
}

try {
  // --- prices from the bus, 7 venues ---------------------------------------------------------
  const clock = {now: () => Date.now()};
  const venuesWithBtc = await publishSevenVenues(bus);
  const home = mkdtempSync(join(tmpdir(), 'xarb-bench-bus-'));
  const env = {...process.env, XARB_HOME: home, XARB_NO_DEMO_NOTICE: '1', NO_COLOR: '1'};
  const version = await timeProcessAsync(process.execPath, [CLI, '--version'], env, 11);
  const prices = await timeProcessAsync(process.execPath, [CLI, 'prices', 'BTC/USD', '--source', source, '--max-age', '1h'], env, 11);
  row('xarb --version', `${version.median.toFixed(0)} ms`);
  row(`xarb prices BTC/USD --source nats (7 venues, ${venuesWithBtc} list BTC)`, `${prices.median.toFixed(0)} ms`, `exit ${prices.status}`);
  row('  ratio to --version', `${(prices.median / version.median).toFixed(2)}x`, '<= 1.3x');

  // --- publish rate ---------------------------------------------------------------------------
  // 7 venues x 300 symbols of depth-20 books, rounds interleaved so machine load hits all three alike:
  // the earlier publisher (bench/bus-baseline.ts), the bus's publishBook awaited in a loop, and the
  // collector itself fed by streaming fake venues (sequences, counters, the lost-update callback).
  const venues = 7;
  const symbols = 300;
  const template = crossWorld(1, 1, 3, 20).books.values().next().value!;
  const n = 50_000;
  const baseline = await openBaseline(source);
  const rates = {baseline: [] as number[], bus: [] as number[], collector: [] as number[]};
  const cpu = {baseline: [] as number[], bus: [] as number[], collector: [] as number[]};
  const timed = async (what: keyof typeof rates, fn: () => Promise<number>) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const published = await fn();
    rates[what].push(published / ((performance.now() - t0) / 1000));
    const c = process.cpuUsage(c0);
    cpu[what].push(published / ((c.user + c.system) / 1e6));
  };
  const loop = async (publisher: {publishBook(b: BusBook): Promise<void>; flush(): Promise<void>}, run: number) => {
    for (let i = 0; i < n; i++) {
      await publisher.publishBook({...template, venue: `v${i % venues}`, symbol: `A${i % symbols}/USDT`, timestamp: Date.now(), receivedAt: Date.now(), sequence: run * n + Math.floor(i / (venues * symbols)) + 1});
    }
    await publisher.flush();
    return n;
  };
  const symbolMarkets = Array.from({length: symbols}, (_, i) => market(`A${i}`, 'USDT', 0.001));
  let collectorGaps = 0;
  const viaCollector = async () => {
    const controller = new AbortController();
    let produced = 0;
    const fake = (id: string) =>
      ({
        info: {id, exchange: 'fake', simulated: true, sandbox: false, mode: 'live', hasKeys: false, rateLimitMs: 0, capabilities: {bidsAsks: true, orderBookStream: true, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false}},
        loadMarkets: async () => symbolMarkets,
        async *watchOrderBook(symbol: string) {
          while (produced < n) {
            produced++;
            const now = Date.now();
            yield {...template, venue: id, symbol, timestamp: now, receivedAt: now};
          }
          controller.abort();
        },
      }) as unknown as Venue;
    const last = await collect({venues: Array.from({length: venues}, (_, i) => fake(`c${i}`)), bus, clock, signal: controller.signal, depth: 20, statusMs: 60_000});
    collectorGaps += last.gaps;
    return last.published;
  };
  for (let run = 0; run < 5; run++) {
    await timed('baseline', () => loop(baseline, run));
    await timed('bus', () => loop(bus, run));
    await timed('collector', viaCollector);
  }
  await baseline.close();
  const fmtRate = (x: number[]) => `${Math.round(median(x)).toLocaleString('en-US')}/s`;
  row(`publish ${n.toLocaleString('en-US')} depth-20 book updates (stream + bucket), median of 5`, '');
  row('  before: JSON, unacknowledged publishes (bus-baseline.ts)', fmtRate(rates.baseline));
  row('  now: binary books, acknowledged, pipelined (publishBook)', fmtRate(rates.bus));
  row(`  now: through the collector (${collectorGaps} gap(s))`, fmtRate(rates.collector), '>= 10,000/s');
  row('  per CPU-second of the publishing process: before / bus / collector', `${fmtRate(cpu.baseline)} / ${fmtRate(cpu.bus)} / ${fmtRate(cpu.collector)}`);

  // --- cross-venue scan, 20 venues x 3,000 symbols ------------------------------------------
  const world = crossWorld(20, 3_000, 1, 50);
  row('full scan 20 x 3,000 (screen + depth walks, as bench/arb)', show(measure(() => crossScan(world), 9, 2)));
  const markets = new Map<string, readonly Market[]>(world.snapshots.map((s) => [s.venue, s.markets]));
  const valuer = makeValuer(world.snapshots.flatMap((s) => s.quotes), 'USD');
  const options = {minBps: 0, minProfit: 0, maxAgeMs: 10_000, withTransfer: false, valuer};
  const engine = new IncrementalCross(markets, new Map(), options);
  const books = [...world.books.values()];
  const load = measure(() => engine.load(books, NOW), 1, 0);
  row(`incremental: load 60,000 books (${engine.evaluations.toLocaleString('en-US')} pairs evaluated)`, show(load));
  row('incremental: current opportunity set from held books', show(measure(() => engine.opportunities(NOW), 21, 3)), '< 10 ms cpu');

  // --watch: one update -> updated set, in process
  const lat: number[] = [];
  for (let i = 0; i < 5_000; i++) {
    const b = books[(i * 7919) % books.length]!;
    const bump = 1 + ((i % 5) - 2) * 0.0004;
    const moved: OrderBook = {...b, bids: b.bids.map(([p, s]) => [p * bump, s]), asks: b.asks.map(([p, s]) => [p * bump, s])};
    const t0 = performance.now();
    engine.update(moved, NOW);
    lat.push((performance.now() - t0) * 1000);
  }
  row('--watch: book update -> updated set (in process)', `${median(lat).toFixed(1)} µs`, '< 100 µs');

  // --- books out of the bucket --------------------------------------------------------------
  for (const b of world.books.values()) await bus.publishBook({...b, bids: b.bids.slice(0, 10), asks: b.asks.slice(0, 10), sequence: 1});
  await bus.flush();
  const reads: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    count = (await bus.latestBooks()).length;
    reads.push(performance.now() - t0);
  }
  row(`read ${count.toLocaleString('en-US')} latest books (depth 10) out of the bucket`, `${median(reads).toFixed(0)} ms`);

  // --watch over NATS: publish -> arrival -> updated set
  const controller = new AbortController();
  const transit: number[] = [];
  const target = 500;
  const reading = (async () => {
    for await (const u of bus.watchBooks(controller.signal)) {
      engine.update(u.book, NOW);
      transit.push((performance.now() - (u.book as BusBook & {sentAt: number}).sentAt) * 1000);
      if (transit.length >= target) controller.abort();
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < target; i++) {
    const b = books[(i * 104_729) % books.length]!;
    await bus.publishBook({...b, sequence: 2 + i, sentAt: performance.now()} as BusBook);
    await bus.flush();
  }
  await reading;
  row('--watch over NATS: publish -> updated set', `${median(transit).toFixed(0)} µs`);
} finally {
  await bus.close();
  await dropBus(source);
}
