import type {Migration} from './index.js';

/**
 * Balance snapshots. Every `xarb balances` (and `positions`) run writes one
 * balance_runs row, one balance_snapshots row per venue asked (ok, or failed
 * with the error), and the assets of each venue that answered. Values are
 * decimal TEXT in the run's quote asset. A failed venue's `value` is the value
 * of its last good snapshot at this run's prices (NULL when it has none), so
 * the history of a total can be summed per venue.
 */
export const portfolio: Migration = {
  version: 4,
  name: 'portfolio',
  up: `
    CREATE TABLE balance_runs (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      quote TEXT NOT NULL,
      method TEXT NOT NULL CHECK (method IN ('mid', 'bid')),
      total_value TEXT NOT NULL,
      partial INTEGER NOT NULL CHECK (partial IN (0, 1)),
      all_venues INTEGER NOT NULL CHECK (all_venues IN (0, 1))
    );
    CREATE INDEX balance_runs_ts ON balance_runs (ts);

    CREATE TABLE balance_snapshots (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES balance_runs (id),
      venue TEXT NOT NULL,
      ts INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
      error TEXT,
      value TEXT,
      unpriced INTEGER NOT NULL DEFAULT 0,
      UNIQUE (run_id, venue)
    );
    CREATE INDEX balance_snapshots_venue ON balance_snapshots (venue, status, ts);

    CREATE TABLE balance_snapshot_assets (
      snapshot_id INTEGER NOT NULL REFERENCES balance_snapshots (id),
      asset TEXT NOT NULL,
      free TEXT NOT NULL,
      used TEXT NOT NULL,
      total TEXT NOT NULL,
      price REAL,
      value TEXT,
      PRIMARY KEY (snapshot_id, asset)
    ) WITHOUT ROWID;
  `,
};
