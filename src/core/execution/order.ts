/**
 * `xarb order buy|sell`: gather market data, route, and (unless it is a dry
 * run) check risk, write ahead and send the child orders.
 *
 * - `prepareOrder` asks the venues for markets, books and balances and
 *   produces the plan (pure routing). Nothing is written or sent.
 * - `executeOrder` journals the plan and its child orders after the risk
 *   check (one transaction), sends the children concurrently, and with the
 *   `priority` strategy fails over to the next venue when a venue refuses
 *   the order. A child whose answer was lost is resolved by its
 *   clientOrderId, never re-sent, and there is no failover after it (the
 *   first order may exist).
 * - Replaying the same intent with the same key (--client-id) returns the
 *   journalled outcome instead of sending again.
 */
import {ExitCode, NothingToPlaceError, UsageError, VenueError, type XarbError} from '../errors.js';
import {denialError} from '../risk/engine.js';
import {OrdersRepo, type JournalOrder} from '../journal/orders.js';
import {PlansRepo, type PlanStatus} from '../journal/plans.js';
import {LatencyRepo} from '../journal/latency.js';
import {add, cmp, dec, isPositive} from '../money/decimal.js';
import {buildChild, cannotTake} from '../router/child.js';
import {route} from '../router/route.js';
import type {RouteIntent, RoutePlan, RouteStrategy, VenueCandidate} from '../router/types.js';
import type {ExecutionMode, Fee, PlannedOrder, Side} from '../types.js';
import type {Venue} from '../venues/port.js';
import {invocationKey, planIdFor} from './ids.js';
import {gatherMarketData, gatherRiskInputs, toCandidates, type RiskInputs, type VenueFailure} from './inputs.js';
import {liveRefusal, orderResult, planStatus, riskDenial, sendOrder, summarize, writeAhead, type ExecutionEnv, type OrderResult} from './place.js';

export interface OrderIntent {
  readonly symbol: string;
  readonly side: Side;
  /** Decimal string, base units. */
  readonly amount: string;
  readonly limitPrice?: string;
  readonly strategy: RouteStrategy;
  /** Force one venue (`--venue`); the strategy is then irrelevant. */
  readonly venue?: string;
}

export interface PreparedOrder {
  readonly intent: OrderIntent;
  readonly plan: RoutePlan;
  readonly candidates: readonly VenueCandidate[];
  readonly failures: readonly VenueFailure[];
  readonly risk: RiskInputs;
  readonly modes: Readonly<Record<string, ExecutionMode>>;
}

/** The plan as shown by --dry-run and stored in the plans table: the routed plan, each child with its venue's mode. */
export interface PlanView extends Omit<RoutePlan, 'children'> {
  readonly children: readonly (PlannedOrder & {readonly mode: ExecutionMode})[];
}

export interface OrderReport {
  readonly planId: string | undefined;
  readonly dryRun: boolean;
  /** True when this intent and key were already placed: nothing was sent now. */
  readonly replayed: boolean;
  readonly plan: PlanView;
  readonly orders: readonly OrderResult[];
  readonly status: PlanStatus | 'planned';
  readonly filled: string;
  readonly average: string | undefined;
  readonly fees: readonly Fee[];
  /** 4 when an order was refused, or its outcome is not known yet, and the plan is not done; else 0. */
  readonly exitCode: ExitCode;
  /** Dry run only: what the real run would stop with (and its exit code); absent when it would send. */
  readonly wouldBeDenied?: DenialView;
}

/** An error the real run would end with, as a dry run reports it. */
export interface DenialView {
  readonly name: string;
  readonly message: string;
  readonly hint: string | undefined;
  readonly exitCode: number;
}

export function denialView(error: XarbError): DenialView {
  return {name: error.name, message: error.message, hint: error.hint, exitCode: error.exitCode};
}

export function planView(prepared: Pick<PreparedOrder, 'plan' | 'modes'>): PlanView {
  return {...prepared.plan, children: prepared.plan.children.map((c) => ({...c, mode: prepared.modes[c.venue] ?? 'live'}))};
}

/**
 * Gathers market data from `routeVenues` (and balances/rates for risk from
 * `allVenues`) and routes the intent. Throws UsageError when no venue lists
 * the symbol or none can take the order. With `maxAgeMs`, a venue whose book
 * is older than that is not routed to (it is listed as skipped).
 */
