/**
 * The effectful shell of reconcile: one run over several venues.
 *
 * Invariants:
 * - Nothing happens unless this process holds the `reconcile` lock; a second
 *   run fails at once with LockHeldError (exit 6) having written nothing.
 * - Runs left `running` by a dead process are marked interrupted first.
 * - Venues are read in parallel; one that fails (network, auth, exchange
 *   error) is reported and the others are still reconciled.
 * - Reconcile never sends, cancels or changes anything on a venue: it only
 *   reads. Without `fix` the journal's orders and fills are untouched; only
 *   reconcile's own records (run, results, discrepancies, watermark and
 *   balance baseline) are written.
 * - With `fix`, interrupted orders are resolved by the execution module's
 *   resolver (lookup by clientOrderId), the other repairs of a venue land in
 *   one transaction, then the venue is diffed again against the same
 *   answers: a discrepancy counts as fixed only when that re-check no longer
 *   finds it. Every journal change is an event.
 * - A venue's watermark advances (to the time the run started reading it)
 *   only when the venue ended fully in line; the next run re-reads from the
 *   watermark minus `overlapMs`, which must exceed `graceMs`.
 */
import type {AlertSink} from '../alerts/index.js';
import {ConfigError, ExitCode, isXarbError, VenueError} from '../errors.js';
import type {Db} from '../journal/db.js';
import {EventsRepo} from '../journal/events.js';
import {effectiveGraceMs, resolveOrder} from '../execution/resolve.js';
import {acquireLock, type LockOptions} from '../journal/locks.js';
import {OrdersRepo} from '../journal/orders.js';
import {journalSymbols, ReconcileRunsRepo, type RunStatus, type VenueRunStatus} from '../journal/reconcile-runs.js';
import {transferEffects, transferUncertainty} from '../journal/transfers.js';
import {acknowledgementOf} from './acks.js';
import type {Clock, ExecutionMode} from '../types.js';
import type {Venue} from '../venues/port.js';
import {applyRepairs, totalsOf} from './apply.js';
import {checkBalances, DEFAULT_BALANCE_TOLERANCE, type BalanceTolerance} from './balances.js';
import {diffVenue, ordersToLookUp} from './diff.js';
import {lookUp, readVenue, type VenueLists} from './fetch.js';
import type {Discrepancy, DiscrepancyKind, DiffWindow, JournalFill, JournalOrder, JournalState} from './types.js';

export const RECONCILE_LOCK = 'reconcile';
export const DEFAULT_GRACE_MS = 60_000;
export const DEFAULT_OVERLAP_MS = 15 * 60_000;
/** Fills this close to the balance snapshot make it ambiguous: the balance check waits for the next run. */
export const DEFAULT_BALANCE_GUARD_MS = 2_000;

export interface ReconcileOptions {
  readonly db: Db;
  readonly clock: Clock;
  /** Venue names to reconcile, in report order. */
  readonly venues: readonly string[];
  /** Opens a venue; a rejection marks that venue failed. */
  readonly openVenue: (name: string) => Promise<Venue>;
  readonly fix: boolean;
  /** Compare from this time (ms) instead of each venue's watermark. */
  readonly since?: number;
  /** The grace applied is max(graceMs, 2 x the venue's request timeout), see execution/resolve.ts. */
  readonly graceMs?: number;
  /** A venue's request timeout (ms); undefined = the default. */
  readonly requestTimeoutMs?: (venue: string) => number | undefined;
  readonly overlapMs?: number;
  readonly balanceGuardMs?: number;
  readonly balanceTolerance?: BalanceTolerance;
  readonly lock?: LockOptions;
  /** Progress for a spinner: called as each venue starts and ends. */
  readonly onProgress?: (venue: string, phase: 'start' | 'done') => void;
  /** Told when discrepancies remain after the run (never changes the result). */
  readonly alerts?: AlertSink;
}

export interface ReconcileDiscrepancy {
  /** Its number in the journal: `xarb reconcile ack ID` acknowledges it. */
  readonly id: number;
  readonly kind: DiscrepancyKind;
  /** clientOrderId, trade id or asset. */
  readonly ref: string;
  readonly symbol: string | null;
  readonly journal: string | null;
  readonly venue: string | null;
  readonly detail: string | null;
  /** Whether --fix knows how to repair it. */
  readonly repairable: boolean;
  /** Repaired by this run and confirmed by a re-check. */
  readonly fixed: boolean;
  /** Acknowledged by a person (`xarb reconcile ack`): reported, but it no longer sets the exit code. */
  readonly acknowledged: boolean;
}

