import type {Migration} from './index.js';

/**
 * Opportunity history. One arb_opportunities row per episode: an
 * opportunity (key = kind + symbol/cycle + venues) from the scan that first
 * saw it until the scan that saw it last. A later sighting continues the
 * open episode when it comes within the continuation gap (see
 * src/core/journal/opportunities.ts) and the episode was not closed by
 * `--watch` seeing it vanish; otherwise it starts a new episode. Every
 * sighting also adds an arb_observations row (the spread-over-time chart).
 * Figures are analytics (REAL); profits are in the row's `quote`.
 */
export const arb: Migration = {
  version: 3,
  name: 'arb',
  up: `
    CREATE TABLE arb_opportunities (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('cross', 'triangular')),
      -- cross: the buy leg's symbol; triangular: the cycle, e.g. USD>BTC>ETH
      symbol TEXT NOT NULL,
      -- cross: the sell leg's symbol (differs under a quote group); triangular: the legs, comma-separated
      sell_symbol TEXT NOT NULL,
      buy_venue TEXT NOT NULL,
      sell_venue TEXT NOT NULL,
      quote TEXT NOT NULL,
      quote_group TEXT,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      closed_at INTEGER,
      sightings INTEGER NOT NULL,
      best_net_bps REAL NOT NULL,
      last_net_bps REAL NOT NULL,
      best_net_profit REAL NOT NULL,
      best_net_value REAL,
      max_size REAL NOT NULL
    );
    CREATE INDEX arb_opportunities_key ON arb_opportunities (key, last_seen);
    CREATE INDEX arb_opportunities_last_seen ON arb_opportunities (last_seen);

    CREATE TABLE arb_observations (
      id INTEGER PRIMARY KEY,
      opportunity_id INTEGER NOT NULL REFERENCES arb_opportunities (id),
      ts INTEGER NOT NULL,
      net_bps REAL NOT NULL,
      -- net bps at the top of the book (before depth), for comparison with net_bps
      top_bps REAL NOT NULL,
      size REAL NOT NULL,
      net_profit REAL NOT NULL,
      net_value REAL
    );
    CREATE INDEX arb_observations_opportunity_ts ON arb_observations (opportunity_id, ts);
    CREATE INDEX arb_observations_ts ON arb_observations (ts);
  `,
};