export async function prepareOrder(env: ExecutionEnv, routeVenues: readonly Venue[], allVenues: readonly Venue[], intent: OrderIntent, options: {readonly maxAgeMs?: number} = {}): Promise<PreparedOrder> {
  const venues = intent.venue ? routeVenues.filter((v) => v.info.id === intent.venue) : routeVenues;
  if (venues.length === 0) throw new UsageError(`venue ${intent.venue} is not open`);
  const gathered = await gatherMarketData(venues, intent.symbol, options.maxAgeMs === undefined ? {} : {maxAgeMs: options.maxAgeMs, now: env.clock.now()});
  if (gathered.data.length === 0) {
    if (gathered.failures.some((f) => f.failed)) {
      throw new VenueError(venues.length === 1 ? venues[0]!.info.id : 'all venues', `no venue answered for ${intent.symbol}: ${gathered.failures.map((f) => `${f.venue}: ${f.reason}`).join('; ')}`);
    }
    throw new NothingToPlaceError(`no venue can trade ${intent.symbol}: ${gathered.failures.map((f) => `${f.venue}: ${f.reason}`).join('; ')}`, 'see `xarb prices` for what each venue lists');
  }
  const risk = await gatherRiskInputs(allVenues, env.config, gathered.data);
  // routeVenues come in configured order (priority, then name): that order is the `priority` route.
  const priorities = new Map(routeVenues.map((v, i) => [v.info.id, i] as const));
  const candidates = toCandidates(gathered.data, {config: env.config, priorities, latency: new LatencyRepo(env.db).medians(gathered.data.map((d) => d.venue)), value: risk.value});
  const routeIntent: RouteIntent = {symbol: intent.symbol, side: intent.side, amount: intent.amount, ...(intent.limitPrice === undefined ? {} : {limitPrice: intent.limitPrice})};
  const plan = routeWithinLimits(intent.venue ? 'best_price' : intent.strategy, routeIntent, candidates);
  const withFailures: RoutePlan = {...plan, strategy: intent.strategy, skipped: [...plan.skipped, ...gathered.failures]};
  const modes = Object.fromEntries(venues.map((v) => [v.info.id, v.info.mode] as const));
  return {intent, plan: withFailures, candidates, failures: gathered.failures, risk, modes};
}

/**
 * Routes within the per-order risk caps first (so `best_price` picks the best
 * venue the limits allow and `split` spreads around them). When the caps
 * leave no way to place the whole amount, the uncapped plan is returned
 * instead: executing it is then denied by the risk engine, which names the
 * limit (exit 3) rather than a vague "no venue can take it".
 */
function routeWithinLimits(strategy: RouteStrategy, intent: RouteIntent, candidates: readonly VenueCandidate[]): RoutePlan {
  let capped: RoutePlan | undefined;
  let failure: unknown;
  try {
    capped = route(strategy, intent, candidates);
    if (cmp(capped.unplanned, 0) === 0) return capped;
  } catch (error) {
    failure = error;
  }
  const hasCaps = candidates.some((c) => c.maxAmount !== undefined || c.maxNotional !== undefined || isPositive(c.quoteReserved ?? '0') || isPositive(c.baseReserved ?? '0'));
  if (hasCaps) {
    try {
      const uncapped = route(
        strategy,
        intent,
        candidates.map(({maxAmount: _a, maxNotional: _n, quoteReserved, baseReserved, ...rest}) => ({
          ...rest,
          ...(rest.quoteFree === undefined ? {} : {quoteFree: add(rest.quoteFree, quoteReserved ?? '0')}),
          ...(rest.baseFree === undefined ? {} : {baseFree: add(rest.baseFree, baseReserved ?? '0')}),
        })),
      );
      if (!capped || cmp(uncapped.unplanned, capped.unplanned) < 0) return uncapped;
    } catch {
      // fall through to the capped outcome
    }
  }
  if (capped) return capped;
  throw failure;
}

/** Why the plan cannot be sent as it stands (the real run throws this before writing anything), or undefined. */
function placeabilityError(plan: RoutePlan): NothingToPlaceError | undefined {
  if (cmp(plan.unplanned, 0) > 0 && plan.type === 'market') {
    return new NothingToPlaceError(`only ${plan.planned} of ${plan.amount} ${plan.symbol} can be placed now (books, balances and limits)`, 'lower the amount, or see the plan with --dry-run');
  }
  if (plan.children.length === 0) return new NothingToPlaceError(`no venue can take ${plan.side} ${plan.amount} ${plan.symbol}`, 'see the plan with --dry-run');
  return undefined;
}

/** The venues a plan may send to: its children's, and for a priority route the failover venues. */
export function sendableVenues(prepared: Pick<PreparedOrder, 'plan' | 'intent'>): string[] {
  const {plan, intent} = prepared;
  const fallbacks = plan.strategy === 'priority' && !intent.venue ? plan.fallbacks : [];
  return [...new Set([...plan.children.map((c) => c.venue), ...fallbacks])];
}

/**
 * Live orders refused on a venue of the plan where our client id cannot
 * round-trip (place.ts liveRefusal): the error (UsageError, exit 2), or
 * undefined. Checked before anything is journalled or confirmed.
 */
export function orderLiveRefusal(env: Pick<ExecutionEnv, 'venues'>, prepared: Pick<PreparedOrder, 'plan' | 'intent'>): XarbError | undefined {
  return liveRefusal(sendableVenues(prepared).map((name) => env.venues.get(name)));
}