export interface VenueReconcileReport {
  readonly venue: string;
  readonly mode: ExecutionMode | null;
  readonly status: VenueRunStatus;
  /** Start of the compared window (ISO), null for all history. */
  readonly since: string | null;
  readonly ordersSynced: number;
  readonly fillsSynced: number;
  readonly balancesChecked: number;
  /** Why balances were not (all) compared, if they were not. */
  readonly balanceNote: string | null;
  /** pending_submit/unknown orders (and open ones the venue does not list) younger than the grace period, left alone. */
  readonly inFlight: readonly string[];
  readonly discrepancies: readonly ReconcileDiscrepancy[];
  readonly repaired: number;
  /** Journal changes made by --fix (each is also an event). */
  readonly changes: number;
  /** Watermark after the run (ISO). */
  readonly watermark: string | null;
  /** Markets read one by one, for venues that list per market. */
  readonly perSymbol: readonly string[] | null;
  /** Markets skipped because the venue no longer lists them (the rest was reconciled). */
  readonly skippedMarkets: readonly string[];
  /** Why some markets were not compared, if any were skipped. */
  readonly marketNote: string | null;
  readonly error: {readonly name: string; readonly message: string} | null;
}

export interface ReconcileResult {
  readonly run: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly fix: boolean;
  readonly status: Exclude<RunStatus, 'running' | 'interrupted' | 'failed'>;
  /** 0 in line (or all repaired), 5 discrepancies remain, 4 a venue failed (and no discrepancy remains). */
  readonly exitCode: 0 | 4 | 5;
  readonly venues: readonly VenueReconcileReport[];
  readonly totals: {
    readonly venues: number;
    readonly failed: number;
    readonly ordersSynced: number;
    readonly fillsSynced: number;
    readonly balancesChecked: number;
    readonly discrepancies: number;
    readonly repaired: number;
    readonly open: number;
  };
  /** Earlier runs found interrupted (their process died) and closed by this run. */
  readonly interruptedRuns: readonly number[];
}

const key = (d: Pick<Discrepancy, 'kind' | 'ref' | 'symbol'>) => `${d.kind}\u0000${d.symbol ?? ''}\u0000${d.ref}`;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

interface Shared {
  readonly options: ReconcileOptions;
  readonly runs: ReconcileRunsRepo;
  readonly orders: OrdersRepo;
  readonly runId: number;
}

