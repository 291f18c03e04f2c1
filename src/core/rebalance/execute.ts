/**
 * Executing a rebalance plan, step by step, journal first.
 *
 * Rules (docs/rebalance.md):
 * - Before anything is sent, every transfer of the plan is checked: both
 *   venues in the same mode (paper moves paper balances, live moves money;
 *   never one to the other), and for live withdrawals the source venue's
 *   config `withdraw.enabled` must be true. Refusals happen up front, so a
 *   plan is never left half done by a policy.
 * - The plan and its steps are journalled (rebalance_plans/steps) before
 *   the first step; each step's state is updated as it goes.
 * - A step runs once every step it depends on is done (a transfer is done
 *   when its deposit is seen). Steps run one at a time, in plan order; the
 *   run stops at the first failure.
 * - Trades go through the order path (src/core/execution: risk checks and
 *   write-ahead). Their key is derived from the plan, step and attempt, and
 *   stored before sending: a resumed step whose order was journalled is
 *   looked up (and resolved by clientOrderId), never placed again.
 * - Live withdrawals go to an address the destination venue gives for the
 *   chosen network (fetchDepositAddress), or failing that the single
 *   matching entry of the source venue's `withdraw.allowlist`. The transfer
 *   row is written before the withdrawal is sent. No answer -> `unknown`,
 *   resolved through the source's withdrawal history, never re-sent while
 *   it could exist.
 * - Paper transfers move paper balances in one journal transaction: the
 *   source loses the amount, the destination gains amount - fee, at once.
 * - Resuming (`--execute` again) picks up the unfinished plan: unknown
 *   steps are resolved first, failed steps (definitely refused, nothing
 *   moved) are tried again with a new attempt key, and arrivals are checked.
 */
import type {AlertSink} from '../alerts/index.js';
import {hostname} from 'node:os';
import type {XarbConfig} from '../config/schema.js';
import {errorMessage, ExitCode, InsufficientFundsError, PlanConflictError, RiskDeniedError, UsageError, VenueDataError, VenueError, XarbError} from '../errors.js';
import {planIdFor} from '../execution/ids.js';
import {executeOrder, intentIdentity, prepareOrder, type OrderIntent} from '../execution/order.js';
import {assertIdempotentLive, isDefiniteRejection, planStatus, type ExecutionEnv} from '../execution/place.js';
import {resolveOrder} from '../execution/resolve.js';
import type {Db} from '../journal/db.js';
import {EventsRepo} from '../journal/events.js';
import {acquireLock} from '../journal/locks.js';
import {OrdersRepo} from '../journal/orders.js';
import {PaperRepo} from '../journal/paper-balances.js';
import {RiskStateRepo} from '../journal/risk-state.js';
import {RebalanceRepo, TransfersRepo, type JournalRebalancePlan, type JournalStep, type JournalTransfer, type RebalancePlanStatus, type StepState} from '../journal/transfers.js';
import {cmp, dec, isPositive, max, min, mul, roundToStep, sub} from '../money/decimal.js';
import type {Clock, DepositAddress} from '../types.js';
import type {Venue} from '../venues/port.js';
import {roundJson} from '../money/precision.js';
import {WITHDRAW_STEP} from './planner.js';
import {refreshTransfer} from './transfers.js';
import type {PlanStep, RebalancePlan, TradeStep, TransferStep} from './types.js';

export interface RebalanceEnv {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: XarbConfig;
  /** Opened venues (paper-mode venues wrapped) by name; every venue of the plan must be here. */
  readonly venues: ReadonlyMap<string, Venue>;
  /** How long a withdrawal the venue does not list stays `unknown` before it counts as never sent (default 10 min). */
  readonly unknownGraceMs?: number;
  /** How long an order the venue does not know stays unknown (passed to the order path). */
  readonly orderGraceMs?: number;
  /** Where the order path reports risk denials of live trades (alerts.webhooks). */
  readonly alerts?: AlertSink;
}

export type StoredPlan = JournalRebalancePlan<RebalancePlan, PlanStep>;