/**
 * A dry run's verdict: every check the real run makes before sending, in the
 * same order (live refusal, placeability, then the trading state and every
 * risk limit over the whole batch, by the same risk function writeAhead
 * runs), with nothing written or sent. Returns the error the real run would
 * stop with, or undefined when it would send.
 */
export function dryRunDenial(env: ExecutionEnv, prepared: PreparedOrder): XarbError | undefined {
  const refused = orderLiveRefusal(env, prepared);
  if (refused) return refused;
  const unplaceable = placeabilityError(prepared.plan);
  if (unplaceable) return unplaceable;
  const denial = riskDenial(env, prepared.plan.children, prepared.risk);
  return denial ? denialError(denial) : undefined;
}

/** The identity of an order intent for its plan id (what makes two commands "the same order"). */
export function intentIdentity(intent: OrderIntent): Record<string, unknown> {
  return {symbol: intent.symbol, side: intent.side, amount: dec(intent.amount), limitPrice: intent.limitPrice === undefined ? undefined : dec(intent.limitPrice), strategy: intent.strategy, venue: intent.venue};
}

function report(env: ExecutionEnv, prepared: Pick<PreparedOrder, 'plan' | 'modes'>, planId: string, orders: readonly JournalOrder[], effective: readonly JournalOrder[], replayed: boolean): OrderReport {
  const results = orders.map((o) => orderResult(env.db, env.clock, o));
  const sum = summarize(results);
  const status = planStatus(effective);
  const exitCode = status !== 'done' && results.some((o) => o.status === 'rejected' || o.status === 'unknown' || o.status === 'pending_submit') ? ExitCode.venueFailed : ExitCode.ok;
  return {planId, dryRun: false, replayed, plan: planView(prepared), orders: results, status, ...sum, exitCode};
}

/**
 * Places a prepared order. `key` makes the plan id (pass the user's
 * --client-id, or something unique per invocation such as time and pid);
 * `clientId` (the user's --client-id) is stored with the plan for `cancel`.
 */
export async function executeOrder(env: ExecutionEnv, prepared: PreparedOrder, key: string = invocationKey(env.clock), options: {readonly clientId?: string} = {}): Promise<OrderReport> {
  const {plan, intent} = prepared;
  const repo = new OrdersRepo(env.db, env.clock);
  const plans = new PlansRepo(env.db, env.clock);
  const planId = planIdFor('order', intentIdentity(intent), key);
  const existing = plans.get(planId);
  if (existing) {
    const orders = repo.list({planId, limit: 10_000}).reverse();
    const stored = existing.plan as PlanView;
    return report(env, {plan: {...plan, ...stored}, modes: prepared.modes}, planId, orders, effectiveOrders(orders), true);
  }
  const refused = orderLiveRefusal(env, prepared);
  if (refused) throw refused;
  const unplaceable = placeabilityError(plan);
  if (unplaceable) throw unplaceable;
  const view = planView(prepared);
  // The user's key is kept with the plan so `xarb cancel KEY` finds its orders.
  const written = await writeAhead(env, {planId, kind: 'order', intent: {...intentIdentity(intent), ...(options.clientId === undefined ? {} : {clientId: options.clientId})}, plan: view, orders: plan.children, newPlan: true}, prepared.risk);
  let effective = await Promise.all(written.map((o) => sendOrder(env, o)));

  if (plan.strategy === 'priority' && !intent.venue) {
    let leg = plan.children.length;
    const fallbacks = [...plan.fallbacks];
    while (effective.length === 1 && effective[0]!.status === 'rejected' && fallbacks.length > 0) {
      const venue = fallbacks.shift()!;
      const candidate = prepared.candidates.find((c) => c.venue === venue);
      if (!candidate) continue;
      const routeIntent: RouteIntent = {symbol: intent.symbol, side: intent.side, amount: intent.amount, ...(intent.limitPrice === undefined ? {} : {limitPrice: intent.limitPrice})};
      if (cannotTake(candidate, routeIntent, dec(intent.amount))) continue;
      const child = buildChild(candidate, routeIntent, dec(intent.amount), leg++);
      const next = await writeAhead(env, {planId, kind: 'order', intent: intentIdentity(intent), plan: view, orders: [child], newPlan: false}, prepared.risk);
      effective = await Promise.all(next.map((o) => sendOrder(env, o)));
    }
  }
  plans.setStatus(planId, planStatus(effective));
  const all = repo.list({planId, limit: 10_000}).reverse();
  return report(env, prepared, planId, all, effective, false);
}

/** For a stored plan: the orders that count (the last attempt of a failover chain; all children of a split). */
function effectiveOrders(orders: readonly JournalOrder[]): JournalOrder[] {
  const live = orders.filter((o) => o.status !== 'rejected');
  return live.length > 0 ? live : orders.slice(-1);
}