/**
 * Runs one reconcile. Throws LockHeldError (exit 6) when another run holds
 * the lock. Open discrepancies are reported to options.alerts once the lock
 * is released.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const result = await reconcileLocked(options);
  if (options.alerts && result.totals.open > 0) {
    const venues = result.venues.filter((v) => v.discrepancies.some((d) => !d.fixed));
    await options.alerts.notify({
      kind: 'reconcile.discrepancies',
      summary: `reconcile run ${result.run}: ${result.totals.open} discrepancie${result.totals.open === 1 ? '' : 's'} open on ${venues.map((v) => v.venue).join(', ')}`,
      ref: String(result.run),
      data: {
        run: result.run,
        open: result.totals.open,
        fix: result.fix,
        venues: venues.map((v) => ({
          venue: v.venue,
          discrepancies: v.discrepancies.filter((d) => !d.fixed).slice(0, 20).map((d) => ({kind: d.kind, ref: d.ref, symbol: d.symbol, journal: d.journal, venue: d.venue, repairable: d.repairable})),
        })),
      },
    });
  }
  return result;
}

async function reconcileLocked(options: ReconcileOptions): Promise<ReconcileResult> {
  const {db, clock} = options;
  const lock = acquireLock(db, RECONCILE_LOCK, {clock, ...options.lock});
  try {
    const runs = new ReconcileRunsRepo(db, clock);
    const events = new EventsRepo(db, clock);
    const interruptedRuns = db.tx(() => {
      const ids = runs.markInterrupted();
      for (const id of ids) events.append({kind: 'reconcile.run_interrupted', ref: String(id), data: {run: id}});
      return ids;
    });
    const run = runs.start({venues: options.venues, fix: options.fix, since: options.since, pid: lock.pid, host: lock.host});
    const shared: Shared = {options, runs, orders: new OrdersRepo(db, clock), runId: run.id};
    let reports: VenueReconcileReport[];
    try {
      reports = await Promise.all(options.venues.map((name) => reconcileOne(shared, name)));
    } catch (error) {
      runs.finish(run.id, 'failed', isXarbError(error) ? error.exitCode : 1);
      throw error;
    }
    const open = reports.reduce((n, r) => n + r.discrepancies.filter((d) => !d.fixed && !d.acknowledged).length, 0);
    const failed = reports.filter((r) => r.status === 'failed').length;
    const repaired = reports.reduce((n, r) => n + r.repaired, 0);
    const status = open > 0 ? 'discrepancies' : failed > 0 ? 'venue_failed' : repaired > 0 ? 'repaired' : 'in_line';
    const exitCode = open > 0 ? 5 : failed > 0 ? 4 : 0;
    const finished = runs.finish(run.id, status, exitCode);
    return {
      run: run.id,
      startedAt: iso(run.startedAt)!,
      finishedAt: iso(finished.finishedAt)!,
      fix: options.fix,
      status,
      exitCode,
      venues: reports,
      totals: {
        venues: reports.length,
        failed,
        ordersSynced: reports.reduce((n, r) => n + r.ordersSynced, 0),
        fillsSynced: reports.reduce((n, r) => n + r.fillsSynced, 0),
        balancesChecked: reports.reduce((n, r) => n + r.balancesChecked, 0),
        discrepancies: reports.reduce((n, r) => n + r.discrepancies.length, 0),
        repaired,
        open,
      },
      interruptedRuns,
    };
  } finally {
    lock.release();
  }
}

async function reconcileOne(shared: Shared, name: string): Promise<VenueReconcileReport> {
  const {options, runs, runId} = shared;
  options.onProgress?.(name, 'start');
  const startedAt = options.clock.now();
  const watermark = runs.watermark(name);
  const since = options.since ?? (watermark ? watermark.syncedUntil - (options.overlapMs ?? DEFAULT_OVERLAP_MS) : undefined);
  let mode: ExecutionMode | null = null;
  try {
    const venue = await options.openVenue(name);
    mode = venue.info.mode;
    const report = await compareVenue(shared, name, venue, since, startedAt);
    options.onProgress?.(name, 'done');
    return report;
  } catch (error) {
    // A venue failure (network, auth, exchange error: exit 4) or a venue that cannot be used as configured
    // (a keys file readable by others) fails this venue only; anything else fails the run.
    if (!(error instanceof VenueError) && !(error instanceof ConfigError) && !(isXarbError(error) && error.exitCode === ExitCode.venueFailed)) throw error;
    const report: VenueReconcileReport = {
      venue: name,
      mode,
      status: 'failed',
      since: iso(since),
      ordersSynced: 0,
      fillsSynced: 0,
      balancesChecked: 0,
      balanceNote: null,
      inFlight: [],
      discrepancies: [],
      repaired: 0,
      changes: 0,
      watermark: iso(watermark?.syncedUntil),
      perSymbol: null,
      skippedMarkets: [],
      marketNote: null,
      error: {name: (error as Error).name, message: (error as Error).message},
    };
    runs.recordVenue(
      {runId, venue: name, status: 'failed', since, ordersSynced: 0, fillsSynced: 0, balancesChecked: 0, inFlight: 0, discrepancies: 0, repaired: 0, watermark: watermark?.syncedUntil, error: report.error!.message},
      [],
    );
    options.onProgress?.(name, 'done');
    return report;
  }
}

/** The journal side for one venue: everything the window touches, plus the journal's record of any order the venue listed. */
function loadJournal(orders: OrdersRepo, name: string, since: number | undefined, lists: VenueLists): JournalState {
  const ALL = 1_000_000_000;
  const byClient = new Map<string, JournalOrder>();
  for (const o of orders.list({venue: name, open: true, limit: ALL})) byClient.set(o.clientOrderId, o);
  for (const o of orders.list({venue: name, since: since ?? 0, limit: ALL})) byClient.set(o.clientOrderId, o);
  const byVenueId = new Set<string>();
  for (const o of byClient.values()) if (o.venueOrderId !== undefined) byVenueId.add(o.venueOrderId);
  for (const vo of [...lists.openOrders, ...lists.closedOrders]) {
    if (byVenueId.has(vo.id) || (vo.clientOrderId !== undefined && byClient.has(vo.clientOrderId))) continue;
    const known = orders.byVenueOrderId(name, vo.id) ?? (vo.clientOrderId !== undefined ? orders.byClientOrderId(name, vo.clientOrderId) : undefined);
    if (known) {
      byClient.set(known.clientOrderId, known);
      if (known.venueOrderId !== undefined) byVenueId.add(known.venueOrderId);
    }
  }
  const fills: JournalFill[] = orders.fills({venue: name, since: since ?? 0, limit: ALL});
  return {venue: name, orders: [...byClient.values()], fills};
}

