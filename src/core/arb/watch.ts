/**
 * `arb scan --watch`: keeps scanning and reports opportunities that appear
 * and vanish, with their lifetime. The loop lives here; the command only
 * renders each tick.
 *
 * - Quotes are polled every interval (one call per venue); depth comes from
 *   streamed books (Venue.watchOrderBook) where the venue streams, and from
 *   REST otherwise. A stream is opened when a symbol becomes a candidate and
 *   closed after it has not been one for a few ticks.
 * - An opportunity vanishes when a scan no longer finds it. When one of its
 *   venues failed in that scan, it is kept as it was: no data is not "gone".
 * - Venues read from the market-data bus (--source): books are pushed and
 *   each update re-evaluates only the pairs it takes part in (bus-watch.ts).
 * - Every tick's opportunities go to the recorder (journal); vanished ones
 *   are closed there, so `arb history` knows each episode's first and last
 *   sighting.
 */
import {abortableSleep} from '../duration.js';
import {watchIntervalMs} from '../market/prices.js';
import {StreamingBooks} from '../market/streams.js';
import {ArbScanner, type ArbDeps, type ArbScanOptions, type ArbScanResult} from './scan.js';
import type {Clock} from '../types.js';
import type {Opportunity} from './types.js';
import {canWatchOnBus, watchArbOnBus, type BusWatchStats} from './bus-watch.js';

export {StreamingBooks} from '../market/streams.js';

export interface TrackedOpportunity {
  readonly key: string;
  readonly opportunity: Opportunity;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly lifetimeMs: number;
  /** Scans that found it. */
  readonly sightings: number;
}

export interface ArbWatchTick {
  readonly iteration: number;
  readonly at: number;
  readonly result: ArbScanResult;
  readonly appeared: readonly TrackedOpportunity[];
  readonly vanished: readonly TrackedOpportunity[];
  /** Everything alive after this tick, sorted like the scan. */
  readonly active: readonly TrackedOpportunity[];
}

export function opportunityVenues(o: Opportunity): string[] {
  return o.kind === 'cross' ? [o.buy.venue, o.sell.venue] : [o.venue];
}

/** Pure: the next set of live opportunities after one scan. */
export function trackOpportunities(
  previous: ReadonlyMap<string, TrackedOpportunity>,
  current: readonly Opportunity[],
  at: number,
  failedVenues: ReadonlySet<string> = new Set(),
): {next: Map<string, TrackedOpportunity>; appeared: TrackedOpportunity[]; vanished: TrackedOpportunity[]; active: TrackedOpportunity[]} {
  const next = new Map<string, TrackedOpportunity>();
  const appeared: TrackedOpportunity[] = [];
  const active: TrackedOpportunity[] = [];
  for (const o of current) {
    if (next.has(o.key)) continue;
    const prev = previous.get(o.key);
    const t: TrackedOpportunity = prev
      ? {key: o.key, opportunity: o, firstSeen: prev.firstSeen, lastSeen: at, lifetimeMs: at - prev.firstSeen, sightings: prev.sightings + 1}
      : {key: o.key, opportunity: o, firstSeen: at, lastSeen: at, lifetimeMs: 0, sightings: 1};
    if (!prev) appeared.push(t);
    next.set(o.key, t);
    active.push(t);
  }
  const vanished: TrackedOpportunity[] = [];
  for (const [key, t] of previous) {
    if (next.has(key)) continue;
    if (opportunityVenues(t.opportunity).some((v) => failedVenues.has(v))) {
      next.set(key, t);
      active.push(t);
    } else vanished.push(t);
  }
  return {next, appeared, vanished, active};
}

export interface WatchRecorder {
  observe(opportunities: readonly Opportunity[], at: number): void;
  /** Closes the journal episodes of opportunities that vanished. */
  vanish?(keys: readonly string[], at: number): void;
}

export interface ArbWatchOptions {
  /** Time from the start of one scan to the start of the next (default 2 s). */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** Stop after this many scans (tests; default unlimited). */
  readonly maxIterations?: number;
  /** Waits between scans; replaced in tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Bus-fed watch only: counts book updates applied and sequence gaps as they happen. */
  readonly busStats?: BusWatchStats;
}

export async function* watchArb(
  deps: Omit<ArbDeps, 'recorder' | 'books'> & {readonly recorder?: WatchRecorder},
  options: ArbScanOptions,
  watch: ArbWatchOptions = {},
): AsyncGenerator<ArbWatchTick> {
  if (canWatchOnBus(deps.venues, options)) {
    yield* watchArbOnBus(deps, options, watch, watch.busStats);
    return;
  }
  const books = new StreamingBooks();
  const scanner = new ArbScanner({...deps, recorder: deps.recorder, books}, options);
  const interval = watchIntervalMs(watch.intervalMs ?? 2000, deps.venues);
  const scan = async () => {
    books.tick();
    const result = await scanner.scan();
    const failed = new Set(result.venues.filter((v) => !v.ok).map((v) => v.venue));
    for (const f of result.failures) if (f.stage === 'quotes' || f.stage === 'markets') failed.add(f.venue);
    return {result, failed};
  };
  try {
    yield* watchTicks(scan, deps, watch, interval);
  } finally {
    books.close();
  }
}

/**
 * The loop both watches share (polling here, the bus in bus-watch.ts): every
 * interval one scan, then what appeared and vanished since the last (the
 * vanished episodes closed in the journal), one tick, and a wait for the rest
 * of the interval. Recording what a scan found is the scan's part.
 */
export async function* watchTicks(
  scan: () => Promise<{readonly result: ArbScanResult; readonly failed?: ReadonlySet<string>}>,
  deps: {readonly clock: Clock; readonly recorder?: WatchRecorder},
  watch: ArbWatchOptions,
  intervalMs: number,
): AsyncGenerator<ArbWatchTick> {
  const sleep = watch.sleep ?? abortableSleep;
  let live = new Map<string, TrackedOpportunity>();
  for (let iteration = 1; watch.maxIterations === undefined || iteration <= watch.maxIterations; iteration++) {
    if (watch.signal?.aborted) return;
    const started = deps.clock.now();
    const {result, failed} = await scan();
    const step = trackOpportunities(live, result.opportunities, result.generatedAt, failed);
    live = step.next;
    if (step.vanished.length > 0) deps.recorder?.vanish?.(step.vanished.map((t) => t.key), result.generatedAt);
    yield {iteration, at: result.generatedAt, result, appeared: step.appeared, vanished: step.vanished, active: step.active};
    if (watch.maxIterations !== undefined && iteration >= watch.maxIterations) return;
    if (watch.signal?.aborted) return;
    await sleep(Math.max(0, intervalMs - (deps.clock.now() - started)), watch.signal);
  }
}
