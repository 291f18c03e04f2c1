/**
 * Placing orders: journal first, then the venue, then the journal again.
 *
 * 1. writeAhead (synchronous, one SQLite transaction, BEGIN IMMEDIATE): read
 *    the trading state and the open/in-flight usage, run the risk engine over
 *    the whole batch, and either journal a denial event (and nothing else
 *    happens: RiskDeniedError, exit 3) or insert the plan and every order as
 *    `pending_submit` with its deterministic clientOrderId. Two processes
 *    serialize on that transaction, so they cannot both slip under a limit.
 * 2. sendOrder: createOrder on the venue. An answer updates the order; a
 *    definite refusal (VenueRejectedError and subclasses, VenueAuthError,
 *    NotSupportedError) marks it `rejected`; anything else (timeout, 5xx,
 *    lost answer, unexpected error) marks it `unknown`, and it is resolved
 *    only by looking its clientOrderId up (resolve.ts) - never re-sent.
 *
 * Used by `xarb order`, `xarb arb execute` and rebalance.
 *
 * Live orders go only to venues where our client id round-trips (it reaches
 * the venue and the order can be found by it again): elsewhere a lost answer
 * could not be resolved without risking a duplicate, so they are refused
 * (UsageError, exit 2) unless the venue config opts out. Order, arb and
 * rebalance check every venue their plan may send to as soon as it is
 * planned (liveRefusal), before journalling or asking for confirmation;
 * writeAhead checks again as the last guard.
 */
import {errorMessage, ExitCode, NotSupportedError, RiskDeniedError, UsageError, VenueAuthError, VenueError, VenueRejectedError, XarbError} from '../errors.js';
import type {AlertSink} from '../alerts/index.js';
import type {XarbConfig} from '../config/schema.js';
import {isUniqueViolation, type Db} from '../journal/db.js';
import {EventsRepo, type EventInput} from '../journal/events.js';
import {FillsRepo} from '../journal/fills.js';
import {OrdersRepo, DuplicateOrderError, ORDER_ROW, type JournalOrder} from '../journal/orders.js';
import {PlansRepo, type PlanKind, type PlanStatus} from '../journal/plans.js';
import {RiskUsageRepo, type UsageSnapshot} from '../journal/risk-usage.js';
import type {TradingState} from '../journal/risk-state.js';
import {add, cmp, dec, div, isPositive, mul} from '../money/decimal.js';
import {denialError, evaluateBatch, type Denial} from '../risk/engine.js';
import type {RiskSnapshot} from '../risk/types.js';
import {baseOf, quoteOf} from '../symbols/index.js';
import type {Clock, Fee, OrderType, PlannedOrder, Side} from '../types.js';
import type {Venue} from '../venues/port.js';
import {crashPoint} from './crash.js';
import {clientOrderIdFor} from './ids.js';
import {cashAssets, type RiskInputs} from './inputs.js';
import {DEFAULT_GRACE_MS, resolveOrder, syncFills} from './resolve.js';

export interface ExecutionEnv {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: XarbConfig;
  /** Opened venues by name. */
  readonly venues: ReadonlyMap<string, Venue>;
  /** How long a venue may not know an order before it is declared never placed (default 60 s). */
  readonly graceMs?: number;
  /** Told about risk denials of batches with a live order (never changes the outcome). */
  readonly alerts?: AlertSink;
}

export interface Batch {
  readonly planId: string;
  readonly kind: PlanKind;
  readonly intent: unknown;
  readonly plan: unknown;
  readonly orders: readonly PlannedOrder[];
  /** false when adding orders (failover, unwind) to a plan already journalled. */
  readonly newPlan: boolean;
}

/**
 * The risk check of a batch against the journal's trading state and
 * open/in-flight usage, as writeAhead runs it: the same function, without
 * writing anything. Call it inside writeAhead's transaction to act on it, or
 * alone (a dry run) to learn whether the real run would be denied.
 */
export function riskDenial(
  env: Pick<ExecutionEnv, 'db' | 'clock' | 'config'>,
  orders: readonly PlannedOrder[],
  risk: RiskInputs,
  read: {readonly usage: UsageSnapshot; readonly state: TradingState} = new RiskUsageRepo(env.db, env.clock).usageAndState(),
): Denial | undefined {
  // The trading state and the usage in one read (one round trip on PostgreSQL), unless the caller read them already.
  const {state, usage} = read;
  const snapshot: RiskSnapshot = {
    state,
    valuationQuote: env.config.valuationQuote,
    cash: cashAssets(env.config.valuationQuote),
    value: risk.value,
    balances: risk.balances,
    unknownBalances: risk.unknownBalances,
    usage,
  };
  return evaluateBatch(orders, env.config.risk, snapshot);
}

