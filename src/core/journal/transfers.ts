/**
 * Repositories for rebalance plans, their steps, and transfers between
 * venues (migration 006). Rows are mapped to domain types here.
 *
 * Invariants:
 * - A transfer row is written (`pending_submit`) before its withdrawal is
 *   sent; its id is derived from the plan and step, so a resumed run finds
 *   it instead of sending a second withdrawal.
 * - A transfer is "in flight" while it is pending_submit, unknown or sent:
 *   its amount has left (or may have left) the source and not yet been seen
 *   on the destination. `transfersInFlight` is what reconcile and the
 *   planner use to account for money between venues.
 * - A deposit settles at most one transfer, a withdrawal belongs to at most
 *   one (unique indexes).
 */
import {add, neg} from '../money/decimal.js';
import type {Clock, ExecutionMode} from '../types.js';
import type {Db} from './db.js';

export type TransferState = 'pending_submit' | 'unknown' | 'sent' | 'arrived' | 'failed' | 'canceled';
export const IN_FLIGHT_STATES: readonly TransferState[] = ['pending_submit', 'unknown', 'sent'];

export type AddressSource = 'venue' | 'allowlist' | 'paper';

export interface JournalTransfer {
  readonly id: string;
  readonly planId: string | undefined;
  readonly stepId: string | undefined;
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  /** Decimal strings: withdrawn, the fee, what the destination should get, and what it did get. */
  readonly amount: string;
  readonly fee: string | undefined;
  readonly expected: string;
  readonly received: string | undefined;
  readonly network: string | undefined;
  readonly address: string | undefined;
  readonly tag: string | undefined;
  readonly addressSource: AddressSource | undefined;
  readonly mode: ExecutionMode;
  readonly state: TransferState;
  readonly withdrawalId: string | undefined;
  readonly txid: string | undefined;
  readonly depositId: string | undefined;
  readonly error: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly sentAt: number | undefined;
  readonly arrivedAt: number | undefined;
}

export interface NewTransfer {
  readonly id: string;
  readonly planId?: string;
  readonly stepId?: string;
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  readonly amount: string;
  readonly fee?: string;
  readonly expected: string;
  readonly network?: string;
  readonly address?: string;
  readonly tag?: string;
  readonly addressSource?: AddressSource;
  readonly mode: ExecutionMode;
}

interface TransferRow {
  id: string;
  plan_id: string | null;
  step_id: string | null;
  asset: string;
  from_venue: string;
  to_venue: string;
  amount: string;
  fee: string | null;
  expected: string;
  received: string | null;
  network: string | null;
  address: string | null;
  tag: string | null;
  address_source: AddressSource | null;
  mode: ExecutionMode;
  state: TransferState;
  withdrawal_id: string | null;
  txid: string | null;
  deposit_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  arrived_at: number | null;
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toTransfer(r: TransferRow): JournalTransfer {
  return {
    id: r.id,
    planId: u(r.plan_id),
    stepId: u(r.step_id),
    asset: r.asset,
    from: r.from_venue,
    to: r.to_venue,
    amount: r.amount,
    fee: u(r.fee),
    expected: r.expected,
    received: u(r.received),
    network: u(r.network),
    address: u(r.address),
    tag: u(r.tag),
    addressSource: u(r.address_source),
    mode: r.mode,
    state: r.state,
    withdrawalId: u(r.withdrawal_id),
    txid: u(r.txid),
    depositId: u(r.deposit_id),
    error: u(r.error),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: u(r.sent_at),
    arrivedAt: u(r.arrived_at),
  };
}

export class TransfersRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  insert(t: NewTransfer): JournalTransfer {
    const now = this.clock.now();
    this.db
      .prepare(
        `INSERT INTO transfers (id, plan_id, step_id, asset, from_venue, to_venue, amount, fee, expected, network, address, tag, address_source, mode, state, created_at, updated_at)
         VALUES (:id, :planId, :stepId, :asset, :from, :to, :amount, :fee, :expected, :network, :address, :tag, :addressSource, :mode, 'pending_submit', :now, :now)`,
      )
      .run({
        id: t.id,
        planId: t.planId,
        stepId: t.stepId,
        asset: t.asset,
        from: t.from,
        to: t.to,
        amount: t.amount,
        fee: t.fee,
        expected: t.expected,
        network: t.network,
        address: t.address,
        tag: t.tag,
        addressSource: t.addressSource,
        mode: t.mode,
        now,
      });
    return this.get(t.id)!;
  }

  get(id: string): JournalTransfer | undefined {
    const row = this.db.prepare<TransferRow>('SELECT * FROM transfers WHERE id = ?').get([id]);
    return row ? toTransfer(row) : undefined;
  }

