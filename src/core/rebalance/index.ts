/**
 * `xarb rebalance` in one core call: resolve targets (flags, else config),
 * read the targeted venues, plan (pure), and - only with `execute` and the
 * caller's confirmation - journal and run the plan, or resume the plan a
 * previous run left unfinished. Nothing is sent without `execute`.
 *
 * Exports for other areas: `transfersInFlight` (reconcile: money between
 * venues) and `transferEffects` (how journalled transfers moved a venue's
 * balances).
 */
import type {AlertSink} from '../alerts/index.js';
import type {VenueConfig, XarbConfig} from '../config/schema.js';
import {ExitCode, UsageError} from '../errors.js';
import type {Db} from '../journal/db.js';
import {invocationKey} from '../execution/ids.js';
import {acquireLock} from '../journal/locks.js';
import {RebalanceRepo, transfersInFlight} from '../journal/transfers.js';
import type {Clock} from '../types.js';
import type {Venue} from '../venues/port.js';
import {abandonPlan, checkTransferPolicy, runPlan, startPlan, type ExecutionReport, type StoredPlan} from './execute.js';
import {planRebalance} from './planner.js';
import {gatherSnapshots} from './snapshot.js';
import {checkTargets, targetsFromConfig, type Targets} from './targets.js';
import {checkTransfers, followTransfers, type RebalanceStatus} from './transfers.js';
import {dryRunPlan, type DryRunReport} from './dry-run.js';
import type {PlanStep, RebalancePlan} from './types.js';

export {transfersInFlight, transferEffects, type InFlightTransfer} from '../journal/transfers.js';
export {planRebalance} from './planner.js';
export {parseTargets, checkTargets} from './targets.js';
export type * from './types.js';
export type {ExecutionReport, StepReport} from './execute.js';
export type {DryRunReport, StepCheck, StepVerdict} from './dry-run.js';
export type {RebalanceStatus, TransferView, PlanStatusView} from './transfers.js';

export const DEFAULT_THRESHOLD_PCT = 5;

/** What the rebalance needs from the command's Context (Context satisfies it). */
export interface RebalanceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: XarbConfig;
  venueNames(): string[];
  /** Throws UnknownVenueError (exit 2) for a name that is not configured. */
  venueConfig(name: string): VenueConfig;
  venue(name: string): Promise<Venue>;
  /** Where risk denials of live rebalance trades are reported (alerts.webhooks); none when absent. */
  readonly alerts?: AlertSink;
}

export interface RebalanceOptions {
  readonly venueTargets?: Targets;
  readonly assetTargets?: Targets;
  readonly thresholdPct?: number;
  readonly execute: boolean;
  /** Drop the unfinished plan instead of planning. */
  readonly abandon?: boolean;
  /** Asked before anything is sent; `live` tells whether real money moves. Return false to stop. */
  readonly confirm?: (plan: RebalancePlan, info: {live: readonly string[]; resuming: boolean}) => Promise<boolean>;
  /** Withdrawals the venue does not list stay unknown this long (default 10 min). */
  readonly unknownGraceMs?: number;
  /** Run every check `execute` would run (on the plan it would run or resume), writing and sending nothing (dry-run.ts). */
  readonly dryRun?: boolean;
}

export interface RebalanceResult {
  readonly action: 'planned' | 'nothing_to_do' | 'executed' | 'resumed' | 'declined' | 'abandoned' | 'dry_run';
  readonly plan: RebalancePlan | undefined;
  readonly execution: ExecutionReport | undefined;
  /** With `dryRun`: what `execute` would do, step by step, and the exit code it would end with. */
  readonly dryRun?: DryRunReport;
  /** A plan an earlier run left unfinished (planning while it exists only shows a new plan). */
  readonly unfinished: {readonly id: string; readonly status: string} | undefined;
  readonly warnings: readonly string[];
  /** Exit code for the command: 0, or the execution's (3 risk, 4 venue). */
  readonly exitCode: number;
}