/**
 * Why live orders on one of these venues are refused, or undefined: a live
 * venue where our client id cannot round-trip (VenueInfo.clientIds.unsafe),
 * unless the user set its allowLiveWithoutIdempotency. Paper venues are never
 * refused. Callers check every venue a plan may send to right after planning,
 * before anything is journalled or confirmed (exit 2).
 */
export function liveRefusal(venues: Iterable<Venue | undefined>): UsageError | undefined {
  for (const venue of venues) {
    const ids = venue?.info.clientIds;
    if (!venue || venue.info.mode !== 'live' || ids?.unsafe === undefined || ids.optOut === true) continue;
    const name = venue.info.id;
    return new UsageError(
      `${name}: live orders are refused: ${ids.unsafe}, so an order whose answer is lost could not be resolved without risking a duplicate`,
      `trade it in paper mode (xarb exchanges set ${name} mode=paper), leave it out (--venues), or accept that risk: xarb exchanges set ${name} allowLiveWithoutIdempotency=true`,
    );
  }
  return undefined;
}

/** Throws liveRefusal's error (UsageError, exit 2) when there is one. */
export function assertIdempotentLive(venues: Iterable<Venue | undefined>): void {
  const refused = liveRefusal(venues);
  if (refused) throw refused;
}

/**
 * Risk check and write-ahead in one transaction. Returns the journalled
 * orders (pending_submit). On a denial only the `risk.denied` event (with
 * the plan id, the violation and the order) is committed and
 * RiskDeniedError is thrown: no plan or order row exists and nothing may be
 * sent. A denial of a batch with an order for a live venue is also reported
 * to env.alerts before the error is thrown.
 */
export async function writeAhead(env: ExecutionEnv, batch: Batch, risk: RiskInputs): Promise<JournalOrder[]> {
  try {
    return writeAheadNow(env, batch, risk);
  } catch (error) {
    const live = [...new Set(batch.orders.filter((o) => env.venues.get(o.venue)?.info.mode === 'live').map((o) => o.venue))];
    if (error instanceof RiskDeniedError && env.alerts && live.length > 0) {
      await env.alerts.notify({
        kind: 'risk.denied',
        summary: error.message,
        venue: live[0],
        ref: batch.planId,
        data: {limit: error.limit, limitValue: error.limitValue, attempted: error.attempted, liveVenues: live, planKind: batch.kind},
      });
    }
    throw error;
  }
}

function writeAheadNow(env: ExecutionEnv, batch: Batch, risk: RiskInputs): JournalOrder[] {
  const orders = new OrdersRepo(env.db, env.clock);
  const plans = new PlansRepo(env.db, env.clock);
  const events = new EventsRepo(env.db, env.clock);
  assertIdempotentLive(batch.orders.map((o) => env.venues.get(o.venue)));
  crashPoint('before_write');
  const keys = batch.orders.map((o) => ({venue: o.venue, clientOrderId: clientOrderIdFor(batch.planId, o.leg, env.venues.get(o.venue)?.info.clientIds?.maxLength)}));
  const write = (): {denied: RiskDeniedError} | {written: ReturnType<OrdersRepo['insertNew']>[]} => {
    // Whether the plan is journalled already, the trading state and the usage: one read (one round trip on PostgreSQL).
    const read = new RiskUsageRepo(env.db, env.clock).usageAndState(undefined, batch.newPlan ? batch.planId : undefined);
    if (read.planExists) {
      const existing = orders.list({planId: batch.planId})[0];
      if (existing) throw new DuplicateOrderError(existing);
      throw new XarbError(`plan ${batch.planId} is already journalled`, {exitCode: ExitCode.usage, hint: 'the same intent was already placed; see `xarb orders`'});
    }
    const denial = riskDenial(env, batch.orders, risk, read);
    if (denial) {
      const error = denialError(denial);
      events.add({
        kind: 'risk.denied',
        venue: denial.order.venue,
        ref: batch.planId,
        data: {...denial.violation, order: {...denial.order, base: baseOf(denial.order.symbol), quote: quoteOf(denial.order.symbol)}, batchSize: batch.orders.length},
      });
      // No plan row: the same intent may be retried (same --client-id) once the limit allows it.
      return {denied: error};
    }
    if (batch.newPlan) plans.insert({id: batch.planId, kind: batch.kind, intent: batch.intent, plan: batch.plan, status: 'sending'});
    const writeLeg = (o: PlannedOrder, i: number) => {
      const venue = env.venues.get(o.venue);
      // Inserted without waiting for the database: on PostgreSQL the inserts go with the commit, one round trip less
      // under the journal lock. An order journalled already fails the transaction (see journalledOrFailed).
      const row = orders.insertNew({
        venue: o.venue,
        clientOrderId: keys[i]!.clientOrderId,
        planId: batch.planId,
        leg: o.leg,
        symbol: o.symbol,
        quote: quoteOf(o.symbol),
        side: o.side,
        type: o.type,
        amount: o.amount,
        ...(o.price === undefined ? {} : {price: o.price}),
        notional: reservedNotional(o),
        mode: venue?.info.mode ?? 'live',
      });
      events.add({kind: 'order.written', venue: o.venue, ref: row.order.clientOrderId, data: {planId: batch.planId, leg: o.leg, side: o.side, type: o.type, amount: o.amount, price: o.price ?? null}});
      return row;
    };
    // The usage aggregates are moved once, after every leg's insert (RiskUsageRepo.deferred: no lock cycles on PostgreSQL).
    const written = orders.riskUsage.deferred(() => batch.orders.map(writeLeg));
    return {written};
  };
  const outcome = journalledOrFailed(orders, keys, () => env.db.tx(write));
  if ('denied' in outcome) throw outcome.denied;
  // The ids came back with the commit.
  return outcome.written.map((w): JournalOrder => ({id: w.id(), ...w.order}));
}

