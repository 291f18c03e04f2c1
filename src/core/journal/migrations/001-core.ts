import type {Migration} from './index.js';

export const core: Migration = {
  version: 1,
  name: 'core',
  up: `
    -- Append-only log of everything that changed state (orders, fixes, risk, transfers).
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      kind TEXT NOT NULL,
      venue TEXT,
      ref TEXT,
      data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_kind_ts ON events (kind, ts);
    CREATE INDEX events_ref ON events (ref);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

    -- Venue metadata cache (markets, currencies), payload owned by the venue adapter.
    CREATE TABLE market_cache (
      venue TEXT NOT NULL,
      kind TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      fetched_at INTEGER NOT NULL,
      payload TEXT NOT NULL,
      PRIMARY KEY (venue, kind)
    );

    -- Every prices run records its quotes.
    CREATE TABLE price_snapshots (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      venue TEXT NOT NULL,
      symbol TEXT NOT NULL,
      bid REAL,
      bid_size REAL,
      ask REAL,
      ask_size REAL,
      quote_ts INTEGER NOT NULL
    );
    CREATE INDEX price_snapshots_symbol_ts ON price_snapshots (symbol, ts);

    -- Measured request latency per venue and operation (for --route fastest).
    CREATE TABLE latency (
      id INTEGER PRIMARY KEY,
      venue TEXT NOT NULL,
      op TEXT NOT NULL,
      ms REAL NOT NULL,
      ts INTEGER NOT NULL
    );
    CREATE INDEX latency_venue_ts ON latency (venue, ts);

    -- Advisory locks (reconcile, rebalance): one row per held lock.
    CREATE TABLE locks (
      name TEXT PRIMARY KEY,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      acquired_at INTEGER NOT NULL
    );
  `,
};