/** Venue targets: the flag, else every configured venue's `allocation`. */
export function resolveTargets(deps: Pick<RebalanceDeps, 'venueNames' | 'venueConfig'>, flag: Targets | undefined): Targets {
  const targets = flag ?? targetsFromConfig(Object.fromEntries(deps.venueNames().map((n) => [n, deps.venueConfig(n)])));
  if (!targets) throw new UsageError('no target allocation', 'pass --target binance=40,kraken=30,okx=30 or set venues.<name>.allocation in config');
  for (const name of Object.keys(targets)) deps.venueConfig(name);
  return checkTargets(targets, 'venue');
}

async function openAll(deps: RebalanceDeps, names: Iterable<string>): Promise<Map<string, Venue>> {
  const list = [...new Set(names)];
  const venues = await Promise.all(list.map((n) => deps.venue(n)));
  return new Map(list.map((n, i) => [n, venues[i]!]));
}

function venuesOf(steps: readonly PlanStep[]): string[] {
  return steps.flatMap((s) => (s.kind === 'transfer' ? [s.from, s.to] : [s.venue]));
}

/** The plan's venues that trade live (real money); empty for paper and simulated venues. */
function liveVenues(venues: ReadonlyMap<string, Venue>, steps: readonly PlanStep[]): string[] {
  return venuesOf(steps).filter((n) => venues.get(n)?.info.mode === 'live');
}

export async function runRebalance(deps: RebalanceDeps, options: RebalanceOptions): Promise<RebalanceResult> {
  const repo = new RebalanceRepo(deps.db, deps.clock);
  const base = {db: deps.db, clock: deps.clock, config: deps.config, ...(deps.alerts ? {alerts: deps.alerts} : {}), ...(options.unknownGraceMs === undefined ? {} : {unknownGraceMs: options.unknownGraceMs})};
  if (options.abandon) {
    const dropped = abandonPlan(deps);
    if (!dropped) throw new UsageError('there is no unfinished rebalance to abandon');
    return {action: 'abandoned', plan: dropped.plan, execution: undefined, unfinished: {id: dropped.id, status: dropped.status}, warnings: [], exitCode: 0};
  }
  const existing = repo.unfinished<RebalancePlan, PlanStep>();

  if (options.dryRun && existing) {
    const venues = await openAll(deps, [...Object.keys(existing.plan.venueTargets), ...venuesOf(existing.plan.steps)]);
    const dryRun = await dryRunPlan({...base, venues}, existing.steps.map((s) => ({step: s.step, state: s.state})), {resumes: existing.id});
    return {action: 'dry_run', plan: existing.plan, execution: undefined, unfinished: {id: existing.id, status: existing.status}, warnings: [], dryRun, exitCode: dryRun.exitCode};
  }
  if (options.execute && existing) return resume(deps, base, existing, options);

  const venueTargets = resolveTargets(deps, options.venueTargets);
  const assetTargets = options.assetTargets ?? deps.config.assetTargets;
  if (assetTargets) checkTargets(assetTargets, 'asset');
  const thresholdPct = options.thresholdPct ?? deps.config.rebalanceThreshold ?? DEFAULT_THRESHOLD_PCT;
  const venues = await openAll(deps, Object.keys(venueTargets));
  const gathered = await gatherSnapshots([...venues.values()], {quote: deps.config.valuationQuote, assets: Object.keys(assetTargets ?? {})});
  // Only withdrawals the source accepted are on their way; an unknown one may still be in the source's balance.
  const inTransit = transfersInFlight(deps.db)
    .filter((t) => t.state === 'sent')
    .map((t) => ({to: t.to, asset: t.asset, amount: t.expected}));
  const plan = planRebalance({
    quote: deps.config.valuationQuote,
    prices: gathered.prices,
    venues: gathered.snapshots,
    venueTargets,
    ...(assetTargets ? {assetTargets} : {}),
    thresholdPct,
    ...(deps.config.risk.reserves ? {reserves: deps.config.risk.reserves} : {}),
    inTransit,
  });
  const unfinished = existing ? {id: existing.id, status: existing.status} : undefined;
  const result = {plan, unfinished, warnings: gathered.warnings};
  if (!options.execute && !options.dryRun) return {...result, action: 'planned', execution: undefined, exitCode: 0};
  if (plan.steps.length === 0) return {...result, action: 'nothing_to_do', execution: undefined, exitCode: 0};
  if (options.dryRun) {
    const dryRun = await dryRunPlan({...base, venues}, plan.steps.map((step) => ({step, state: 'pending'})));
    return {...result, action: 'dry_run', execution: undefined, dryRun, exitCode: dryRun.exitCode};
  }
  // Policy refusals (withdrawals not allowed, paper/live mix) come before any question or step.
  checkTransferPolicy({config: deps.config, venues}, plan.steps);
  if (options.confirm && !(await options.confirm(plan, {live: liveVenues(venues, plan.steps), resuming: false}))) {
    return {...result, action: 'declined', execution: undefined, exitCode: 0};
  }
  const execution = await startPlan({...base, venues}, plan, invocationKey(deps.clock));
  return {...result, action: 'executed', execution, exitCode: execution.exitCode};
}