export interface StepReport {
  readonly id: string;
  readonly kind: 'trade' | 'transfer';
  readonly summary: string;
  readonly state: StepState;
  readonly error: string | undefined;
  readonly attempts: number;
  readonly orderPlanId: string | undefined;
  readonly transferId: string | undefined;
  /** Why a pending step has not run. */
  readonly waitingFor: readonly string[];
}

export interface ExecutionReport {
  readonly planId: string;
  readonly status: RebalancePlanStatus;
  readonly resumed: boolean;
  readonly steps: readonly StepReport[];
  readonly transfers: readonly JournalTransfer[];
  /** 0 done or waiting for arrivals; 3 risk denied; 4 a venue failed or refused; 2 a step could not be placed. */
  readonly exitCode: number;
  readonly error: {readonly name: string; readonly message: string; readonly hint: string | undefined} | undefined;
}

export const DEFAULT_UNKNOWN_GRACE_MS = 10 * 60_000;

/** What a trade step sent: stored before sending. */
interface TradeExec {
  readonly attempt: number;
  readonly key: string;
  readonly amount: string;
}

/** What a transfer step sent: stored before sending. */
interface TransferExec {
  readonly attempt: number;
  readonly transferId: string;
}

export function describeStep(step: PlanStep): string {
  if (step.kind === 'transfer') return `withdraw ${step.amount} ${step.asset} ${step.from} -> ${step.to} (${step.network}, fee ${step.withdrawFee})`;
  return `${step.side} ${step.amount} ${step.symbol} on ${step.venue} (${step.purpose.replace('_', ' ')})`;
}

function stepVenue(step: PlanStep): string {
  return step.kind === 'transfer' ? step.from : step.venue;
}

/**
 * Checks a plan before anything is journalled or sent: venues open, same mode
 * on both ends of a transfer, withdrawals allowed by config for live sources,
 * and no trade on a live venue where our client id cannot round-trip. Throws
 * UsageError (modes, unknown venue, live refusal) or RiskDeniedError
 * (withdraw.enabled).
 */
export function checkTransferPolicy(env: Pick<RebalanceEnv, 'config' | 'venues'>, steps: readonly PlanStep[]): void {
  for (const step of steps) {
    const names = step.kind === 'transfer' ? [step.from, step.to] : [step.venue];
    for (const name of names) if (!env.venues.has(name)) throw new PlanConflictError(`venue ${name} of the plan is not open`, 'add the venue back or drop the plan with `xarb rebalance --abandon`');
    if (step.kind !== 'transfer') continue;
    const from = env.venues.get(step.from)!;
    const to = env.venues.get(step.to)!;
    if (from.info.mode !== to.info.mode) {
      throw new UsageError(
        `cannot move ${step.asset} from ${step.from} (${from.info.mode}) to ${step.to} (${to.info.mode}): paper and live balances never mix`,
        'put both venues in the same mode (`xarb exchanges set <venue> --mode ...`) or leave one out of the targets',
      );
    }
    if (from.info.mode === 'live' && env.config.venues[step.from]?.withdraw?.enabled !== true) {
      throw new RiskDeniedError(`venues.${step.from}.withdraw.enabled`, 'false', `withdraw ${step.amount} ${step.asset} to ${step.to}`, 'withdrawals are refused unless the venue allows them in config');
    }
  }
  // Trades on a live venue where our client id cannot round-trip (exit 2), before the plan is journalled or confirmed.
  assertIdempotentLive(steps.flatMap((s) => (s.kind === 'transfer' ? [] : [env.venues.get(s.venue)])));
}