interface BalanceOutcome {
  readonly checked: number;
  readonly note: string | null;
  readonly discrepancies: readonly Discrepancy[];
  /** Whether this snapshot may become the baseline. */
  readonly usable: boolean;
}

function balanceStep(shared: Shared, name: string, lists: VenueLists): BalanceOutcome {
  const {options, runs, orders} = shared;
  const guard = options.balanceGuardMs ?? DEFAULT_BALANCE_GUARD_MS;
  const lo = lists.balancesAsked - guard;
  const hi = lists.balancesAnswered + guard;
  const baseline = runs.baseline(name);
  const fills = baseline ? orders.fills({venue: name, since: baseline.takenAt + 1, limit: 1_000_000_000}) : [];
  const near = fills.some((f) => f.ts >= lo && f.ts <= hi) || lists.trades.some((t) => t.timestamp >= lo && t.timestamp <= hi);
  if (near) return {checked: 0, note: 'trades around the balance snapshot; balances are checked on the next quiet run', discrepancies: [], usable: false};
  // xarb's own transfers: counted where the journal knows they moved money; an asset one may still move is skipped,
  // and no new baseline is taken while one is in flight (the snapshot could hold it or not).
  const from = baseline?.takenAt ?? lists.balancesAsked;
  const {unsettled, feesOnTop} = transferUncertainty(options.db, name, from);
  if (!baseline) return {checked: 0, note: 'no baseline yet; recorded when the venue is in line', discrepancies: [], usable: unsettled.size === 0};
  const movements = {deltas: transferEffects(options.db, name, baseline.takenAt + 1), unsettled, slack: feesOnTop};
  const check = checkBalances(name, {ts: baseline.takenAt, totals: baseline.totals}, fills.filter((f) => f.ts < lo), lists.balances, options.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE, movements);
  const skipped = check.skipped.filter((a) => !unsettled.has(a));
  const notes = [
    ...(skipped.length > 0 ? [`not compared (moved by derivatives): ${skipped.join(', ')}`] : []),
    ...(unsettled.size > 0 ? [`not compared until xarb's transfers in flight settle: ${[...unsettled].sort().join(', ')}`] : []),
  ];
  return {checked: check.checked, note: notes.length > 0 ? notes.join('; ') : null, discrepancies: check.discrepancies, usable: unsettled.size === 0};
}

/**
 * Interrupted orders are settled by the execution module's resolver (a
 * lookup by clientOrderId, never a re-send), which applies the venue's
 * answer and records the order's fills and an `order.resolved` event.
 * Shared with the sync step.
 */
export async function resolveInterrupted(db: Db, clock: Clock, venue: Venue, found: readonly Discrepancy[], graceMs: number): Promise<number> {
  const orders = new OrdersRepo(db, clock);
  let changes = 0;
  for (const d of found) {
    if (d.kind !== 'interrupted') continue;
    const order = orders.byClientOrderId(venue.info.id, d.ref);
    if (!order || (order.status !== 'pending_submit' && order.status !== 'unknown')) continue;
    const outcome = await resolveOrder(venue, db, order, {clock, graceMs});
    if (outcome.outcome !== 'still_unknown') changes++;
  }
  return changes;
}