async function resume(deps: RebalanceDeps, base: Omit<Parameters<typeof runPlan>[0], 'venues'>, existing: StoredPlan, options: RebalanceOptions): Promise<RebalanceResult> {
  const venues = await openAll(deps, [...Object.keys(existing.plan.venueTargets), ...venuesOf(existing.plan.steps)]);
  checkTransferPolicy({config: deps.config, venues}, existing.plan.steps);
  if (options.confirm && !(await options.confirm(existing.plan, {live: liveVenues(venues, existing.plan.steps), resuming: true}))) {
    return {action: 'declined', plan: existing.plan, execution: undefined, unfinished: {id: existing.id, status: existing.status}, warnings: [], exitCode: 0};
  }
  const execution = await runPlan({...base, venues}, existing.id, {resumed: true});
  return {action: 'resumed', plan: existing.plan, execution, unfinished: undefined, warnings: [], exitCode: execution.exitCode};
}

export interface StatusOptions {
  /** Keep checking until nothing is in flight (or the timeout). */
  readonly follow?: {readonly intervalMs: number; readonly timeoutMs: number; readonly sleep?: (ms: number) => Promise<void>};
  readonly unknownGraceMs?: number;
  readonly onCheck?: (status: RebalanceStatus) => void;
}

/** `exitCode` is 4 when a transfer failed or the plan failed, else 0. */
export type RebalanceStatusResult = RebalanceStatus & {readonly timedOut: boolean; readonly exitCode: ExitCode};

function withExitCode<S extends RebalanceStatus & {readonly timedOut: boolean}>(status: S): S & {readonly exitCode: ExitCode} {
  const failed = status.settled.some((t) => t.state === 'failed') || status.plan?.status === 'failed';
  return {...status, exitCode: failed ? ExitCode.venueFailed : ExitCode.ok};
}

/**
 * `xarb rebalance status`: checks the transfers in flight against the
 * venues (deposits seen on the destination, withdrawals the source reports
 * failed, lost answers resolved), updates the plan's steps, and reports.
 * Sends nothing. Each check holds the rebalance lock briefly.
 */
export async function rebalanceStatus(deps: RebalanceDeps, options: StatusOptions = {}): Promise<RebalanceStatusResult> {
  const plans = new RebalanceRepo(deps.db, deps.clock);
  const unfinished = plans.unfinished<RebalancePlan, PlanStep>();
  const names = [...transfersInFlight(deps.db).flatMap((t) => [t.from, t.to]), ...(unfinished ? venuesOf(unfinished.plan.steps) : [])];
  const known = new Set(deps.venueNames());
  const venues = await openAll(deps, names.filter((n) => known.has(n)));
  const env = {db: deps.db, clock: deps.clock, venues, ...(options.unknownGraceMs === undefined ? {} : {unknownGraceMs: options.unknownGraceMs})};
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    const lock = acquireLock(deps.db, 'rebalance', {clock: deps.clock});
    try {
      return await fn();
    } finally {
      lock.release();
    }
  };
  if (options.follow) {
    const follow = options.follow;
    const followed = await followTransfers(
      {...env, venues},
      {
        intervalMs: follow.intervalMs,
        timeoutMs: follow.timeoutMs,
        ...(options.onCheck ? {onCheck: options.onCheck} : {}),
        ...(follow.sleep ? {sleep: follow.sleep} : {}),
        check: () => locked(() => checkTransfers(env)),
      },
    );
    return withExitCode(followed);
  }
  return withExitCode({...(await locked(() => checkTransfers(env))), timedOut: false});
}
