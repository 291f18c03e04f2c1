/**
 * Reconcile run records, per-venue results, discrepancies, watermarks and
 * balance baselines (migration 005). Rows are mapped to plain readonly
 * values here; the reconcile shell decides what to write.
 *
 * Invariants:
 * - A run is inserted `running` only by the holder of the reconcile lock, so
 *   at most one run is `running` and alive; any other `running` row belongs
 *   to a dead process and `markInterrupted` closes it.
 * - A venue's results and discrepancies are written in one transaction.
 * - Open discrepancies are the unfixed ones of the latest run that reached
 *   each venue (a newer run that reached the venue supersedes older ones).
 */
import type {Clock} from '../types.js';
import type {Db} from './db.js';
import {EventsRepo} from './events.js';
import {dec, sub} from '../money/decimal.js';

export type RunStatus = 'running' | 'in_line' | 'repaired' | 'discrepancies' | 'venue_failed' | 'failed' | 'interrupted';
export type VenueRunStatus = 'in_line' | 'repaired' | 'discrepancies' | 'failed';

export interface RunRecord {
  readonly id: number;
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  readonly status: RunStatus;
  readonly fix: boolean;
  readonly venues: readonly string[];
  /** --since given for this run, if any (ms). */
  readonly since: number | undefined;
  readonly exitCode: number | undefined;
  readonly pid: number;
  readonly host: string;
}

export interface VenueResultRecord {
  readonly runId: number;
  readonly venue: string;
  readonly status: VenueRunStatus;
  /** Start of the window the run compared (ms), undefined for all history. */
  readonly since: number | undefined;
  readonly ordersSynced: number;
  readonly fillsSynced: number;
  readonly balancesChecked: number;
  readonly inFlight: number;
  readonly discrepancies: number;
  readonly repaired: number;
  /** The watermark after the run (advanced only when the venue ended in line). */
  readonly watermark: number | undefined;
  readonly error: string | undefined;
}

export interface DiscrepancyInput {
  readonly venue: string;
  readonly kind: string;
  readonly ref: string;
  readonly symbol: string | undefined;
  readonly journalValue: string | null;
  readonly venueValue: string | null;
  readonly detail: string | undefined;
  readonly repairable: boolean;
  readonly fixed: boolean;
}

export interface DiscrepancyRecord extends DiscrepancyInput {
  readonly id: number;
  readonly runId: number;
}

/** The event kind of an acknowledgement (see core/reconcile/acks.ts). */
export const ACK_EVENT = 'reconcile.ack';

/** What an acknowledgement (one `reconcile.ack` event) says. */
export interface Ack {
  readonly event: number;
  readonly discrepancy: number;
  readonly venue: string;
  readonly kind: string;
  readonly ref: string;
  readonly symbol: string | null;
  /** For balance differences: venue value - journal value, as acknowledged. */
  readonly difference: string | null;
  readonly note: string;
  readonly at: number;
}

/** venue value - journal value of a discrepancy, or null when either side is missing. */
export function balanceDifference(d: {readonly journalValue: string | null; readonly venueValue: string | null}): string | null {
  if (d.journalValue === null || d.venueValue === null) return null;
  return sub(dec(d.venueValue), dec(d.journalValue));
}

export interface Watermark {
  readonly venue: string;
  readonly syncedUntil: number;
  readonly runId: number;
  readonly updatedAt: number;
}

export interface Baseline {
  readonly venue: string;
  readonly takenAt: number;
  readonly runId: number;
  /** asset -> total (decimal string). */
  readonly totals: ReadonlyMap<string, string>;
}

interface RunRow {
  id: number;
  started_at: number;
  finished_at: number | null;
  status: RunStatus;
  fix: number;
  venues: string;
  since: number | null;
  exit_code: number | null;
  pid: number;
  host: string;
}

interface VenueRow {
  run_id: number;
  venue: string;
  status: VenueRunStatus;
  since: number | null;
  orders_synced: number;
  fills_synced: number;
  balances_checked: number;
  in_flight: number;
  discrepancies: number;
  repaired: number;
  watermark: number | null;
  error: string | null;
}

interface DiscrepancyRow {
  id: number;
  run_id: number;
  venue: string;
  kind: string;
  ref: string;
  symbol: string | null;
  journal_value: string | null;
  venue_value: string | null;
  detail: string | null;
  repairable: number;
  fixed: number;
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at ?? undefined,
    status: row.status,
    fix: row.fix === 1,
    venues: JSON.parse(row.venues) as string[],
    since: row.since ?? undefined,
    exitCode: row.exit_code ?? undefined,
    pid: row.pid,
    host: row.host,
  };
}

function toVenue(row: VenueRow): VenueResultRecord {
  return {
    runId: row.run_id,
    venue: row.venue,
    status: row.status,
    since: row.since ?? undefined,
    ordersSynced: row.orders_synced,
    fillsSynced: row.fills_synced,
    balancesChecked: row.balances_checked,
    inFlight: row.in_flight,
    discrepancies: row.discrepancies,
    repaired: row.repaired,
    watermark: row.watermark ?? undefined,
    error: row.error ?? undefined,
  };
}

