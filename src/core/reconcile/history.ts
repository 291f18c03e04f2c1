/**
 * Read-only views of past reconcile runs: the list of runs with the open
 * discrepancies and watermarks (`xarb reconcile history`), and one run in
 * full (`xarb reconcile show RUN`). Times are ISO strings in these results.
 */
import {UsageError} from '../errors.js';
import type {Db} from '../journal/db.js';
import {ReconcileRunsRepo, type Ack, type DiscrepancyRecord, type RunRecord, type VenueResultRecord} from '../journal/reconcile-runs.js';
import {acknowledgementOf} from './acks.js';
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
  /** `xarb reconcile ack ID` acknowledges it. */
  readonly id: number;
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
  /** Acknowledged by a person (`xarb reconcile ack`); it no longer sets reconcile's exit code. */
  readonly acknowledged: boolean;
}

export interface HistoryResult {
  readonly runs: readonly RunSummary[];
  /** Unfixed, unacknowledged discrepancies of the latest run that reached each venue. */
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

function viewer(acks: readonly Ack[]): (d: DiscrepancyRecord) => DiscrepancyView {
  return (d) => ({
    id: d.id,
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
    acknowledged: acknowledgementOf(d, acks) !== undefined,
  });
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
    open: repo.openDiscrepancies().map(viewer(repo.acks())).filter((d) => !d.acknowledged),
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
    discrepancyList: repo.discrepancies(id).map(viewer(repo.acks())),
  };
}

export interface AckResult {
  readonly discrepancy: DiscrepancyView;
  readonly note: string;
  /** The `reconcile.ack` event that records it. */
  readonly event: number;
  readonly at: string;
}

/**
 * `xarb reconcile ack ID --note TEXT`: records that a person looked at
 * discrepancy ID (a `reconcile.ack` event); from then on it no longer sets
 * reconcile's exit code (see acks.ts for what it covers).
 */
export function acknowledgeDiscrepancy(db: Db, clock: Clock, id: number, note: string): AckResult {
  const repo = new ReconcileRunsRepo(db, clock);
  const text = note.trim();
  if (text === '') throw new UsageError('--note must say why the discrepancy is accepted', 'e.g. --note "deposit made by hand on 2025-01-15"');
  const found = repo.discrepancy(id);
  if (!found) throw new UsageError(`no reconcile discrepancy ${id}`, 'see the ids with `xarb reconcile history` or `xarb reconcile show RUN`');
  if (found.fixed) throw new UsageError(`discrepancy ${id} was already repaired by run ${found.runId}; nothing to acknowledge`);
  const ack = repo.acknowledge(id, text)!;
  return {discrepancy: viewer(repo.acks())(found), note: ack.note, event: ack.event, at: iso(ack.at)!};
}
