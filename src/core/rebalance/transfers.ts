/**
 * Following transfers between venues: resolving withdrawals whose answer was
 * lost, seeing deposits arrive, and the `xarb rebalance status` report.
 *
 * Matching rules (docs/rebalance.md):
 * - An `unknown` withdrawal is looked for in the source's withdrawal history
 *   (same asset and amount, same address when both are known, not already
 *   claimed by another transfer). Found -> `sent` (or `failed` if the venue
 *   says so). Not listed -> still `unknown` until `unknownGraceMs` has
 *   passed since it was attempted, then `failed` (never sent; a resumed run
 *   may try again). A venue that cannot list withdrawals leaves it unknown.
 * - A `sent` transfer has arrived when the destination lists a deposit of
 *   the asset with the same txid, or (no txid on either side) an amount
 *   between what was expected (amount - fee) and the amount, on the same
 *   network when both say, not older than the transfer and not claimed by
 *   another transfer, with status ok. A withdrawal the source reports as
 *   failed or canceled marks the transfer failed.
 * Lookups that fail change nothing.
 */
import type {Db} from '../journal/db.js';
import {EventsRepo} from '../journal/events.js';
import {IN_FLIGHT_STATES, RebalanceRepo, TransfersRepo, type JournalRebalancePlan, type JournalTransfer, type RebalancePlanStatus} from '../journal/transfers.js';
import {cmp} from '../money/decimal.js';
import type {Clock, Transfer} from '../types.js';
import type {Venue} from '../venues/port.js';
import type {PlanStep, RebalancePlan} from './types.js';

export interface FollowEnv {
  readonly db: Db;
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly unknownGraceMs?: number;
}

const DEFAULT_GRACE_MS = 10 * 60_000;
/** Venue clocks and history pages are not exact: look this far before the transfer was written. */
const LOOKBACK_MS = 10 * 60_000;

/** Brings one transfer up to date from the venues; returns the journalled row after the check. */
export async function refreshTransfer(env: FollowEnv, transfer: JournalTransfer): Promise<JournalTransfer> {
  const repo = new TransfersRepo(env.db, env.clock);
  if (transfer.mode === 'paper') return transfer;
  if (transfer.state === 'unknown') await resolveWithdrawal(env, repo, transfer);
  const current = repo.get(transfer.id)!;
  if (current.state === 'sent') await checkArrival(env, repo, current);
  return repo.get(transfer.id)!;
}

function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

async function resolveWithdrawal(env: FollowEnv, repo: TransfersRepo, t: JournalTransfer): Promise<void> {
  const from = env.venues.get(t.from);
  if (!from?.fetchWithdrawals) return;
  let list: readonly Transfer[];
  try {
    list = await from.fetchWithdrawals(t.asset, t.createdAt - LOOKBACK_MS);
  } catch {
    return;
  }
  const used = repo.usedWithdrawalIds(t.from);
  const match = list.find(
    (w) => !used.has(w.id) && w.kind === 'withdrawal' && w.asset === t.asset && cmp(w.amount, t.amount) === 0 && sameAddress(w.address, t.address) && w.timestamp >= t.createdAt - LOOKBACK_MS,
  );
  const events = new EventsRepo(env.db, env.clock);
  if (match) {
    if (match.status === 'failed' || match.status === 'canceled') {
      repo.markSent(t.id, {withdrawalId: match.id});
      repo.markFailed(t.id, `the venue lists the withdrawal ${match.id} as ${match.status}`);
    } else {
      repo.markSent(t.id, {withdrawalId: match.id, ...(match.txid ? {txid: match.txid} : {})});
    }
    events.append({kind: 'transfer.resolved', venue: t.from, ref: t.id, data: {withdrawalId: match.id, status: match.status}});
    return;
  }
  const attempted = t.sentAt ?? t.createdAt;
  if (env.clock.now() - attempted >= (env.unknownGraceMs ?? DEFAULT_GRACE_MS)) {
    repo.markFailed(t.id, `the venue has no record of the withdrawal ${Math.round((env.clock.now() - attempted) / 60_000)} min after it was attempted: it was not sent`);
    events.append({kind: 'transfer.not_found', venue: t.from, ref: t.id, data: {}});
  }
}