/** Journals a new plan (after the policy check) and returns its id. Nothing is sent. */
export function journalPlan(env: RebalanceEnv, plan: RebalancePlan, key: string): string {
  checkTransferPolicy(env, plan.steps);
  if (plan.steps.length === 0) throw new UsageError('the plan has no steps to execute');
  const repo = new RebalanceRepo(env.db, env.clock);
  const existing = repo.unfinished<RebalancePlan, PlanStep>();
  if (existing) throw new PlanConflictError(`rebalance ${existing.id} is unfinished (${existing.status})`, 'resume it with `xarb rebalance --execute`, follow it with `xarb rebalance status`, or drop it with `xarb rebalance --abandon`');
  const id = planIdFor('rebalance', {targets: plan.venueTargets, assets: plan.assetTargets, steps: plan.steps}, key);
  repo.insertPlan({id, quote: plan.quote, plan, steps: plan.steps.map((s) => ({id: s.id, kind: s.kind, venue: stepVenue(s), step: s}))});
  new EventsRepo(env.db, env.clock).append({kind: 'rebalance.planned', ref: id, data: {steps: plan.steps.length, totalCost: roundJson(plan.totalCost), quote: plan.quote}});
  return id;
}

/**
 * Runs (or resumes) a journalled plan under the `rebalance` lock. Returns a
 * report; venue failures and refusals are in it (exitCode), not thrown.
 * Throws LockHeldError (exit 6) when another run holds the lock.
 */
export async function runPlan(env: RebalanceEnv, planId: string, options: {resumed?: boolean} = {}): Promise<ExecutionReport> {
  const lock = acquireLock(env.db, 'rebalance', {clock: env.clock});
  try {
    return await new Runner(env, planId).run(options.resumed ?? false);
  } finally {
    lock.release();
  }
}

/** Journals a new plan and runs it, both under the lock (so two processes cannot start two plans). */
export async function startPlan(env: RebalanceEnv, plan: RebalancePlan, key: string): Promise<ExecutionReport> {
  const lock = acquireLock(env.db, 'rebalance', {clock: env.clock});
  try {
    const id = journalPlan(env, plan, key);
    return await new Runner(env, id).run(false);
  } finally {
    lock.release();
  }
}

/** Marks the unfinished plan abandoned: steps not started are canceled; transfers already sent are still followed. */
export function abandonPlan(env: Pick<RebalanceEnv, 'db' | 'clock'>): StoredPlan | undefined {
  const repo = new RebalanceRepo(env.db, env.clock);
  const plan = repo.unfinished<RebalancePlan, PlanStep>();
  if (!plan) return undefined;
  env.db.tx(() => {
    for (const s of plan.steps) if (s.state === 'pending' || s.state === 'failed') repo.setStep(plan.id, s.stepId, {state: 'canceled', error: s.error ?? 'plan abandoned'});
    repo.setStatus(plan.id, 'abandoned');
    new EventsRepo(env.db, env.clock).append({kind: 'rebalance.abandoned', ref: plan.id, data: {host: hostname()}});
  });
  return repo.get(plan.id);
}

/** Free balance of `asset` on the venue now ('0' when it holds none). */
export async function freeBalance(venue: Venue, asset: string): Promise<string> {
  const balances = await venue.fetchBalances();
  return balances.find((b) => b.asset === asset)?.free ?? '0';
}

/**
 * The amount to trade now: the planned amount, or less when the venue
 * holds less of what the trade spends (a conversion after a transfer that
 * arrived short, or fills at a worse price). Rounded down to the market step.
 */
export async function tradeAmountNow(venue: Venue, step: TradeStep, reserve: string): Promise<string> {
  const markets = await venue.loadMarkets();
  const market = markets.find((m) => m.symbol === step.symbol);
  if (!market) throw new VenueDataError(step.venue, `no longer lists ${step.symbol}`);
  const available = max(0, sub(await freeBalance(venue, step.spend.asset), reserve));
  if (cmp(available, step.spend.amount) >= 0) return step.amount;
  const ratio = Number(available) / Number(step.spend.amount);
  const scaled = step.side === 'sell' ? min(step.amount, available) : mul(step.amount, dec(ratio.toFixed(12)));
  const amount = roundToStep(scaled, market.amountStep, 'down');
  if (!isPositive(amount)) throw new InsufficientFundsError(step.venue, `no ${step.spend.asset} free above the reserve for ${step.side} ${step.symbol}`);
  return amount;
}