/**
 * Runs the write-ahead transaction; when a unique key refused one of its
 * inserts and one of the batch's orders is journalled, the failure is
 * DuplicateOrderError with that order: the same intent must never be
 * written, or sent, twice. Nothing of the transaction was written.
 */
function journalledOrFailed<T>(orders: OrdersRepo, keys: readonly {venue: string; clientOrderId: string}[], write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = keys.map((k) => orders.byClientOrderId(k.venue, k.clientOrderId)).find((o) => o !== undefined);
    if (existing) throw new DuplicateOrderError(existing);
    throw error;
  }
}

/**
 * Is this error a definite refusal (nothing was placed)? Either the venue
 * refused, or the call failed on this machine before any request left (a
 * keys file readable by others, a bad setting: an XarbError that is not a
 * VenueError), so nothing reached the venue.
 */
export function isDefiniteRejection(error: unknown): boolean {
  return error instanceof VenueRejectedError || error instanceof VenueAuthError || error instanceof NotSupportedError || isLocalFailure(error);
}

/** A failure raised locally before sending: typed, but not a venue's answer. */
export function isLocalFailure(error: unknown): boolean {
  return error instanceof XarbError && !(error instanceof VenueError);
}

/**
 * Sends one journalled `pending_submit` order exactly once and journals the
 * outcome. Never throws for venue errors: the returned order carries the
 * status (open/closed/canceled, rejected, or unknown when the answer was lost
 * and the lookup could not settle it).
 */
export async function sendOrder(env: ExecutionEnv, order: JournalOrder): Promise<JournalOrder> {
  const orders = new OrdersRepo(env.db, env.clock);
  const events = new EventsRepo(env.db, env.clock);
  const venue = env.venues.get(order.venue);
  if (!venue) return orders.markRejected(order.id, `venue ${order.venue} is not open`);
  const current = orders.get(order.id);
  if (!current || current.status !== 'pending_submit') {
    // Never send twice: only a freshly written order goes out.
    return current ?? order;
  }
  crashPoint('after_write');
  // Journalled with the request's outcome (answer, refusal or lost answer), stamped with the time it left: one write
  // less on the order path. Should this process die while the request is out, the order stays pending_submit, which
  // always means "may have reached the venue" (it is resolved by its client id, never sent again).
  const sent: EventInput = {kind: 'order.sent', venue: order.venue, ref: order.clientOrderId, data: {id: order.id}, at: env.clock.now()};
  // The order as read above: the status change below assumes it is still so (on PostgreSQL a round trip less; when
  // another host changed it meanwhile, the change runs again reading the row under its lock).
  const assumed = {assumed: current};
  // The outcome's writes: `order.sent`, then the status change and its event, in one transaction that locks only the
  // order's row (nothing that needs the journal lock may be added to it; a nested transaction runs under its options).
  const journalOutcome = <T>(change: () => T): T =>
    env.db.tx(() => {
      events.add(sent);
      return change();
    }, ORDER_ROW);
  let answer;
  try {
    answer = await venue.createOrder({
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      amount: order.amount,
      ...(order.price === undefined ? {} : {price: order.price}),
      clientOrderId: order.clientOrderId,
      // A market buy's quote amount is the journalled notional (amount x expected price, as the risk check used).
      ...(order.type === 'market' && order.side === 'buy' ? {cost: order.notional} : {}),
    });
  } catch (error) {
    if (isDefiniteRejection(error)) {
      return journalOutcome(() => {
        events.add({kind: 'order.rejected', venue: order.venue, ref: order.clientOrderId, data: {error: errorMessage(error), name: (error as Error).name}});
        return orders.markRejected(order.id, errorMessage(error), assumed);
      });
    }
    const unknown = journalOutcome(() => {
      const marked = orders.markUnknown(order.id, errorMessage(error), assumed);
      events.add({kind: 'order.unknown', venue: order.venue, ref: order.clientOrderId, data: {error: errorMessage(error), name: error instanceof Error ? error.name : 'Error'}});
      return marked;
    });
    const resolved = await resolveOrder(venue, env.db, unknown, {clock: env.clock, graceMs: env.graceMs ?? DEFAULT_GRACE_MS, requestTimeoutMs: env.config.venues[order.venue]?.timeoutMs});
    return resolved.order;
  }
  crashPoint('after_accept');
  // The answer and its events commit together (on PostgreSQL in one round trip, with the COMMIT).
  let updated = journalOutcome(() => {
    const applied = orders.applyVenueOrder(order.id, answer, assumed);
    events.add({kind: 'order.accepted', venue: order.venue, ref: order.clientOrderId, data: {venueOrderId: answer.id, status: answer.status, filled: answer.filled}});
    return applied;
  });
  crashPoint('after_answer');
  try {
    // Some venues answer a create with the id only (kraken): read the order back once.
    if (updated.status === 'open' && (updated.type === 'market' || !answer.clientOrderId)) {
      const fresh = await venue.fetchOrder({id: answer.id, clientOrderId: order.clientOrderId}, order.symbol);
      if (fresh) updated = orders.applyVenueOrder(order.id, fresh);
    }
    if (isPositive(updated.filled)) await syncFills(venue, env.db, updated, env.clock);
  } catch (error) {
    events.append({kind: 'order.refresh_failed', venue: order.venue, ref: order.clientOrderId, data: {error: errorMessage(error)}});
  }
  return orders.get(order.id) ?? updated;
}

