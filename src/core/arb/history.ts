/**
 * `arb history`: summaries of recorded opportunities, pure. Episodes (one
 * per continuous sighting of an opportunity) are grouped by opportunity key;
 * observations give the spread over time for a symbol, bucketed for a chart
 * (the best net bps seen in each bucket; empty buckets stay empty rather
 * than being drawn as zero).
 */
import type {OpportunityEpisode, OpportunityObservation} from '../journal/opportunities.js';

/** One opportunity over a period: its episodes together. Fields it shares with an episode mean the same there. */
export interface ArbHistoryRow
  extends Pick<
    OpportunityEpisode,
    'key' | 'kind' | 'symbol' | 'sellSymbol' | 'buyVenue' | 'sellVenue' | 'quote' | 'quoteGroup' | 'sightings' | 'firstSeen' | 'lastSeen' | 'bestNetBps' | 'bestNetProfit' | 'bestNetValue' | 'maxSize'
  > {
  readonly episodes: number;
  /** Sum of episode lifetimes (last - first sighting). */
  readonly totalLifetimeMs: number;
  readonly longestLifetimeMs: number;
  /** Mean net bps over all sightings in the period. */
  readonly avgNetBps: number | undefined;
}

export interface SpreadSeries {
  readonly symbol: string;
  readonly bucketMs: number;
  /** Bucket start times and the best net / top-of-book bps seen in each (undefined: nothing seen). */
  readonly points: readonly {readonly ts: number; readonly netBps: number | undefined; readonly topBps: number | undefined}[];
  readonly observations: number;
}

export interface ArbHistoryResult {
  readonly since: number;
  readonly until: number;
  readonly symbol: string | undefined;
  readonly episodes: number;
  readonly opportunities: readonly ArbHistoryRow[];
  /** Present when a symbol was asked for. */
  readonly series: SpreadSeries | undefined;
}

/** Does an episode or observation concern a canonical symbol? */
export function concerns(e: {kind: 'cross' | 'triangular'; symbol: string; sellSymbol: string}, symbol: string): boolean {
  if (e.kind === 'cross') return e.symbol === symbol || e.sellSymbol === symbol;
  return e.sellSymbol.split(',').includes(symbol);
}

export function summarizeHistory(
  episodes: readonly OpportunityEpisode[],
  observations: readonly OpportunityObservation[],
  options: {since: number; now: number; symbol?: string; buckets?: number},
): ArbHistoryResult {
  const symbol = options.symbol;
  const eps = symbol ? episodes.filter((e) => concerns(e, symbol)) : episodes;
  const obs = symbol ? observations.filter((o) => concerns(o, symbol)) : observations;
  const bpsByKey = new Map<string, {sum: number; n: number}>();
  for (const o of obs) {
    const s = bpsByKey.get(o.key) ?? {sum: 0, n: 0};
    s.sum += o.netBps;
    s.n++;
    bpsByKey.set(o.key, s);
  }
  const rows = new Map<string, ArbHistoryRow>();
  for (const e of eps) {
    const life = e.lastSeen - e.firstSeen;
    const prev = rows.get(e.key);
    const avg = bpsByKey.get(e.key);
    if (!prev) {
      rows.set(e.key, {
        key: e.key,
        kind: e.kind,
        symbol: e.symbol,
        sellSymbol: e.sellSymbol,
        buyVenue: e.buyVenue,
        sellVenue: e.sellVenue,
        quote: e.quote,
        quoteGroup: e.quoteGroup,
        episodes: 1,
        sightings: e.sightings,
        firstSeen: e.firstSeen,
        lastSeen: e.lastSeen,
        totalLifetimeMs: life,
        longestLifetimeMs: life,
        bestNetBps: e.bestNetBps,
        avgNetBps: avg ? avg.sum / avg.n : undefined,
        bestNetProfit: e.bestNetProfit,
        bestNetValue: e.bestNetValue,
        maxSize: e.maxSize,
      });
      continue;
    }
    rows.set(e.key, {
      ...prev,
      episodes: prev.episodes + 1,
      sightings: prev.sightings + e.sightings,
      firstSeen: Math.min(prev.firstSeen, e.firstSeen),
      lastSeen: Math.max(prev.lastSeen, e.lastSeen),
      totalLifetimeMs: prev.totalLifetimeMs + life,
      longestLifetimeMs: Math.max(prev.longestLifetimeMs, life),
      bestNetBps: Math.max(prev.bestNetBps, e.bestNetBps),
      bestNetProfit: Math.max(prev.bestNetProfit, e.bestNetProfit),
      bestNetValue: e.bestNetValue === undefined ? prev.bestNetValue : Math.max(prev.bestNetValue ?? -Infinity, e.bestNetValue),
      maxSize: Math.max(prev.maxSize, e.maxSize),
    });
  }
  const list = [...rows.values()].sort(
    (a, b) => (b.bestNetValue ?? b.bestNetProfit) - (a.bestNetValue ?? a.bestNetProfit) || b.totalLifetimeMs - a.totalLifetimeMs || (a.key < b.key ? -1 : 1),
  );
  return {
    since: options.since,
    until: options.now,
    symbol,
    episodes: eps.length,
    opportunities: list,
    series: symbol ? spreadSeries(obs, symbol, options.since, options.now, options.buckets ?? 60) : undefined,
  };
}

export function spreadSeries(observations: readonly OpportunityObservation[], symbol: string, since: number, until: number, buckets: number): SpreadSeries {
  const n = Math.max(1, Math.floor(buckets));
  const span = Math.max(1, until - since);
  const bucketMs = Math.ceil(span / n);
  const net: (number | undefined)[] = new Array(n).fill(undefined);
  const top: (number | undefined)[] = new Array(n).fill(undefined);
  let count = 0;
  for (const o of observations) {
    if (o.ts < since || o.ts > until) continue;
    const i = Math.min(n - 1, Math.floor((o.ts - since) / bucketMs));
    net[i] = net[i] === undefined ? o.netBps : Math.max(net[i]!, o.netBps);
    top[i] = top[i] === undefined ? o.topBps : Math.max(top[i]!, o.topBps);
    count++;
  }
  return {symbol, bucketMs, observations: count, points: net.map((v, i) => ({ts: since + i * bucketMs, netBps: v, topBps: top[i]}))};
}
