/**
 * `arb scan --watch` on the market-data bus (cross-venue): books arrive as
 * the collectors publish them and each update re-evaluates only the pairs
 * its book takes part in (incremental.ts). Every interval the current set is
 * compared with the last one (appeared, vanished, lifetime) exactly like the
 * polling watch, and recorded.
 *
 * Every bus message is a full book, so a sequence gap (missed updates) needs
 * no repair beyond applying the newer book; gaps are counted. Updates older
 * than one already applied are ignored.
 */
import {BusVenue} from '../bus/venue.js';
import {SequenceTracker} from '../bus/gaps.js';
import {bookToQuote} from '../market/prices.js';
import type {Currency} from '../types.js';
import {currencyIndex} from './identity.js';
import {IncrementalCross} from './incremental.js';
import {resolveScanOptions, scanSettings, type ArbDeps, type ArbScanOptions, type ArbScanResult} from './scan.js';
import {makeValuer} from './valuation.js';
import {watchTicks, type ArbWatchOptions, type ArbWatchTick, type WatchRecorder} from './watch.js';

/** Whether watchArb can run incrementally: a cross-venue scan whose venues all read the bus. */
export function canWatchOnBus(venues: readonly unknown[], options: ArbScanOptions): boolean {
  return !options.triangular && venues.length > 0 && venues.every((v) => v instanceof BusVenue);
}

export interface BusWatchStats {
  updates: number;
  gaps: number;
  /** Time from an update's arrival to the updated opportunity set, ms, of the last update. */
  lastApplyMs: number;
}

export async function* watchArbOnBus(
  deps: Omit<ArbDeps, 'recorder' | 'books'> & {readonly recorder?: WatchRecorder},
  options: ArbScanOptions,
  watch: ArbWatchOptions = {},
  stats: BusWatchStats = {updates: 0, gaps: 0, lastApplyMs: 0},
): AsyncGenerator<ArbWatchTick> {
  const o = resolveScanOptions(options);
  const venues = deps.venues as BusVenue[];
  const bus = venues[0]!.bus;
  const ids = new Set(venues.map((v) => v.info.id));
  const valuationQuote = deps.valuationQuote ?? 'USD';
  const markets = new Map(await Promise.all(venues.map(async (v) => [v.info.id, await v.loadMarkets()] as const)));
  const currencies = new Map<string, ReadonlyMap<string, Currency> | undefined>(
    await Promise.all(venues.map(async (v) => [v.info.id, v.info.capabilities.currencies ? currencyIndex(await v.fetchCurrencies()) : undefined] as const)),
  );
  const engineOptions = {...o, fees: deps.fees, valuer: makeValuer([], valuationQuote)};
  const engine = new IncrementalCross(markets, currencies, engineOptions);
  const tracker = new SequenceTracker();
  const controller = new AbortController();
  const stop = () => controller.abort();
  watch.signal?.addEventListener('abort', stop, {once: true});
  const key = (venue: string, symbol: string) => `${venue}\u0000${symbol}`;

  // Subscribe first, then read the latest books, so nothing published in between is lost.
  const updates = bus.watchBooks(controller.signal)[Symbol.asyncIterator]();
  const first = updates.next();
  const initial = await bus.latestBooks([...ids]);
  for (const b of initial) tracker.observe(key(b.venue, b.symbol), b.sequence);
  engine.options = {...engineOptions, valuer: makeValuer(initial.map((b) => bookToQuote(b)), valuationQuote)};
  engine.load(initial, deps.clock.now());

  const applying = (async () => {
    for (let next = await first; !next.done; next = await updates.next()) {
      const {book, arrivedAt} = next.value;
      if (!ids.has(book.venue)) continue;
      const step = tracker.observe(key(book.venue, book.symbol), book.sequence);
      if (step.verdict === 'old') continue;
      if (step.verdict === 'gap') stats.gaps++;
      engine.update(book, deps.clock.now());
      stats.updates++;
      stats.lastApplyMs = Date.now() - arrivedAt;
    }
  })().catch(() => {});

  const scan = async () => {
    const now = deps.clock.now();
    engine.options = {...engine.options, valuer: makeValuer(engine.quotes(), valuationQuote)};
    const opportunities = engine.opportunities(now);
    const stale = engine.stale(now);
    const result: ArbScanResult = {
      kind: 'cross',
      generatedAt: now,
      valuationQuote,
      settings: scanSettings(o, false),
      venues: venues.map((v) => ({venue: v.info.id, simulated: v.info.simulated, ok: true, markets: markets.get(v.info.id)?.length ?? 0, quotes: 0, balancesUsed: false})),
      simulatedVenues: venues.filter((v) => v.info.simulated).map((v) => v.info.id),
      screened: engine.symbols,
      cyclesChecked: 0,
      candidates: opportunities.length,
      truncated: 0,
      booksFetched: engine.bookCount,
      opportunities,
      belowThreshold: 0,
      stale: {count: stale.length, items: stale.slice(0, 50)},
      skipped: [],
      failures: [],
      unlisted: [],
    };
    if (opportunities.length > 0) deps.recorder?.observe(opportunities, now);
    return {result};
  };
  try {
    yield* watchTicks(scan, deps, watch, watch.intervalMs ?? 2000);
  } finally {
    controller.abort();
    watch.signal?.removeEventListener('abort', stop);
    await applying;
  }
}
