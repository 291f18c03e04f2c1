import type {Migration} from './index.js';

/**
 * Reconcile runs, what each found per venue, and what each venue has been
 * proven in line up to.
 *
 * - reconcile_runs: one row per run, inserted (status running) once the
 *   reconcile lock is held, finished with the outcome and exit code. A row
 *   still `running` whose process is gone was interrupted; the next run
 *   marks it so.
 * - reconcile_venue_results / reconcile_discrepancies: per venue counts and
 *   every discrepancy with the journal's and the venue's value; `fixed` is
 *   set when --fix repaired it and a re-check confirmed it.
 * - reconcile_watermarks: per venue, the time up to which its orders and
 *   trades were last proven in line; the next run re-reads from there minus
 *   an overlap. Advanced only by a run that left the venue fully in line.
 * - reconcile_baselines: per venue, the venue's balance totals (JSON asset ->
 *   decimal) when it was last in line; the balance check adds the journal
 *   fills after `taken_at`.
 */
export const reconcile: Migration = {
  version: 5,
  name: 'reconcile',
  up: `
    CREATE TABLE reconcile_runs (
      id INTEGER PRIMARY KEY,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      status TEXT NOT NULL CHECK (status IN ('running', 'in_line', 'repaired', 'discrepancies', 'venue_failed', 'failed', 'interrupted')),
      fix INTEGER NOT NULL CHECK (fix IN (0, 1)),
      venues TEXT NOT NULL,
      since INTEGER,
      exit_code INTEGER,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL
    );
    CREATE INDEX reconcile_runs_status ON reconcile_runs (status);

    CREATE TABLE reconcile_venue_results (
      run_id INTEGER NOT NULL REFERENCES reconcile_runs (id),
      venue TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('in_line', 'repaired', 'discrepancies', 'failed')),
      since INTEGER,
      orders_synced INTEGER NOT NULL,
      fills_synced INTEGER NOT NULL,
      balances_checked INTEGER NOT NULL,
      in_flight INTEGER NOT NULL,
      discrepancies INTEGER NOT NULL,
      repaired INTEGER NOT NULL,
      watermark INTEGER,
      error TEXT,
      PRIMARY KEY (run_id, venue)
    );
    CREATE INDEX reconcile_venue_results_venue ON reconcile_venue_results (venue, run_id);

    CREATE TABLE reconcile_discrepancies (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES reconcile_runs (id),
      venue TEXT NOT NULL,
      kind TEXT NOT NULL,
      ref TEXT NOT NULL,
      symbol TEXT,
      journal_value TEXT,
      venue_value TEXT,
      detail TEXT,
      repairable INTEGER NOT NULL CHECK (repairable IN (0, 1)),
      fixed INTEGER NOT NULL DEFAULT 0 CHECK (fixed IN (0, 1))
    );
    CREATE INDEX reconcile_discrepancies_run ON reconcile_discrepancies (run_id, venue);

    CREATE TABLE reconcile_watermarks (
      venue TEXT PRIMARY KEY,
      synced_until INTEGER NOT NULL,
      run_id INTEGER NOT NULL REFERENCES reconcile_runs (id),
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE reconcile_baselines (
      venue TEXT PRIMARY KEY,
      taken_at INTEGER NOT NULL,
      run_id INTEGER NOT NULL REFERENCES reconcile_runs (id),
      totals TEXT NOT NULL
    );
  `,
};