  list(options: {planId?: string; states?: readonly TransferState[]; limit?: number} = {}): JournalTransfer[] {
    const states = options.states ? JSON.stringify(options.states) : null;
    return this.db
      .prepare<TransferRow>(
        `SELECT * FROM transfers WHERE (:planId IS NULL OR plan_id = :planId)
           AND (:states IS NULL OR state IN (SELECT value FROM json_each(:states)))
         ORDER BY created_at DESC, id DESC LIMIT :limit`,
      )
      .all({planId: options.planId ?? null, states, limit: options.limit ?? 1000})
      .map(toTransfer);
  }

  inFlight(): JournalTransfer[] {
    return this.list({states: IN_FLIGHT_STATES, limit: 100_000}).reverse();
  }

  /** Deposit ids already matched to a transfer on a venue (so one deposit settles one transfer). */
  usedDepositIds(venue: string): Set<string> {
    return new Set(this.db.prepare<{id: string}>('SELECT deposit_id AS id FROM transfers WHERE to_venue = ? AND deposit_id IS NOT NULL').all([venue]).map((r) => r.id));
  }

  usedWithdrawalIds(venue: string): Set<string> {
    return new Set(this.db.prepare<{id: string}>('SELECT withdrawal_id AS id FROM transfers WHERE from_venue = ? AND withdrawal_id IS NOT NULL').all([venue]).map((r) => r.id));
  }

  /** Sets the destination address (resolved just before sending). */
  setAddress(id: string, address: string, tag: string | undefined, source: AddressSource): JournalTransfer {
    this.db.prepare('UPDATE transfers SET address = ?, tag = ?, address_source = ?, updated_at = ? WHERE id = ?').run([address, tag ?? null, source, this.clock.now(), id]);
    return this.get(id)!;
  }

  markSent(id: string, info: {withdrawalId?: string; txid?: string; fee?: string}): JournalTransfer {
    const now = this.clock.now();
    this.db
      .prepare(`UPDATE transfers SET state = 'sent', withdrawal_id = COALESCE(:wid, withdrawal_id), txid = COALESCE(:txid, txid), fee = COALESCE(:fee, fee), error = NULL, sent_at = COALESCE(sent_at, :now), updated_at = :now WHERE id = :id`)
      .run({id, wid: info.withdrawalId, txid: info.txid, fee: info.fee, now});
    return this.get(id)!;
  }

  markUnknown(id: string, error: string): JournalTransfer {
    const now = this.clock.now();
    this.db.prepare(`UPDATE transfers SET state = 'unknown', error = ?, sent_at = COALESCE(sent_at, ?), updated_at = ? WHERE id = ?`).run([error, now, now, id]);
    return this.get(id)!;
  }

  markFailed(id: string, error: string): JournalTransfer {
    this.db.prepare(`UPDATE transfers SET state = 'failed', error = ?, updated_at = ? WHERE id = ?`).run([error, this.clock.now(), id]);
    return this.get(id)!;
  }

  markCanceled(id: string, reason: string): JournalTransfer {
    this.db.prepare(`UPDATE transfers SET state = 'canceled', error = ?, updated_at = ? WHERE id = ?`).run([reason, this.clock.now(), id]);
    return this.get(id)!;
  }

  markArrived(id: string, info: {received: string; depositId?: string; txid?: string}): JournalTransfer {
    const now = this.clock.now();
    this.db
      .prepare(`UPDATE transfers SET state = 'arrived', received = :received, deposit_id = :did, txid = COALESCE(txid, :txid), sent_at = COALESCE(sent_at, :now), arrived_at = :now, error = NULL, updated_at = :now WHERE id = :id`)
      .run({id, received: info.received, did: info.depositId, txid: info.txid, now});
    return this.get(id)!;
  }

  /** Removes a transfer that was never sent (a failed attempt being retried). */
  deleteUnsent(id: string): void {
    this.db.prepare(`DELETE FROM transfers WHERE id = ? AND state IN ('pending_submit', 'failed', 'canceled') AND withdrawal_id IS NULL`).run([id]);
  }
}

/** A transfer between venues that has not arrived yet, for reconcile and the planner. */
export interface InFlightTransfer {
  readonly id: string;
  readonly planId: string | undefined;
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  /** Left (or may have left) the source: amount; expected on the destination: expected. */
  readonly amount: string;
  readonly expected: string;
  readonly network: string | undefined;
  readonly state: 'pending_submit' | 'unknown' | 'sent';
  readonly mode: ExecutionMode;
  readonly sentAt: number | undefined;
}