/** The planned amount, or what is free (above reserve and fee) when a conversion before it brought less. */
export async function transferAmountNow(from: Venue, step: TransferStep, reserve: string): Promise<string> {
  const free = await freeBalance(from, step.asset);
  const usable = sub(sub(free, reserve), step.withdrawFee);
  if (cmp(usable, step.amount) >= 0) return step.amount;
  if (step.after.length === 0) throw new InsufficientFundsError(step.from, `${free} ${step.asset} free; ${step.amount} plus the ${step.withdrawFee} fee above the reserve is needed`);
  const amount = roundToStep(max(0, usable), WITHDRAW_STEP, 'down');
  if (!isPositive(amount) || (step.withdrawMin !== undefined && cmp(amount, step.withdrawMin) < 0)) {
    throw new InsufficientFundsError(step.from, `only ${amount} ${step.asset} can be withdrawn after the conversion (minimum ${step.withdrawMin ?? '0'})`);
  }
  return amount;
}

/** Where a live withdrawal goes: the destination venue's own address for the network, or the single allow-list entry. */
export async function withdrawDestination(config: XarbConfig, step: TransferStep, to: Venue): Promise<{address: string; tag: string | undefined; source: 'venue' | 'allowlist'}> {
  if (to.fetchDepositAddress) {
    const answer: DepositAddress = await to.fetchDepositAddress(step.asset, step.network);
    if (answer.network !== undefined && answer.network !== step.network) {
      throw new VenueDataError(step.to, `gave a ${step.asset} deposit address on ${answer.network}, not ${step.network}; refusing to send`);
    }
    if (answer.asset !== step.asset) throw new VenueDataError(step.to, `gave a deposit address for ${answer.asset}, not ${step.asset}; refusing to send`);
    return {address: answer.address, tag: answer.tag, source: 'venue'};
  }
  const entries = (config.venues[step.from]?.withdraw?.allowlist?.[step.asset] ?? []).filter((e) => e.network === undefined || e.network === step.network);
  if (entries.length === 1) return {address: entries[0]!.address, tag: entries[0]!.tag, source: 'allowlist'};
  throw new UsageError(
    `${step.to} does not give deposit addresses and venues.${step.from}.withdraw.allowlist has ${entries.length === 0 ? 'no' : 'several'} ${step.asset} address(es) for ${step.network}`,
    `add exactly one: xarb config set venues.${step.from}.withdraw.allowlist.${step.asset} '[{"address":"...","network":"${step.network}"}]'`,
  );
}

class StepFailure extends Error {
  constructor(
    readonly state: 'failed' | 'unknown',
    readonly error: XarbError | undefined,
    text: string,
  ) {
    super(text);
  }
}

class Runner {
  private readonly plans: RebalanceRepo;
  private readonly transfers: TransfersRepo;
  private readonly events: EventsRepo;
  private readonly exec: ExecutionEnv;

  constructor(
    private readonly env: RebalanceEnv,
    private readonly planId: string,
  ) {
    this.plans = new RebalanceRepo(env.db, env.clock);
    this.transfers = new TransfersRepo(env.db, env.clock);
    this.events = new EventsRepo(env.db, env.clock);
    this.exec = {db: env.db, clock: env.clock, config: env.config, venues: env.venues, ...(env.orderGraceMs === undefined ? {} : {graceMs: env.orderGraceMs}), ...(env.alerts ? {alerts: env.alerts} : {})};
  }

  private load(): StoredPlan {
    const plan = this.plans.get<RebalancePlan, PlanStep>(this.planId);
    if (!plan) throw new UsageError(`no rebalance plan ${this.planId}`);
    return plan;
  }