/** What happened to one order, for reports and --json. */
export interface OrderResult {
  readonly id: number;
  readonly leg: number | undefined;
  readonly venue: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly mode: 'paper' | 'live';
  readonly amount: string;
  readonly price: string | undefined;
  readonly status: JournalOrder['status'];
  readonly filled: string;
  readonly average: string | undefined;
  readonly fees: readonly Fee[];
  readonly error: string | undefined;
}

export function orderResult(db: Db, clock: Clock, order: JournalOrder): OrderResult {
  const totals = new FillsRepo(db).fillTotals(order.id);
  const fromFills = cmp(totals.amount, 0) > 0 && cmp(totals.amount, order.filled) === 0;
  return {
    id: order.id,
    leg: order.leg,
    venue: order.venue,
    clientOrderId: order.clientOrderId,
    venueOrderId: order.venueOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    mode: order.mode,
    amount: order.amount,
    price: order.price,
    status: order.status,
    filled: order.filled,
    average: order.average ?? (fromFills ? div(totals.cost, totals.amount) : undefined),
    fees: fromFills && totals.fees.length > 0 ? totals.fees : order.fees,
    error: order.error,
  };
}

/** Total filled, average price and fees over several order results. */
export function summarize(results: readonly OrderResult[]): {filled: string; average: string | undefined; fees: Fee[]} {
  let filled = '0';
  let cost = '0';
  const fees = new Map<string, string>();
  for (const r of results) {
    filled = add(filled, r.filled);
    if (r.average !== undefined) cost = add(cost, mul(r.filled, r.average));
    for (const f of r.fees) fees.set(f.currency, add(fees.get(f.currency) ?? '0', f.cost));
  }
  return {filled, average: isPositive(filled) ? div(cost, filled) : undefined, fees: [...fees].map(([currency, c]) => ({cost: dec(c), currency}))};
}

/** Plan status from the orders that count (a rejected order replaced by a failover does not). */
export function planStatus(orders: readonly JournalOrder[]): PlanStatus {
  if (orders.length === 0) return 'failed';
  if (orders.some((o) => o.status === 'unknown' || o.status === 'pending_submit')) return 'unknown';
  if (orders.every((o) => o.status === 'rejected')) return 'failed';
  return orders.every((o) => o.status === 'closed' || (o.status === 'open' && o.type === 'limit')) ? 'done' : 'partial';
}

/** Notional reserved against the daily volume while an order is live: amount x the higher of limit and expected price. */
export function reservedNotional(o: Pick<PlannedOrder, 'amount' | 'price' | 'expectedPrice'>): string {
  const expected = dec(String(o.expectedPrice));
  const price = o.price !== undefined && cmp(o.price, expected) > 0 ? o.price : expected;
  return mul(o.amount, price);
}