/**
 * Transfers in flight (pending_submit, unknown, sent), oldest first. A
 * `pending_submit` or `unknown` withdrawal may or may not have left the
 * source; reconcile should treat the source balance as uncertain by `amount`.
 */
export function transfersInFlight(db: Db): InFlightTransfer[] {
  return new TransfersRepo(db, {now: () => 0}).inFlight().map((t) => ({
    id: t.id,
    planId: t.planId,
    asset: t.asset,
    from: t.from,
    to: t.to,
    amount: t.amount,
    expected: t.expected,
    network: t.network,
    state: t.state as InFlightTransfer['state'],
    mode: t.mode,
    sentAt: t.sentAt,
  }));
}

/**
 * How journalled transfers moved one venue's balances since `since` (ms):
 * asset -> decimal delta. A sent (or arrived) withdrawal counts -amount on
 * the source from when it was sent; an arrival counts +received on the
 * destination from when it arrived. Fees charged on top of the amount (some
 * venues) are not in it: reconcile's tolerance or --fix absorbs them.
 */
export function transferEffects(db: Db, venue: string, since: number): Map<string, string> {
  const out = new Map<string, string>();
  const bump = (asset: string, delta: string) => out.set(asset, add(out.get(asset) ?? '0', delta));
  const rows = db
    .prepare<TransferRow>(`SELECT * FROM transfers WHERE (from_venue = :v AND state IN ('sent', 'arrived') AND sent_at >= :since) OR (to_venue = :v AND state = 'arrived' AND arrived_at >= :since)`)
    .all({v: venue, since});
  for (const r of rows) {
    if (r.from_venue === venue && r.sent_at !== null && r.sent_at >= since && (r.state === 'sent' || r.state === 'arrived')) bump(r.asset, neg(r.amount));
    if (r.to_venue === venue && r.state === 'arrived' && r.arrived_at !== null && r.arrived_at >= since) bump(r.asset, r.received ?? r.expected);
  }
  return out;
}

/**
 * What transferEffects cannot say for sure about one venue: the assets a
 * transfer still in flight may or may not have moved yet (a withdrawal whose
 * answer is not known yet on the source; anything not yet seen arriving on
 * the destination), and per asset the withdrawal fees of the transfers sent
 * from it since `since` (a venue that charges the fee on top of the amount
 * debits that much more than transferEffects counts).
 */
export function transferUncertainty(db: Db, venue: string, since: number): {unsettled: Set<string>; feesOnTop: Map<string, string>} {
  const unsettled = new Set<string>();
  const feesOnTop = new Map<string, string>();
  const rows = db
    .prepare<TransferRow>(
      `SELECT * FROM transfers WHERE (from_venue = :v AND (state IN ('pending_submit', 'unknown') OR (state IN ('sent', 'arrived') AND sent_at >= :since)))
         OR (to_venue = :v AND state IN ('pending_submit', 'unknown', 'sent'))`,
    )
    .all({v: venue, since});
  for (const r of rows) {
    if (r.to_venue === venue && (r.state === 'pending_submit' || r.state === 'unknown' || r.state === 'sent')) unsettled.add(r.asset);
    if (r.from_venue !== venue) continue;
    if (r.state === 'pending_submit' || r.state === 'unknown') unsettled.add(r.asset);
    else if (r.fee !== null) feesOnTop.set(r.asset, add(feesOnTop.get(r.asset) ?? '0', r.fee));
  }
  return {unsettled, feesOnTop};
}

// ---- rebalance plans and steps ----------------------------------------------

export type RebalancePlanStatus = 'executing' | 'waiting' | 'done' | 'failed' | 'abandoned';
export type StepState = 'pending' | 'running' | 'unknown' | 'sent' | 'done' | 'failed' | 'canceled';

export interface JournalStep<Step = unknown> {
  readonly planId: string;
  readonly stepId: string;
  readonly seq: number;
  readonly kind: 'trade' | 'transfer';
  readonly venue: string;
  readonly step: Step;
  readonly state: StepState;
  /** What was (or is being) sent for this step, written before sending. */
  readonly exec: Readonly<Record<string, unknown>> | undefined;
  readonly orderPlanId: string | undefined;
  readonly transferId: string | undefined;
  readonly error: string | undefined;
  readonly attempts: number;
  readonly updatedAt: number;
}

export interface JournalRebalancePlan<Plan = unknown, Step = unknown> {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly status: RebalancePlanStatus;
  readonly quote: string;
  readonly plan: Plan;
  readonly steps: readonly JournalStep<Step>[];
}

interface PlanRow {
  id: string;
  created_at: number;
  updated_at: number;
  status: RebalancePlanStatus;
  quote: string;
  plan: string;
}