function toDiscrepancy(row: DiscrepancyRow): DiscrepancyRecord {
  return {
    id: row.id,
    runId: row.run_id,
    venue: row.venue,
    kind: row.kind,
    ref: row.ref,
    symbol: row.symbol ?? undefined,
    journalValue: row.journal_value,
    venueValue: row.venue_value,
    detail: row.detail ?? undefined,
    repairable: row.repairable === 1,
    fixed: row.fixed === 1,
  };
}

export class ReconcileRunsRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Closes runs left `running` by a dead process. Call while holding the reconcile lock. */
  markInterrupted(): number[] {
    return this.db.tx(() => {
      const ids = this.db.prepare<{id: number}>("SELECT id FROM reconcile_runs WHERE status = 'running'").all().map((r) => r.id);
      if (ids.length > 0) this.db.prepare("UPDATE reconcile_runs SET status = 'interrupted' WHERE status = 'running'").run();
      return ids;
    });
  }

  start(input: {venues: readonly string[]; fix: boolean; since: number | undefined; pid: number; host: string}): RunRecord {
    const now = this.clock.now();
    const info = this.db
      .prepare("INSERT INTO reconcile_runs (started_at, status, fix, venues, since, pid, host) VALUES (?, 'running', ?, ?, ?, ?, ?)")
      .run([now, input.fix ? 1 : 0, JSON.stringify(input.venues), input.since ?? null, input.pid, input.host]);
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** Writes one venue's result and its discrepancies together; returns the discrepancies' ids, in order. */
  recordVenue(result: VenueResultRecord, discrepancies: readonly DiscrepancyInput[]): number[] {
    return this.db.tx(() => {
      this.db
        .prepare(
          `INSERT INTO reconcile_venue_results (run_id, venue, status, since, orders_synced, fills_synced, balances_checked, in_flight, discrepancies, repaired, watermark, error)
           VALUES (:run, :venue, :status, :since, :orders, :fills, :balances, :inflight, :discrepancies, :repaired, :watermark, :error)`,
        )
        .run({
          run: result.runId,
          venue: result.venue,
          status: result.status,
          since: result.since ?? null,
          orders: result.ordersSynced,
          fills: result.fillsSynced,
          balances: result.balancesChecked,
          inflight: result.inFlight,
          discrepancies: result.discrepancies,
          repaired: result.repaired,
          watermark: result.watermark ?? null,
          error: result.error ?? null,
        });
      const insert = this.db.prepare(
        `INSERT INTO reconcile_discrepancies (run_id, venue, kind, ref, symbol, journal_value, venue_value, detail, repairable, fixed)
         VALUES (:run, :venue, :kind, :ref, :symbol, :journal, :venueValue, :detail, :repairable, :fixed)`,
      );
      const ids: number[] = [];
      for (const d of discrepancies) {
        const info = insert.run({
          run: result.runId,
          venue: d.venue,
          kind: d.kind,
          ref: d.ref,
          symbol: d.symbol ?? null,
          journal: d.journalValue,
          venueValue: d.venueValue,
          detail: d.detail ?? null,
          repairable: d.repairable ? 1 : 0,
          fixed: d.fixed ? 1 : 0,
        });
        ids.push(Number(info.lastInsertRowid));
      }
      return ids;
    });
  }

  discrepancy(id: number): DiscrepancyRecord | undefined {
    const row = this.db.prepare<DiscrepancyRow>('SELECT * FROM reconcile_discrepancies WHERE id = ?').get([id]);
    return row ? toDiscrepancy(row) : undefined;
  }

  /** Records that a person looked at discrepancy `id` (a `reconcile.ack` event); returns the acknowledgement. */
  acknowledge(id: number, note: string): Ack | undefined {
    const d = this.discrepancy(id);
    if (!d) return undefined;
    const difference = d.kind === 'balance_differs' ? balanceDifference(d) : null;
    const data = {discrepancy: id, run: d.runId, kind: d.kind, symbol: d.symbol ?? null, journal: d.journalValue, venue: d.venueValue, difference, note};
    const event = new EventsRepo(this.db, this.clock).append({kind: ACK_EVENT, venue: d.venue, ref: d.ref, data});
    return this.acks(d.venue).find((a) => a.event === event);
  }

  /** Every acknowledgement (of one venue), oldest first. */
  acks(venue?: string): Ack[] {
    return new EventsRepo(this.db, this.clock)
      .list({kind: ACK_EVENT, ...(venue === undefined ? {} : {venue}), limit: 1_000_000})
      .reverse()
      .map((e) => ({
        event: e.id,
        discrepancy: Number(e.data.discrepancy),
        venue: e.venue ?? '',
        kind: String(e.data.kind),
        ref: e.ref ?? '',
        symbol: typeof e.data.symbol === 'string' ? e.data.symbol : null,
        difference: typeof e.data.difference === 'string' ? e.data.difference : null,
        note: String(e.data.note ?? ''),
        at: e.ts,
      }));
  }

  finish(runId: number, status: Exclude<RunStatus, 'running' | 'interrupted'>, exitCode: number): RunRecord {
    this.db.prepare('UPDATE reconcile_runs SET status = ?, exit_code = ?, finished_at = ? WHERE id = ?').run([status, exitCode, this.clock.now(), runId]);
    return this.get(runId)!;
  }

  get(id: number): RunRecord | undefined {
    const row = this.db.prepare<RunRow>('SELECT * FROM reconcile_runs WHERE id = ?').get([id]);
    return row ? toRun(row) : undefined;
  }

  /** Newest first. */
  list(options: {limit?: number; since?: number} = {}): RunRecord[] {
    return this.db
      .prepare<RunRow>('SELECT * FROM reconcile_runs WHERE started_at >= ? ORDER BY id DESC LIMIT ?')
      .all([options.since ?? 0, options.limit ?? 20])
      .map(toRun);
  }

  venueResults(runId: number): VenueResultRecord[] {
    return this.db.prepare<VenueRow>('SELECT * FROM reconcile_venue_results WHERE run_id = ? ORDER BY venue').all([runId]).map(toVenue);
  }

  discrepancies(runId: number): DiscrepancyRecord[] {
    return this.db.prepare<DiscrepancyRow>('SELECT * FROM reconcile_discrepancies WHERE run_id = ? ORDER BY venue, id').all([runId]).map(toDiscrepancy);
  }

  /** Unfixed discrepancies of the latest run that reached each venue. */
  openDiscrepancies(): DiscrepancyRecord[] {
    return this.db
      .prepare<DiscrepancyRow>(
        `SELECT d.* FROM reconcile_discrepancies d
         JOIN (SELECT venue, MAX(run_id) AS run_id FROM reconcile_venue_results WHERE status != 'failed' GROUP BY venue) latest
           ON latest.venue = d.venue AND latest.run_id = d.run_id
         WHERE d.fixed = 0
         ORDER BY d.venue, d.id`,
      )
      .all()
      .map(toDiscrepancy);
  }

  watermark(venue: string): Watermark | undefined {
    const row = this.db.prepare<{venue: string; synced_until: number; run_id: number; updated_at: number}>('SELECT * FROM reconcile_watermarks WHERE venue = ?').get([venue]);
    return row ? {venue: row.venue, syncedUntil: row.synced_until, runId: row.run_id, updatedAt: row.updated_at} : undefined;
  }

  watermarks(): Watermark[] {
    return this.db
      .prepare<{venue: string; synced_until: number; run_id: number; updated_at: number}>('SELECT * FROM reconcile_watermarks ORDER BY venue')
      .all()
      .map((row) => ({venue: row.venue, syncedUntil: row.synced_until, runId: row.run_id, updatedAt: row.updated_at}));
  }

  /** Moves a venue's watermark forward (never back). */
  advanceWatermark(venue: string, syncedUntil: number, runId: number): void {
    this.db
      .prepare(
        `INSERT INTO reconcile_watermarks (venue, synced_until, run_id, updated_at) VALUES (:venue, :until, :run, :now)
         ON CONFLICT (venue) DO UPDATE SET synced_until = MAX(reconcile_watermarks.synced_until, excluded.synced_until), run_id = excluded.run_id, updated_at = excluded.updated_at`,
      )
      .run({venue, until: syncedUntil, run: runId, now: this.clock.now()});
  }

  baseline(venue: string): Baseline | undefined {
    const row = this.db.prepare<{venue: string; taken_at: number; run_id: number; totals: string}>('SELECT * FROM reconcile_baselines WHERE venue = ?').get([venue]);
    if (!row) return undefined;
    return {venue: row.venue, takenAt: row.taken_at, runId: row.run_id, totals: new Map(Object.entries(JSON.parse(row.totals) as Record<string, string>))};
  }

  setBaseline(venue: string, totals: ReadonlyMap<string, string>, takenAt: number, runId: number): void {
    this.db
      .prepare(
        `INSERT INTO reconcile_baselines (venue, taken_at, run_id, totals) VALUES (?, ?, ?, ?)
         ON CONFLICT (venue) DO UPDATE SET taken_at = excluded.taken_at, run_id = excluded.run_id, totals = excluded.totals`,
      )
      .run([venue, takenAt, runId, JSON.stringify(Object.fromEntries(totals))]);
  }
}

/** Markets the journal has used on a venue (orders or fills), for venues that list per market. */
export function journalSymbols(db: Db, venue: string): string[] {
  return db
    .prepare<{symbol: string}>('SELECT symbol FROM orders WHERE venue = ? UNION SELECT symbol FROM fills WHERE venue = ? ORDER BY symbol')
    .all([venue, venue])
    .map((r) => r.symbol);
}