async function checkArrival(env: FollowEnv, repo: TransfersRepo, t: JournalTransfer): Promise<void> {
  const to = env.venues.get(t.to);
  const events = new EventsRepo(env.db, env.clock);
  if (to?.fetchDeposits) {
    try {
      const deposits = await to.fetchDeposits(t.asset, (t.sentAt ?? t.createdAt) - LOOKBACK_MS);
      const used = repo.usedDepositIds(t.to);
      const open = deposits.filter((d) => d.kind === 'deposit' && d.asset === t.asset && !used.has(d.id) && d.timestamp >= t.createdAt - LOOKBACK_MS);
      const byTxid = t.txid === undefined ? undefined : open.find((d) => d.txid === t.txid);
      const byAmount = open.find(
        (d) =>
          (d.txid === undefined || t.txid === undefined) &&
          cmp(d.amount, t.expected) >= 0 &&
          cmp(d.amount, t.amount) <= 0 &&
          (d.network === undefined || t.network === undefined || d.network === t.network),
      );
      const deposit = byTxid ?? byAmount;
      if (deposit && deposit.status === 'ok') {
        repo.markArrived(t.id, {received: deposit.amount, depositId: deposit.id, ...(deposit.txid ? {txid: deposit.txid} : {})});
        events.append({kind: 'transfer.arrived', venue: t.to, ref: t.id, data: {depositId: deposit.id, received: deposit.amount}});
        return;
      }
    } catch {
      // the destination did not answer: check again later
    }
  }
  const from = env.venues.get(t.from);
  if (from?.fetchWithdrawals && t.withdrawalId) {
    try {
      const list = await from.fetchWithdrawals(t.asset, t.createdAt - LOOKBACK_MS);
      const w = list.find((x) => x.id === t.withdrawalId);
      if (w && (w.status === 'failed' || w.status === 'canceled')) {
        repo.markFailed(t.id, `the venue reports the withdrawal ${w.status}`);
        events.append({kind: 'transfer.failed', venue: t.from, ref: t.id, data: {status: w.status}});
      }
    } catch {
      // the source did not answer: check again later
    }
  }
}

// ---- status ----------------------------------------------------------------------

/** A transfer as `rebalance status` shows it: the journal's fields a person needs, and its age. */
export interface TransferView
  extends Pick<
    JournalTransfer,
    'id' | 'planId' | 'asset' | 'from' | 'to' | 'amount' | 'expected' | 'received' | 'network' | 'mode' | 'state' | 'withdrawalId' | 'txid' | 'error' | 'createdAt' | 'sentAt' | 'arrivedAt'
  > {
  /** ms since it was sent (or written), for the ones still in flight. */
  readonly ageMs: number | undefined;
}

export interface PlanStatusView {
  readonly id: string;
  readonly status: RebalancePlanStatus;
  readonly createdAt: number;
  readonly steps: readonly {readonly id: string; readonly kind: 'trade' | 'transfer'; readonly state: string; readonly summary: string; readonly error: string | undefined}[];
  /** Pending steps whose dependencies are all done: `xarb rebalance --execute` runs them. */
  readonly ready: readonly string[];
}

export interface RebalanceStatus {
  readonly plan: PlanStatusView | undefined;
  readonly inFlight: readonly TransferView[];
  /** Transfers that arrived (or failed) during this check. */
  readonly settled: readonly TransferView[];
  /** What to do next, in words. */
  readonly next: string;
}

export function transferView(t: JournalTransfer, now: number): TransferView {
  const inFlight = IN_FLIGHT_STATES.includes(t.state);
  return {
    id: t.id,
    planId: t.planId,
    asset: t.asset,
    from: t.from,
    to: t.to,
    amount: t.amount,
    expected: t.expected,
    received: t.received,
    network: t.network,
    mode: t.mode,
    state: t.state,
    withdrawalId: t.withdrawalId,
    txid: t.txid,
    error: t.error,
    createdAt: t.createdAt,
    sentAt: t.sentAt,
    arrivedAt: t.arrivedAt,
    ageMs: inFlight ? now - (t.sentAt ?? t.createdAt) : undefined,
  };
}

/**
 * Checks every transfer in flight once, updates the steps of the plans they
 * belong to (a transfer step is done when its deposit is seen), and
 * reports. Never sends anything.
 */