interface StepRow {
  plan_id: string;
  step_id: string;
  seq: number;
  kind: 'trade' | 'transfer';
  venue: string;
  step: string;
  state: StepState;
  exec: string | null;
  order_plan_id: string | null;
  transfer_id: string | null;
  error: string | null;
  attempts: number;
  updated_at: number;
}

function toStep<Step>(r: StepRow): JournalStep<Step> {
  return {
    planId: r.plan_id,
    stepId: r.step_id,
    seq: r.seq,
    kind: r.kind,
    venue: r.venue,
    step: JSON.parse(r.step) as Step,
    state: r.state,
    exec: r.exec === null ? undefined : (JSON.parse(r.exec) as Record<string, unknown>),
    orderPlanId: u(r.order_plan_id),
    transferId: u(r.transfer_id),
    error: u(r.error),
    attempts: r.attempts,
    updatedAt: r.updated_at,
  };
}

export class RebalanceRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Writes a plan and its steps (all pending) in one transaction. */
  insertPlan(plan: {id: string; quote: string; plan: unknown; steps: readonly {id: string; kind: 'trade' | 'transfer'; venue: string; step: unknown}[]}): void {
    const now = this.clock.now();
    this.db.tx(() => {
      this.db.prepare(`INSERT INTO rebalance_plans (id, created_at, updated_at, status, quote, plan) VALUES (?, ?, ?, 'executing', ?, ?)`).run([plan.id, now, now, plan.quote, JSON.stringify(plan.plan)]);
      const insert = this.db.prepare(`INSERT INTO rebalance_steps (plan_id, step_id, seq, kind, venue, step, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`);
      plan.steps.forEach((s, i) => insert.run([plan.id, s.id, i + 1, s.kind, s.venue, JSON.stringify(s.step), now]));
    });
  }

  get<Plan, Step>(id: string): JournalRebalancePlan<Plan, Step> | undefined {
    const row = this.db.prepare<PlanRow>('SELECT * FROM rebalance_plans WHERE id = ?').get([id]);
    return row ? this.withSteps<Plan, Step>(row) : undefined;
  }

  private withSteps<Plan, Step>(row: PlanRow): JournalRebalancePlan<Plan, Step> {
    const steps = this.db.prepare<StepRow>('SELECT * FROM rebalance_steps WHERE plan_id = ? ORDER BY seq').all([row.id]).map((r) => toStep<Step>(r));
    return {id: row.id, createdAt: row.created_at, updatedAt: row.updated_at, status: row.status, quote: row.quote, plan: JSON.parse(row.plan) as Plan, steps};
  }

  /** The newest plan that is not done or abandoned. */
  unfinished<Plan, Step>(): JournalRebalancePlan<Plan, Step> | undefined {
    const row = this.db.prepare<PlanRow>(`SELECT * FROM rebalance_plans WHERE status IN ('executing', 'waiting', 'failed') ORDER BY created_at DESC, id DESC LIMIT 1`).get();
    return row ? this.withSteps<Plan, Step>(row) : undefined;
  }

  /** Newest first. */
  list<Plan, Step>(limit = 20): JournalRebalancePlan<Plan, Step>[] {
    return this.db
      .prepare<PlanRow>('SELECT * FROM rebalance_plans ORDER BY created_at DESC, id DESC LIMIT ?')
      .all([limit])
      .map((r) => this.withSteps<Plan, Step>(r));
  }

  setStatus(id: string, status: RebalancePlanStatus): void {
    this.db.prepare('UPDATE rebalance_plans SET status = ?, updated_at = ? WHERE id = ?').run([status, this.clock.now(), id]);
  }

  setStep(
    planId: string,
    stepId: string,
    change: {state: StepState; error?: string | null; exec?: Record<string, unknown>; orderPlanId?: string; transferId?: string; attempt?: boolean},
  ): void {
    this.db
      .prepare(
        `UPDATE rebalance_steps SET state = :state, error = CASE WHEN :keepError = 1 THEN error ELSE :error END,
           exec = COALESCE(:exec, exec), order_plan_id = COALESCE(:orderPlanId, order_plan_id), transfer_id = COALESCE(:transferId, transfer_id),
           attempts = attempts + :attempt, updated_at = :now
         WHERE plan_id = :planId AND step_id = :stepId`,
      )
      .run({
        planId,
        stepId,
        state: change.state,
        keepError: change.error === undefined ? 1 : 0,
        error: change.error ?? null,
        exec: change.exec === undefined ? undefined : JSON.stringify(change.exec),
        orderPlanId: change.orderPlanId,
        transferId: change.transferId,
        attempt: change.attempt ? 1 : 0,
        now: this.clock.now(),
      });
  }
}
