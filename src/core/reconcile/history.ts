/**
 * Read-only views of past reconcile runs: the list of runs with the open
 * discrepancies and watermarks (`xarb reconcile history`), and one run in
 * full (`xarb reconcile show RUN`). Times are ISO strings in these results.
 */
import {UsageError} from '../errors.js';
import type {Db} from '../journal/db.js';
import {ReconcileRunsRepo, type DiscrepancyRecord, type RunRecord, type VenueResultRecord} from '../journal/reconcile-runs.js';
import type {Clock} from '../types.js';

export interface RunSummary {
  readonly run: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: RunRecord['status'];
  readonly exitCode: number | null;
  readonly fix: boolean;
  readonly venues: readonly string[];
  readonly discrepancies: number;
  readonly repaired: number;
  readonly failedVenues: readonly string[];
}

export interface DiscrepancyView {
  readonly run: number;
  readonly venue: string;
  readonly kind: string;
  readonly ref: string;
  readonly symbol: string | null;
  readonly journal: string | null;
  readonly venueValue: string | null;
  readonly detail: string | null;
  readonly repairable: boolean;
  readonly fixed: boolean;
}

export interface HistoryResult {
  readonly runs: readonly RunSummary[];
  /** Unfixed discrepancies of the latest run that reached each venue. */
  readonly open: readonly DiscrepancyView[];
  readonly watermarks: readonly {readonly venue: string; readonly syncedUntil: string; readonly run: number}[];
}

export interface VenueResultView {
  readonly venue: string;
  readonly status: VenueResultRecord['status'];
  readonly since: string | null;
  readonly ordersSynced: number;
  readonly fillsSynced: number;
  readonly balancesChecked: number;
  readonly inFlight: number;
  readonly discrepancies: number;
  readonly repaired: number;
  readonly watermark: string | null;
  readonly error: string | null;
}

export interface RunDetail extends RunSummary {
  readonly pid: number;
  readonly host: string;
  readonly since: string | null;
  readonly results: readonly VenueResultView[];
  readonly discrepancyList: readonly DiscrepancyView[];
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function view(d: DiscrepancyRecord): DiscrepancyView {
  return {
    run: d.runId,
    venue: d.venue,
    kind: d.kind,
    ref: d.ref,
    symbol: d.symbol ?? null,
    journal: d.journalValue,
    venueValue: d.venueValue,
    detail: d.detail ?? null,
    repairable: d.repairable,
    fixed: d.fixed,
  };
}

function summary(run: RunRecord, results: readonly VenueResultRecord[]): RunSummary {
  return {
    run: run.id,
    startedAt: iso(run.startedAt)!,
    finishedAt: iso(run.finishedAt),
    status: run.status,
    exitCode: run.exitCode ?? null,
    fix: run.fix,
    venues: run.venues,
    discrepancies: results.reduce((n, r) => n + r.discrepancies, 0),
    repaired: results.reduce((n, r) => n + r.repaired, 0),
    failedVenues: results.filter((r) => r.status === 'failed').map((r) => r.venue),
  };
}

export function reconcileHistory(db: Db, clock: Clock, options: {limit?: number; since?: number} = {}): HistoryResult {
  const repo = new ReconcileRunsRepo(db, clock);
  const runs = repo.list(options).map((run) => summary(run, repo.venueResults(run.id)));
  return {
    runs,
    open: repo.openDiscrepancies().map(view),
    watermarks: repo.watermarks().map((w) => ({venue: w.venue, syncedUntil: iso(w.syncedUntil)!, run: w.runId})),
  };
}

export function reconcileRunDetail(db: Db, clock: Clock, id: number): RunDetail {
  const repo = new ReconcileRunsRepo(db, clock);
  const run = repo.get(id);
  if (!run) throw new UsageError(`no reconcile run ${id}`, 'list runs with `xarb reconcile history`');
  const results = repo.venueResults(id);
  return {
    ...summary(run, results),
    pid: run.pid,
    host: run.host,
    since: iso(run.since),
    results: results.map((r) => ({
      venue: r.venue,
      status: r.status,
      since: iso(r.since),
      ordersSynced: r.ordersSynced,
      fillsSynced: r.fillsSynced,
      balancesChecked: r.balancesChecked,
      inFlight: r.inFlight,
      discrepancies: r.discrepancies,
      repaired: r.repaired,
      watermark: iso(r.watermark),
      error: r.error ?? null,
    })),
    discrepancyList: repo.discrepancies(id).map(view),
  };
}