  async run(resumed: boolean): Promise<ExecutionReport> {
    let plan = this.load();
    if (plan.status === 'done' || plan.status === 'abandoned') return this.report(plan, resumed, undefined);
    checkTransferPolicy(this.env, plan.steps.map((s) => s.step));
    this.plans.setStatus(plan.id, 'executing');
    // Steps that failed before this run are tried again once; one that fails during this run stops it.
    this.retry = new Set(plan.steps.filter((s) => s.state === 'failed').map((s) => s.stepId));
    let failure: StepFailure | undefined;
    // Settle what earlier runs left in flight before starting anything new.
    await this.refreshSent(plan);
    plan = this.load();
    for (let progressed = true; progressed && !failure; ) {
      progressed = false;
      for (const row of plan.steps) {
        if (!this.runnable(plan, row)) continue;
        try {
          await this.runStep(plan, row);
        } catch (error) {
          if (!(error instanceof StepFailure)) throw error;
          failure = error;
          break;
        }
        progressed = true;
        plan = this.load();
        await this.refreshSent(plan);
        plan = this.load();
      }
    }
    const status = this.statusOf(plan, failure !== undefined);
    this.plans.setStatus(plan.id, status);
    this.events.append({kind: 'rebalance.run', ref: plan.id, data: {status, error: failure?.message ?? null}});
    return this.report(this.load(), resumed, failure);
  }

  private retry = new Set<string>();

  private runnable(plan: StoredPlan, row: JournalStep<PlanStep>): boolean {
    if (row.state === 'failed' && !this.retry.delete(row.stepId)) return false;
    if (!(row.state === 'pending' || row.state === 'failed' || row.state === 'running' || row.state === 'unknown')) return false;
    return row.step.after.every((id) => plan.steps.find((s) => s.stepId === id)?.state === 'done');
  }

  private statusOf(plan: StoredPlan, failed: boolean): RebalancePlanStatus {
    if (failed || plan.steps.some((s) => s.state === 'failed' || s.state === 'unknown' || s.state === 'running')) return 'failed';
    if (plan.steps.every((s) => s.state === 'done')) return 'done';
    return 'waiting';
  }

  private async runStep(plan: StoredPlan, row: JournalStep<PlanStep>): Promise<void> {
    if (row.step.kind === 'trade') await this.runTrade(plan, row as JournalStep<TradeStep>);
    else await this.runTransfer(plan, row as JournalStep<TransferStep>);
  }

  private fail(plan: StoredPlan, row: JournalStep<PlanStep>, state: 'failed' | 'unknown', error: unknown): never {
    const text = errorMessage(error);
    this.plans.setStep(plan.id, row.stepId, {state, error: text});
    this.events.append({kind: `rebalance.step_${state}`, venue: row.venue, ref: plan.id, data: {step: row.stepId, error: text}});
    throw new StepFailure(state, error instanceof XarbError ? error : undefined, `step ${row.stepId} (${describeStep(row.step)}): ${text}`);
  }

  private done(plan: StoredPlan, row: JournalStep<PlanStep>, state: 'done' | 'sent', data: Record<string, unknown> = {}): void {
    this.plans.setStep(plan.id, row.stepId, {state, error: null});
    this.events.append({kind: `rebalance.step_${state}`, venue: row.venue, ref: plan.id, data: {step: row.stepId, ...data}});
  }

  private venue(name: string): Venue {
    const venue = this.env.venues.get(name);
    if (!venue) throw new PlanConflictError(`venue ${name} of the plan is not open`, 'add the venue back or drop the plan with `xarb rebalance --abandon`');
    return venue;
  }

  private reserve(asset: string): string {
    const r = this.env.config.risk.reserves?.[asset];
    return r === undefined ? '0' : dec(r);
  }

  // ---- trades ----------------------------------------------------------------

