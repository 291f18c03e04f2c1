/**
 * Opportunity history (tables in migrations/003-arb.ts). `observe` records
 * one scan's opportunities in one transaction: each continues its open
 * episode when the previous sighting is at most `gapMs` old and the episode
 * was not closed, or opens a new one. `vanish` closes episodes (used by
 * `arb scan --watch` when a scan no longer finds them). Rows are mapped to
 * plain types here; nothing above this file sees SQL.
 */
import type {Db} from './db.js';

/**
 * What the journal reads of a scanned opportunity (arb/types.ts's Opportunity
 * satisfies it). Declared here so the journal depends on no layer above it.
 */
interface ObservedLeg {
  readonly venue: string;
  readonly symbol: string;
  readonly topPrice: number;
  readonly feeRate: number;
}
interface ObservedCommon {
  readonly key: string;
  readonly netBps: number;
  readonly netProfit: number;
  readonly netValue?: number | undefined;
}
export type ObservedOpportunity =
  | (ObservedCommon & {readonly kind: 'cross'; readonly buy: ObservedLeg; readonly sell: ObservedLeg; readonly quote: string; readonly quoteGroup?: string | undefined; readonly size: number})
  | (ObservedCommon & {
      readonly kind: 'triangular';
      readonly venue: string;
      readonly assets: readonly string[];
      readonly legs: readonly {readonly symbol: string}[];
      readonly startAmount: number;
      readonly topRate: number;
    });

export interface OpportunityEpisode {
  readonly id: number;
  readonly key: string;
  readonly kind: 'cross' | 'triangular';
  /** Cross: the buy leg's symbol; triangular: the cycle (USD>BTC>ETH). */
  readonly symbol: string;
  /** Cross: the sell leg's symbol; triangular: the legs' symbols, comma-separated. */
  readonly sellSymbol: string;
  readonly buyVenue: string;
  readonly sellVenue: string;
  readonly quote: string;
  readonly quoteGroup: string | undefined;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly closedAt: number | undefined;
  readonly sightings: number;
  readonly bestNetBps: number;
  readonly lastNetBps: number;
  readonly bestNetProfit: number;
  readonly bestNetValue: number | undefined;
  readonly maxSize: number;
}

export interface OpportunityObservation {
  readonly episodeId: number;
  readonly key: string;
  readonly kind: 'cross' | 'triangular';
  readonly symbol: string;
  readonly sellSymbol: string;
  readonly ts: number;
  readonly netBps: number;
  readonly topBps: number;
  readonly size: number;
  readonly netProfit: number;
  readonly netValue: number | undefined;
}

interface EpisodeRow {
  id: number;
  key: string;
  kind: 'cross' | 'triangular';
  symbol: string;
  sell_symbol: string;
  buy_venue: string;
  sell_venue: string;
  quote: string;
  quote_group: string | null;
  first_seen: number;
  last_seen: number;
  closed_at: number | null;
  sightings: number;
  best_net_bps: number;
  last_net_bps: number;
  best_net_profit: number;
  best_net_value: number | null;
  max_size: number;
}

interface ObservationRow {
  opportunity_id: number;
  key: string;
  kind: 'cross' | 'triangular';
  symbol: string;
  sell_symbol: string;
  ts: number;
  net_bps: number;
  top_bps: number;
  size: number;
  net_profit: number;
  net_value: number | null;
}

/** Default continuation gap: a sighting within a minute continues the episode. */
export const EPISODE_GAP_MS = 60_000;

function describe(o: ObservedOpportunity) {
  if (o.kind === 'cross') {
    const topBps = ((o.sell.topPrice * (1 - o.sell.feeRate) - o.buy.topPrice * (1 + o.buy.feeRate)) / o.buy.topPrice) * 10_000;
    return {symbol: o.buy.symbol, sellSymbol: o.sell.symbol, buyVenue: o.buy.venue, sellVenue: o.sell.venue, quote: o.quote, quoteGroup: o.quoteGroup ?? null, size: o.size, topBps};
  }
  return {
    symbol: o.assets.join('>'),
    sellSymbol: o.legs.map((l) => l.symbol).join(','),
    buyVenue: o.venue,
    sellVenue: o.venue,
    quote: o.assets[0]!,
    quoteGroup: null,
    size: o.startAmount,
    topBps: (o.topRate - 1) * 10_000,
  };
}

function toEpisode(r: EpisodeRow): OpportunityEpisode {
  return {
    id: r.id,
    key: r.key,
    kind: r.kind,
    symbol: r.symbol,
    sellSymbol: r.sell_symbol,
    buyVenue: r.buy_venue,
    sellVenue: r.sell_venue,
    quote: r.quote,
    quoteGroup: r.quote_group ?? undefined,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    closedAt: r.closed_at ?? undefined,
    sightings: r.sightings,
    bestNetBps: r.best_net_bps,
    lastNetBps: r.last_net_bps,
    bestNetProfit: r.best_net_profit,
    bestNetValue: r.best_net_value ?? undefined,
    maxSize: r.max_size,
  };
}