export async function checkTransfers(env: FollowEnv): Promise<RebalanceStatus> {
  const repo = new TransfersRepo(env.db, env.clock);
  const plans = new RebalanceRepo(env.db, env.clock);
  const settled: JournalTransfer[] = [];
  for (const t of repo.inFlight()) {
    let fresh: JournalTransfer;
    try {
      fresh = await refreshTransfer(env, t);
    } catch {
      continue;
    }
    if (fresh.state !== t.state) {
      syncStep(plans, fresh);
      if (fresh.state === 'arrived' || fresh.state === 'failed') settled.push(fresh);
    }
  }
  const plan = plans.unfinished<RebalancePlan, PlanStep>();
  const view = plan ? planView(plans, plan) : undefined;
  const now = env.clock.now();
  const inFlight = repo.inFlight().map((t) => transferView(t, now));
  return {plan: view, inFlight, settled: settled.map((t) => transferView(t, now)), next: nextHint(view, inFlight)};
}

/** Mirrors a transfer's state on its plan step, and closes a plan whose last step just finished. */
function syncStep(plans: RebalanceRepo, t: JournalTransfer): void {
  if (!t.planId || !t.stepId) return;
  const plan = plans.get<RebalancePlan, PlanStep>(t.planId);
  const step = plan?.steps.find((s) => s.stepId === t.stepId && s.transferId === t.id);
  if (!plan || !step) return;
  if (t.state === 'arrived' && step.state !== 'done') plans.setStep(plan.id, step.stepId, {state: 'done', error: null});
  else if (t.state === 'sent' && step.state !== 'sent') plans.setStep(plan.id, step.stepId, {state: 'sent', error: null});
  else if (t.state === 'failed' && step.state !== 'failed') plans.setStep(plan.id, step.stepId, {state: 'failed', error: t.error ?? 'withdrawal failed'});
  const after = plans.get<RebalancePlan, PlanStep>(plan.id)!;
  if (after.status === 'abandoned') return;
  if (after.steps.every((s) => s.state === 'done')) plans.setStatus(plan.id, 'done');
  else if (after.steps.some((s) => s.state === 'failed')) plans.setStatus(plan.id, 'failed');
}

function planView(plans: RebalanceRepo, plan: JournalRebalancePlan<RebalancePlan, PlanStep>): PlanStatusView {
  const fresh = plans.get<RebalancePlan, PlanStep>(plan.id)!;
  const done = new Set(fresh.steps.filter((s) => s.state === 'done').map((s) => s.stepId));
  return {
    id: fresh.id,
    status: fresh.status,
    createdAt: fresh.createdAt,
    steps: fresh.steps.map((s) => ({id: s.stepId, kind: s.kind, state: s.state, summary: summarize(s.step), error: s.error})),
    ready: fresh.steps.filter((s) => s.state === 'pending' && s.step.after.every((id) => done.has(id))).map((s) => s.stepId),
  };
}

function summarize(step: PlanStep): string {
  if (step.kind === 'transfer') return `withdraw ${step.amount} ${step.asset} ${step.from} -> ${step.to} (${step.network})`;
  return `${step.side} ${step.amount} ${step.symbol} on ${step.venue}`;
}

function nextHint(plan: PlanStatusView | undefined, inFlight: readonly TransferView[]): string {
  if (plan && (plan.status === 'failed' || plan.steps.some((s) => s.state === 'failed' || s.state === 'unknown'))) {
    return `rebalance ${plan.id} stopped at a failed step: fix the cause and resume with \`xarb rebalance --execute\`, or drop it with \`xarb rebalance --abandon\``;
  }
  if (plan && plan.ready.length > 0) return `steps ${plan.ready.join(', ')} are ready: run \`xarb rebalance --execute\` to continue`;
  if (inFlight.length > 0) return `${inFlight.length} transfer(s) on their way; check again with \`xarb rebalance status\` (or --follow)`;
  if (plan) return `rebalance ${plan.id} is ${plan.status}`;
  return 'nothing in flight';
}

/**
 * Checks until nothing is in flight or `timeoutMs` passes, waiting
 * `intervalMs` between checks (through `sleep`, so tests need not wait).
 */
export async function followTransfers(
  env: FollowEnv,
  options: {intervalMs: number; timeoutMs: number; sleep?: (ms: number) => Promise<void>; onCheck?: (status: RebalanceStatus) => void; check?: () => Promise<RebalanceStatus>},
): Promise<RebalanceStatus & {readonly timedOut: boolean}> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const check = options.check ?? (() => checkTransfers(env));
  const started = env.clock.now();
  const settled: TransferView[] = [];
  for (;;) {
    const status = await check();
    settled.push(...status.settled);
    options.onCheck?.(status);
    if (status.inFlight.length === 0) return {...status, settled, timedOut: false};
    if (env.clock.now() - started + options.intervalMs > options.timeoutMs) return {...status, settled, timedOut: true};
    await sleep(options.intervalMs);
  }
}