  private async runTrade(plan: StoredPlan, row: JournalStep<TradeStep>): Promise<void> {
    const step = row.step;
    const venue = this.venue(step.venue);
    const orders = new OrdersRepo(this.env.db, this.env.clock);
    let exec = row.exec as TradeExec | undefined;
    const resuming = (row.state === 'running' || row.state === 'unknown') && exec !== undefined;
    if (!resuming) {
      const attempt = row.attempts + 1;
      let amount: string;
      try {
        amount = await tradeAmountNow(venue, step, this.reserve(step.spend.asset));
      } catch (error) {
        this.fail(plan, row, 'failed', error);
      }
      exec = {attempt, key: `${plan.id}:${step.id}:${attempt}`, amount};
    }
    const intent: OrderIntent = {symbol: step.symbol, side: step.side, amount: exec!.amount, strategy: 'best_price', venue: step.venue};
    const orderPlanId = planIdFor('order', intentIdentity(intent), exec!.key);
    if (!resuming) this.plans.setStep(plan.id, row.stepId, {state: 'running', exec: {...exec!}, orderPlanId, attempt: true, error: null});

    if (!orders.getPlan(orderPlanId)) {
      // Nothing journalled for this attempt yet: place it (risk checks and write-ahead in the order path).
      try {
        const prepared = await prepareOrder(this.exec, [venue], [...this.env.venues.values()], intent);
        await executeOrder(this.exec, prepared, exec!.key);
      } catch (error) {
        // The order path throws before anything is sent (routing, risk denial, journal refusal):
        // with no order journalled for this attempt, nothing went out.
        if (orders.list({planId: orderPlanId, limit: 1}).length === 0) this.fail(plan, row, 'failed', error);
      }
    }
    // The journal holds the attempt: settle it from there (resolving lost answers by clientOrderId).
    let placed = orders.list({planId: orderPlanId, limit: 100});
    for (const order of placed) {
      if (order.status === 'unknown' || order.status === 'pending_submit') {
        await resolveOrder(venue, this.env.db, order, {clock: this.env.clock, ...(this.env.orderGraceMs === undefined ? {} : {graceMs: this.env.orderGraceMs})});
      }
    }
    placed = orders.list({planId: orderPlanId, limit: 100});
    if (placed.length === 0) this.fail(plan, row, 'failed', new UsageError(`the order was denied (${orders.getPlan(orderPlanId)?.status ?? 'not written'})`));
    const status = planStatus(placed);
    if (status === 'unknown') this.fail(plan, row, 'unknown', new VenueError(step.venue, `the order's outcome is not known yet (${placed.map((o) => o.clientOrderId).join(', ')})`, {hint: 'run `xarb rebalance --execute` again later to resolve it'}));
    if (status === 'failed') {
      const error = placed.map((o) => o.error).find((e) => e !== undefined) ?? 'rejected';
      this.fail(plan, row, 'failed', new VenueError(step.venue, `order rejected: ${error}`));
    }
    const filled = placed.reduce((s, o) => s + Number(o.filled), 0);
    if (!(filled > 0) && placed.every((o) => o.status !== 'open')) this.fail(plan, row, 'failed', new VenueError(step.venue, 'the order filled nothing'));
    this.done(plan, row, 'done', {orderPlanId, status, filled: dec(filled)});
  }

  // ---- transfers ---------------------------------------------------------------