async function compareVenue(shared: Shared, name: string, venue: Venue, since: number | undefined, startedAt: number): Promise<VenueReconcileReport> {
  const {options, runs, orders, runId} = shared;
  const graceMs = effectiveGraceMs(options.graceMs ?? DEFAULT_GRACE_MS, options.requestTimeoutMs?.(name));
  const baselineAssets = [...(runs.baseline(name)?.totals.keys() ?? [])];
  const lists = await readVenue(venue, since, journalSymbols(options.db, name), baselineAssets, () => options.clock.now());
  const window: DiffWindow = {since, now: options.clock.now(), graceMs};
  const journal = loadJournal(orders, name, since, lists);
  const skipped = new Set(lists.skippedSymbols);
  const lookups = await lookUp(venue, ordersToLookUp(journal, lists, window), skipped);
  const skippedMarkets = [...skipped].sort();
  const venueState = {venue: name, openOrders: lists.openOrders, closedOrders: lists.closedOrders, trades: lists.trades, lookups};
  const diff = diffVenue(journal, venueState, window);
  const applyCtx = {db: options.db, clock: options.clock, runs, runId, venue: name, mode: venue.info.mode, balancesAt: lists.balancesAsked};

  let changes = 0;
  if (options.fix) {
    // Fills first (each with its own event), so the resolver finds them already journalled.
    changes += applyRepairs(applyCtx, diff.discrepancies.filter((d) => d.kind !== 'interrupted'));
    changes += await resolveInterrupted(options.db, options.clock, venue, diff.discrepancies, graceMs);
  }
  const balances = balanceStep(shared, name, lists);
  if (options.fix) changes += applyRepairs(applyCtx, balances.discrepancies);
  const found = [...diff.discrepancies, ...balances.discrepancies];

  let remaining = found;
  if (options.fix && found.length > 0) {
    const again = diffVenue(loadJournal(orders, name, since, lists), venueState, window);
    const balancesAgain = balanceStep(shared, name, lists);
    remaining = [...again.discrepancies, ...balancesAgain.discrepancies];
  }
  const unfixed = new Set(remaining.map(key));
  // What a person acknowledged (`reconcile ack`) is reported but no longer counts against the venue.
  const acks = runs.acks(name);
  const tolerance = options.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE;
  const acknowledged = new Set(remaining.filter((d) => acknowledgementOf(d, acks, tolerance) !== undefined).map(key));
  const open = new Set([...unfixed].filter((k) => !acknowledged.has(k)));
  const foundKeys = new Set(found.map(key));
  // A fix can reveal nothing new (repairs only move the journal toward the venue), but report anything that appeared.
  const appeared = remaining.filter((d) => !foundKeys.has(key(d)));
  const all = [...found, ...appeared];
  const unnumbered: Omit<ReconcileDiscrepancy, 'id'>[] = all.map((d) => ({
    kind: d.kind,
    ref: d.ref,
    symbol: d.symbol ?? null,
    journal: d.journalValue,
    venue: d.venueValue,
    detail: d.detail ?? null,
    repairable: d.repair !== undefined,
    fixed: options.fix && !unfixed.has(key(d)),
    acknowledged: acknowledged.has(key(d)),
  }));
  const repaired = unnumbered.filter((d) => d.fixed).length;
  const inLine = open.size === 0;
  const status: VenueRunStatus = inLine ? (repaired > 0 ? 'repaired' : 'in_line') : 'discrepancies';
  let watermark = runs.watermark(name)?.syncedUntil;
  if (inLine) {
    options.db.tx(() => {
      runs.advanceWatermark(name, startedAt, runId);
      // In line means no balance difference remains, so this snapshot is a sound baseline for the next run.
      if (balances.usable) runs.setBaseline(name, totalsOf(lists.balances), lists.balancesAsked, runId);
    });
    watermark = runs.watermark(name)?.syncedUntil;
  }
  const ids = runs.recordVenue(
    {
      runId,
      venue: name,
      status,
      since,
      ordersSynced: diff.ordersCompared,
      fillsSynced: diff.fillsCompared,
      balancesChecked: balances.checked,
      inFlight: diff.inFlight.length,
      discrepancies: unnumbered.length,
      repaired,
      watermark,
      error: undefined,
    },
    all.map((d, i) => ({
      venue: name,
      kind: d.kind,
      ref: d.ref,
      symbol: d.symbol,
      journalValue: d.journalValue,
      venueValue: d.venueValue,
      detail: d.detail,
      repairable: d.repair !== undefined,
      fixed: unnumbered[i]!.fixed,
    })),
  );
  const reports: ReconcileDiscrepancy[] = unnumbered.map((d, i) => ({id: ids[i]!, ...d}));
  return {
    venue: name,
    mode: venue.info.mode,
    status,
    since: iso(since),
    ordersSynced: diff.ordersCompared,
    fillsSynced: diff.fillsCompared,
    balancesChecked: balances.checked,
    balanceNote: balances.note,
    inFlight: diff.inFlight,
    discrepancies: reports,
    repaired,
    changes,
    watermark: iso(watermark),
    perSymbol: lists.perSymbol ?? null,
    skippedMarkets,
    marketNote: skippedMarkets.length > 0 ? `skipped (the venue no longer lists them): ${skippedMarkets.join(', ')}` : null,
    error: null,
  };
}