export class OpportunitiesRepo {
  private readonly db: Db;
  private readonly gapMs: number;

  constructor(db: Db, options: {gapMs?: number} = {}) {
    this.db = db;
    this.gapMs = options.gapMs ?? EPISODE_GAP_MS;
  }

  /** Records one scan's opportunities; returns the episode id of each, by key. */
  observe(opportunities: readonly ObservedOpportunity[], at: number): Map<string, number> {
    const ids = new Map<string, number>();
    if (opportunities.length === 0) return ids;
    const open = this.db.prepare<{id: number}>(
      'SELECT id FROM arb_opportunities WHERE key = ? AND closed_at IS NULL AND last_seen >= ? AND last_seen <= ? ORDER BY last_seen DESC LIMIT 1',
    );
    const update = this.db.prepare(
      `UPDATE arb_opportunities SET last_seen = @at, sightings = sightings + 1, last_net_bps = @netBps,
         best_net_bps = MAX(best_net_bps, @netBps), best_net_profit = MAX(best_net_profit, @netProfit),
         best_net_value = CASE WHEN CAST(@netValue AS REAL) IS NULL THEN best_net_value ELSE MAX(COALESCE(best_net_value, @netValue), @netValue) END,
         max_size = MAX(max_size, @size)
       WHERE id = @id`,
    );
    const insert = this.db.prepare(
      `INSERT INTO arb_opportunities (key, kind, symbol, sell_symbol, buy_venue, sell_venue, quote, quote_group, first_seen, last_seen, closed_at,
         sightings, best_net_bps, last_net_bps, best_net_profit, best_net_value, max_size)
       VALUES (@key, @kind, @symbol, @sellSymbol, @buyVenue, @sellVenue, @quote, @quoteGroup, @at, @at, NULL, 1, @netBps, @netBps, @netProfit, @netValue, @size)`,
    );
    const observation = this.db.prepare(
      'INSERT INTO arb_observations (opportunity_id, ts, net_bps, top_bps, size, net_profit, net_value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.tx(() => {
      for (const o of opportunities) {
        if (ids.has(o.key)) continue;
        const d = describe(o);
        const values = {at, netBps: o.netBps, netProfit: o.netProfit, netValue: o.netValue ?? null, size: d.size};
        const existing = open.get([o.key, at - this.gapMs, at]);
        let id: number;
        if (existing) {
          id = existing.id;
          update.run({...values, id});
        } else {
          id = Number(insert.run({...values, key: o.key, kind: o.kind, symbol: d.symbol, sellSymbol: d.sellSymbol, buyVenue: d.buyVenue, sellVenue: d.sellVenue, quote: d.quote, quoteGroup: d.quoteGroup}).lastInsertRowid);
        }
        observation.run([id, at, o.netBps, d.topBps, d.size, o.netProfit, o.netValue ?? null]);
        ids.set(o.key, id);
      }
    });
    return ids;
  }

  /** Closes the open episodes of these keys (they vanished at `at`). */
  vanish(keys: readonly string[], at: number): void {
    if (keys.length === 0) return;
    const close = this.db.prepare('UPDATE arb_opportunities SET closed_at = ? WHERE key = ? AND closed_at IS NULL');
    this.db.tx(() => {
      for (const key of keys) close.run([at, key]);
    });
  }

  /** Episodes seen at or after `since`, oldest first. */
  episodes(since: number): OpportunityEpisode[] {
    return this.db
      .prepare<EpisodeRow>('SELECT * FROM arb_opportunities WHERE last_seen >= ? ORDER BY first_seen, id')
      .all([since])
      .map(toEpisode);
  }

  /** Observations at or after `since`, oldest first, with their episode's identity. */
  observations(since: number): OpportunityObservation[] {
    return this.db
      .prepare<ObservationRow>(
        `SELECT o.opportunity_id, e.key, e.kind, e.symbol, e.sell_symbol, o.ts, o.net_bps, o.top_bps, o.size, o.net_profit, o.net_value
         FROM arb_observations o JOIN arb_opportunities e ON e.id = o.opportunity_id
         WHERE o.ts >= ? ORDER BY o.ts, o.id`,
      )
      .all([since])
      .map((r) => ({
        episodeId: r.opportunity_id,
        key: r.key,
        kind: r.kind,
        symbol: r.symbol,
        sellSymbol: r.sell_symbol,
        ts: r.ts,
        netBps: r.net_bps,
        topBps: r.top_bps,
        size: r.size,
        netProfit: r.net_profit,
        netValue: r.net_value ?? undefined,
      }));
  }
}