  private async runTransfer(plan: StoredPlan, row: JournalStep<TransferStep>): Promise<void> {
    const step = row.step;
    const from = this.venue(step.from);
    const to = this.venue(step.to);
    let exec = row.exec as TransferExec | undefined;
    let resuming = (row.state === 'running' || row.state === 'unknown') && exec !== undefined;
    let attempt = row.attempts + 1;
    if (exec) {
      const existing = this.transfers.get(exec.transferId);
      if (existing && resuming) {
        // An earlier run wrote (and maybe sent) this attempt: settle it; only a withdrawal known not to exist is tried again.
        const fresh = await this.settleTransfer(existing);
        if (fresh.state === 'sent' || fresh.state === 'arrived') {
          this.applyTransferState(plan, row, fresh);
          return;
        }
        if (fresh.state === 'unknown') this.fail(plan, row, 'unknown', new VenueError(step.from, `withdrawal outcome not known yet: ${fresh.error ?? ''}`, {hint: 'it is looked up in the venue\'s withdrawal history; run `xarb rebalance --execute` (or `status`) again later'}));
        resuming = false;
        attempt = exec.attempt + 1;
      } else if (resuming) {
        attempt = exec.attempt; // the run stopped before writing the transfer: nothing was sent under this id
      }
    }
    // The kill switch stops withdrawals too: nothing leaves while trading is halted (the step stays resumable).
    const trading = new RiskStateRepo(this.env.db, this.env.clock).get();
    if (trading.state === 'halted') {
      throw new RiskDeniedError('trading state', 'halted', `withdraw ${step.amount} ${step.asset} from ${step.from} to ${step.to}`, trading.reason ?? 'xarb risk halt');
    }
    exec = {attempt, transferId: `${plan.id}:${step.id}:${attempt}`};
    // Both sides are read first: a paper venue seeds its starting balances on first read.
    let amount: string;
    try {
      await to.fetchBalances();
      amount = await transferAmountNow(from, step, this.reserve(step.asset));
    } catch (error) {
      this.fail(plan, row, 'failed', error);
    }
    const expected = max(0, sub(amount, step.withdrawFee));
    this.plans.setStep(plan.id, row.stepId, {state: 'running', exec: {...exec}, transferId: exec.transferId, attempt: attempt > row.attempts, error: null});

    if (from.info.mode === 'paper') {
      this.paperTransfer(plan, row, exec.transferId, amount, expected);
      return;
    }

    // Live: the destination's own address for this network, or the allow-list.
    let address: {address: string; tag: string | undefined; source: 'venue' | 'allowlist'};
    try {
      address = await withdrawDestination(this.env.config, step, to);
    } catch (error) {
      this.fail(plan, row, 'failed', error);
    }
    if (!from.withdraw) this.fail(plan, row, 'failed', new UsageError(`${step.from} cannot withdraw through its API`));
    const written = this.transfers.insert({
      id: exec.transferId,
      planId: plan.id,
      stepId: step.id,
      asset: step.asset,
      from: step.from,
      to: step.to,
      amount,
      fee: step.withdrawFee,
      expected,
      network: step.network,
      address: address.address,
      ...(address.tag === undefined ? {} : {tag: address.tag}),
      addressSource: address.source,
      mode: 'live',
    });
    this.events.append({kind: 'transfer.written', venue: step.from, ref: written.id, data: {asset: step.asset, amount, to: step.to, network: step.network, addressSource: address.source}});
    try {
      const answer = await from.withdraw({asset: step.asset, amount, address: address.address, ...(address.tag === undefined ? {} : {tag: address.tag}), network: step.network});
      if (answer.status === 'failed' || answer.status === 'canceled') {
        this.transfers.markFailed(written.id, `the venue reports the withdrawal ${answer.status}`);
        this.fail(plan, row, 'failed', new VenueError(step.from, `withdrawal ${answer.id} ${answer.status}`));
      }
      this.transfers.markSent(written.id, {withdrawalId: answer.id, ...(answer.txid ? {txid: answer.txid} : {}), ...(answer.fee ? {fee: answer.fee.cost} : {})});
      this.events.append({kind: 'transfer.sent', venue: step.from, ref: written.id, data: {withdrawalId: answer.id, status: answer.status}});
      this.done(plan, row, 'sent', {transferId: written.id});
    } catch (error) {
      if (error instanceof StepFailure) throw error;
      if (isDefiniteRejection(error)) {
        this.transfers.markFailed(written.id, errorMessage(error));
        this.events.append({kind: 'transfer.failed', venue: step.from, ref: written.id, data: {error: errorMessage(error)}});
        this.fail(plan, row, 'failed', error);
      }
      this.transfers.markUnknown(written.id, errorMessage(error));
      this.events.append({kind: 'transfer.unknown', venue: step.from, ref: written.id, data: {error: errorMessage(error)}});
      this.fail(plan, row, 'unknown', error);
    }
  }

  private paperTransfer(plan: StoredPlan, row: JournalStep<TransferStep>, id: string, amount: string, expected: string): void {
    const step = row.step;
    const paper = new PaperRepo(this.env.db);
    try {
      this.env.db.tx(() => {
        this.transfers.insert({id, planId: plan.id, stepId: step.id, asset: step.asset, from: step.from, to: step.to, amount, fee: step.withdrawFee, expected, network: step.network, addressSource: 'paper', mode: 'paper'});
        const have = paper.balance(step.from, step.asset).free;
        if (cmp(have, amount) < 0) throw new InsufficientFundsError(step.from, `paper balance ${have} ${step.asset} is less than ${amount}`);
        paper.move(step.from, step.asset, `-${amount}`);
        if (isPositive(expected)) paper.move(step.to, step.asset, expected);
        this.transfers.markSent(id, {withdrawalId: `paper-${id}`});
        this.transfers.markArrived(id, {received: expected, depositId: `paper-${id}`});
        this.events.append({kind: 'transfer.paper', venue: step.from, ref: id, data: {asset: step.asset, amount, received: expected, to: step.to, fee: step.withdrawFee}});
      });
    } catch (error) {
      this.fail(plan, row, 'failed', error);
    }
    this.done(plan, row, 'done', {transferId: id, paper: true});
  }

  /** A resumed transfer whose row exists: resolve an unknown (or interrupted) withdrawal through the venue. */
  private async settleTransfer(transfer: JournalTransfer): Promise<JournalTransfer> {
    if (transfer.state === 'pending_submit') {
      // Written, then the process stopped: the withdrawal may or may not have been sent. Resolve like unknown.
      this.transfers.markUnknown(transfer.id, 'the run stopped after writing the transfer; outcome unknown');
    }
    if (transfer.state === 'failed' || transfer.state === 'canceled') return transfer;
    return refreshTransfer(this.env, this.transfers.get(transfer.id)!);
  }

  private applyTransferState(plan: StoredPlan, row: JournalStep<PlanStep>, t: JournalTransfer): void {
    if (t.state === 'arrived') this.done(plan, row, 'done', {transferId: t.id, received: t.received});
    else if (t.state === 'sent' && row.state !== 'sent') this.done(plan, row, 'sent', {transferId: t.id});
  }

  /** Checks arrivals (and withdrawal failures) of the plan's sent transfers. */
  private async refreshSent(plan: StoredPlan): Promise<void> {
    for (const row of plan.steps) {
      if (row.kind !== 'transfer' || row.state !== 'sent' || !row.transferId) continue;
      const t = this.transfers.get(row.transferId);
      if (!t) continue;
      const fresh = await refreshTransfer(this.env, t);
      if (fresh.state === 'arrived') this.done(plan, row, 'done', {transferId: t.id, received: fresh.received});
      else if (fresh.state === 'failed') {
        this.plans.setStep(plan.id, row.stepId, {state: 'failed', error: fresh.error ?? 'withdrawal failed'});
      }
    }
  }

  private report(plan: StoredPlan, resumed: boolean, failure: StepFailure | undefined): ExecutionReport {
    const steps: StepReport[] = plan.steps.map((s) => ({
      id: s.stepId,
      kind: s.kind,
      summary: describeStep(s.step),
      state: s.state,
      error: s.error,
      attempts: s.attempts,
      orderPlanId: s.orderPlanId,
      transferId: s.transferId,
      waitingFor: s.state === 'pending' ? s.step.after.filter((id) => plan.steps.find((x) => x.stepId === id)?.state !== 'done') : [],
    }));
    const err = failure?.error;
    const exitCode = failure ? (err?.exitCode ?? ExitCode.venueFailed) : plan.steps.some((s) => s.state === 'failed' || s.state === 'unknown') ? ExitCode.venueFailed : ExitCode.ok;
    return {
      planId: plan.id,
      status: plan.status,
      resumed,
      steps,
      transfers: this.transfers.list({planId: plan.id}).reverse(),
      exitCode,
      error: failure ? {name: err?.name ?? 'VenueError', message: failure.message, hint: err?.hint ?? 'fix the cause, then resume with `xarb rebalance --execute`'} : undefined,
    };
  }
}
